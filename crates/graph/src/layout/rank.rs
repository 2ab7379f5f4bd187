//! Ranks: which row each vertex sits in, by longest path from the roots after
//! turning the back edges of a depth-first search around (so loops still rank).

/// The rank of every vertex and which edges were turned around to rank them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ranking {
    /// Row of each vertex; vertices not in `present` have rank 0.
    pub(crate) rank: Vec<usize>,
    /// Per edge: it points upwards (a back edge of the search) and is laid out reversed.
    pub(crate) reversed: Vec<bool>,
}

/// Ranks `vertex_count` vertices joined by `edges` (from, to).
///
/// The depth-first search starts at `roots` in order, then at every other
/// vertex of `present` in order, following edges in their given order, so the
/// result depends only on the input order. `bottom`, if given, is put one row
/// below every other vertex (the End terminal). Self-loops are neither
/// reversed nor ranked.
pub(crate) fn rank(
    vertex_count: usize,
    present: &[usize],
    roots: &[usize],
    edges: &[(usize, usize)],
    bottom: Option<usize>,
) -> Ranking {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); vertex_count];
    for (index, &(from, to)) in edges.iter().enumerate() {
        if from != to {
            out[from].push(index);
        }
    }

    // Iterative depth-first search: 0 = unseen, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; vertex_count];
    let mut reversed = vec![false; edges.len()];
    for &root in roots.iter().chain(present) {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (vertex, ref mut next)) = stack.last_mut() {
            if let Some(&edge) = out[vertex].get(*next) {
                *next += 1;
                let target = edges[edge].1;
                match state[target] {
                    0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => reversed[edge] = true,
                    _ => {}
                }
            } else {
                state[vertex] = 2;
                stack.pop();
            }
        }
    }

    // Longest path over the now acyclic graph, in Kahn order.
    let mut indegree = vec![0usize; vertex_count];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); vertex_count];
    for (index, &(from, to)) in edges.iter().enumerate() {
        if from == to {
            continue;
        }
        let (upper, lower) = if reversed[index] {
            (to, from)
        } else {
            (from, to)
        };
        down[upper].push(lower);
        indegree[lower] += 1;
    }
    let mut rank = vec![0usize; vertex_count];
    let mut ready: Vec<usize> = present
        .iter()
        .copied()
        .filter(|&vertex| indegree[vertex] == 0)
        .collect();
    let mut cursor = 0;
    while let Some(&vertex) = ready.get(cursor) {
        cursor += 1;
        for &lower in &down[vertex] {
            rank[lower] = rank[lower].max(rank[vertex] + 1);
            indegree[lower] -= 1;
            if indegree[lower] == 0 {
                ready.push(lower);
            }
        }
    }

    if let Some(bottom) = bottom {
        let deepest = present
            .iter()
            .filter(|&&vertex| vertex != bottom)
            .map(|&vertex| rank[vertex])
            .max()
            .unwrap_or(0);
        rank[bottom] = rank[bottom].max(deepest + 1);
    }
    Ranking { rank, reversed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_path_puts_a_join_below_both_arms() {
        // 0 -> 1 -> 2 -> 3, and 0 -> 3 directly.
        let ranking = rank(
            4,
            &[0, 1, 2, 3],
            &[0],
            &[(0, 1), (1, 2), (2, 3), (0, 3)],
            None,
        );
        assert_eq!(ranking.rank, vec![0, 1, 2, 3]);
        assert_eq!(ranking.reversed, vec![false; 4]);
    }

    #[test]
    fn a_loop_is_ranked_by_reversing_its_back_edge() {
        // 0 -> 1 -> 2 -> 1 (loop), 2 -> 3.
        let ranking = rank(
            4,
            &[0, 1, 2, 3],
            &[0],
            &[(0, 1), (1, 2), (2, 1), (2, 3)],
            None,
        );
        assert_eq!(ranking.reversed, vec![false, false, true, false]);
        assert_eq!(ranking.rank, vec![0, 1, 2, 3]);
    }

    #[test]
    fn the_bottom_vertex_goes_below_everything() {
        let ranking = rank(4, &[0, 1, 2, 3], &[0], &[(0, 1), (0, 3), (1, 2)], Some(3));
        assert_eq!(ranking.rank[3], 3);
    }
}
