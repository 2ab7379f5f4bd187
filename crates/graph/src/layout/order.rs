//! Rows with their order: long edges are cut into one dummy vertex per row
//! they cross, then rows are reordered by barycentre to remove some crossings.

/// Vertices by row in left-to-right order, and each edge's chain of vertices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layered {
    /// `layers[r]` lists the vertices of row `r` left to right (dummies included).
    pub(crate) layers: Vec<Vec<usize>>,
    /// Per edge: the vertices it runs through, top to bottom; empty for self-loops.
    pub(crate) chains: Vec<Vec<usize>>,
    /// Row of every vertex, dummies included.
    pub(crate) rank: Vec<usize>,
    /// Neighbours one row up, per vertex.
    pub(crate) up: Vec<Vec<usize>>,
    /// Neighbours one row down, per vertex.
    pub(crate) down: Vec<Vec<usize>>,
    /// Vertices below this index are real; the rest are dummies.
    pub(crate) real: usize,
}

/// How many barycentre sweeps (down then up) to try.
const SWEEPS: usize = 8;

/// Builds the rows of `present` vertices ranked by `rank`, with `edges`
/// (from, to) oriented downwards where `reversed` says so. `seeds` are the
/// row-0 vertices to put first, in order.
pub(crate) fn layer(
    present: &[usize],
    rank: &[usize],
    edges: &[(usize, usize)],
    reversed: &[bool],
    seeds: &[usize],
) -> Layered {
    let real = rank.len();
    let mut rank = rank.to_vec();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); real];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); real];
    let mut chains = Vec::with_capacity(edges.len());
    for (index, &(from, to)) in edges.iter().enumerate() {
        if from == to {
            chains.push(Vec::new());
            continue;
        }
        let (top, bottom) = if reversed[index] {
            (to, from)
        } else {
            (from, to)
        };
        let mut chain = vec![top];
        for row in rank[top] + 1..rank[bottom] {
            let dummy = rank.len();
            rank.push(row);
            up.push(Vec::new());
            down.push(Vec::new());
            chain.push(dummy);
        }
        chain.push(bottom);
        for pair in chain.windows(2) {
            down[pair[0]].push(pair[1]);
            up[pair[1]].push(pair[0]);
        }
        chains.push(chain);
    }

    // First order: breadth-first from the seeds, so rows follow the document.
    let rows = present
        .iter()
        .map(|&vertex| rank[vertex])
        .max()
        .unwrap_or(0)
        + 1;
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); rows];
    let mut seen = vec![false; rank.len()];
    let mut queue: Vec<usize> = Vec::new();
    let firsts = seeds
        .iter()
        .chain(present)
        .filter(|&&vertex| rank[vertex] == 0);
    for &vertex in firsts {
        if !seen[vertex] {
            seen[vertex] = true;
            queue.push(vertex);
        }
    }
    let mut cursor = 0;
    while let Some(&vertex) = queue.get(cursor) {
        cursor += 1;
        layers[rank[vertex]].push(vertex);
        for &below in &down[vertex] {
            if !seen[below] {
                seen[below] = true;
                queue.push(below);
            }
        }
    }

    let mut layered = Layered {
        layers,
        chains,
        rank,
        up,
        down,
        real,
    };
    reduce_crossings(&mut layered);
    layered
}

/// Barycentre sweeps, keeping the order with the fewest crossings seen.
fn reduce_crossings(layered: &mut Layered) {
    let mut best = layered.layers.clone();
    let mut best_crossings = crossings(layered);
    for _ in 0..SWEEPS {
        if best_crossings == 0 {
            break;
        }
        for row in 1..layered.layers.len() {
            sort_row(layered, row, true);
        }
        for row in (0..layered.layers.len().saturating_sub(1)).rev() {
            sort_row(layered, row, false);
        }
        let now = crossings(layered);
        if now < best_crossings {
            best_crossings = now;
            best.clone_from(&layered.layers);
        }
    }
    layered.layers = best;
}

/// Reorders one row by the mean position of each vertex's neighbours in the
/// row above (`from_above`) or below; vertices without such neighbours stay put.
fn sort_row(layered: &mut Layered, row: usize, from_above: bool) {
    let reference_row = if from_above { row - 1 } else { row + 1 };
    let position = positions(layered, reference_row);
    let neighbours = if from_above {
        &layered.up
    } else {
        &layered.down
    };
    let mut keyed: Vec<(f64, usize, usize)> = layered.layers[row]
        .iter()
        .enumerate()
        .map(|(index, &vertex)| {
            let around = &neighbours[vertex];
            let key = if around.is_empty() {
                index as f64
            } else {
                around.iter().map(|&other| position[other]).sum::<f64>() / around.len() as f64
            };
            (key, index, vertex)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    layered.layers[row] = keyed.into_iter().map(|(_, _, vertex)| vertex).collect();
}

/// Position within its row of every vertex in `row` (others are 0).
fn positions(layered: &Layered, row: usize) -> Vec<f64> {
    let mut position = vec![0.0; layered.rank.len()];
    for (index, &vertex) in layered.layers[row].iter().enumerate() {
        position[vertex] = index as f64;
    }
    position
}

/// Number of pairs of edges that cross between adjacent rows.
pub(crate) fn crossings(layered: &Layered) -> usize {
    let mut total = 0;
    for row in 0..layered.layers.len().saturating_sub(1) {
        let top = &positions(layered, row);
        let bottom = &positions(layered, row + 1);
        let segments: Vec<(f64, f64)> = layered.layers[row]
            .iter()
            .flat_map(|&vertex| {
                layered.down[vertex]
                    .iter()
                    .map(move |&below| (top[vertex], bottom[below]))
            })
            .collect();
        for (index, a) in segments.iter().enumerate() {
            for b in &segments[index + 1..] {
                if (a.0 - b.0) * (a.1 - b.1) < 0.0 {
                    total += 1;
                }
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_edges_get_one_dummy_per_row_crossed() {
        let layered = layer(
            &[0, 1, 2],
            &[0, 1, 2],
            &[(0, 1), (1, 2), (0, 2)],
            &[false; 3],
            &[0],
        );
        assert_eq!(layered.chains[2], vec![0, 3, 2]);
        assert_eq!(layered.rank[3], 1);
        assert_eq!(layered.layers[1].len(), 2);
    }

    #[test]
    fn an_obvious_crossing_is_removed() {
        // Row 0: 0, 1. Row 1: 2, 3, first ordered 2 (child of 0)... but 0 -> 3 and 1 -> 2.
        let layered = layer(
            &[0, 1, 2, 3],
            &[0, 0, 1, 1],
            &[(0, 3), (1, 2)],
            &[false; 2],
            &[0, 1],
        );
        assert_eq!(crossings(&layered), 0);
    }
}
