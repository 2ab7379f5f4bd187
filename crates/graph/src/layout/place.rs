//! Horizontal positions: each vertex as close as the row order allows to the
//! mean of its neighbours, found exactly per row by isotonic regression.

use super::order::Layered;

/// Gap between two boxes side by side.
const NODE_GAP: f64 = 32.0;
/// Gap next to an edge passing through a row.
const DUMMY_GAP: f64 = 14.0;
/// Alternating sweeps (down, then up) before a last downward sweep.
const SWEEPS: usize = 4;

/// Centre x of every vertex (dummies included), given each vertex's width
/// (0 for dummies); the leftmost box edge is at 0.
pub(crate) fn x_positions(layered: &Layered, width: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; layered.rank.len()];
    for row in &layered.layers {
        let mut right = 0.0;
        for (index, &vertex) in row.iter().enumerate() {
            if index > 0 {
                right += gap(layered, row[index - 1], vertex);
            }
            x[vertex] = right + width[vertex] / 2.0;
            right += width[vertex];
        }
    }
    for _ in 0..SWEEPS {
        for row in 1..layered.layers.len() {
            align_row(layered, width, &mut x, row, &layered.up);
        }
        for row in (0..layered.layers.len().saturating_sub(1)).rev() {
            align_row(layered, width, &mut x, row, &layered.down);
        }
    }
    for row in 1..layered.layers.len() {
        align_row(layered, width, &mut x, row, &layered.up);
    }

    let left = layered
        .layers
        .iter()
        .flatten()
        .map(|&vertex| x[vertex] - width[vertex] / 2.0)
        .fold(f64::INFINITY, f64::min);
    if left.is_finite() {
        for value in &mut x {
            *value -= left;
        }
    }
    x
}

fn gap(layered: &Layered, a: usize, b: usize) -> f64 {
    if a < layered.real && b < layered.real {
        NODE_GAP
    } else {
        DUMMY_GAP
    }
}

/// Moves one row's vertices towards the mean x of their `neighbours`, keeping
/// the order and the minimum separations, minimising the squared distances.
fn align_row(
    layered: &Layered,
    width: &[f64],
    x: &mut [f64],
    row: usize,
    neighbours: &[Vec<usize>],
) {
    let vertices = &layered.layers[row];
    if vertices.is_empty() {
        return;
    }
    // Offsets turn "x[i+1] - x[i] >= separation" into "y[i+1] >= y[i]".
    let mut offset = Vec::with_capacity(vertices.len());
    let mut running = 0.0;
    for (index, &vertex) in vertices.iter().enumerate() {
        if index > 0 {
            let previous = vertices[index - 1];
            running += (width[previous] + width[vertex]) / 2.0 + gap(layered, previous, vertex);
        }
        offset.push(running);
    }
    let desired: Vec<f64> = vertices
        .iter()
        .zip(&offset)
        .map(|(&vertex, &offset)| {
            let around = &neighbours[vertex];
            let target = if around.is_empty() {
                x[vertex]
            } else {
                around.iter().map(|&other| x[other]).sum::<f64>() / around.len() as f64
            };
            target - offset
        })
        .collect();
    let solved = nondecreasing_fit(&desired);
    for ((&vertex, offset), y) in vertices.iter().zip(&offset).zip(solved) {
        x[vertex] = y + offset;
    }
}

/// The nondecreasing sequence closest to `values` in least squares
/// (pool-adjacent-violators).
fn nondecreasing_fit(values: &[f64]) -> Vec<f64> {
    // Blocks of (mean, count).
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(values.len());
    for &value in values {
        blocks.push((value, 1));
        while blocks.len() > 1 {
            let (last_mean, last_count) = blocks[blocks.len() - 1];
            let (prev_mean, prev_count) = blocks[blocks.len() - 2];
            if prev_mean <= last_mean {
                break;
            }
            let count = last_count + prev_count;
            let mean =
                (prev_mean * prev_count as f64 + last_mean * last_count as f64) / count as f64;
            blocks.pop();
            if let Some(previous) = blocks.last_mut() {
                *previous = (mean, count);
            }
        }
    }
    blocks
        .into_iter()
        .flat_map(|(mean, count)| std::iter::repeat_n(mean, count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_adjacent_violators() {
        assert_eq!(
            nondecreasing_fit(&[1.0, 3.0, 2.0, 4.0]),
            vec![1.0, 2.5, 2.5, 4.0]
        );
        assert_eq!(nondecreasing_fit(&[3.0, 2.0, 1.0]), vec![2.0, 2.0, 2.0]);
    }
}
