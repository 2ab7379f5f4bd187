//! The layered top-to-bottom layout: sizes, ranks, row order, positions and
//! edge routes of one scope, with nested scopes laid out first and drawn
//! inside their Parallel or Map box.
//!
//! | module | holds |
//! |---|---|
//! | `metrics.rs` | font sizes, box sizes, gaps, estimated text width |
//! | `geometry.rs` | what a layout yields: points, boxes, routes per scope |
//! | `rank.rs` | rows by longest path, loops turned around |
//! | `order.rs` | dummy vertices for long edges, barycentre ordering |
//! | `place.rs` | x positions by isotonic regression |
//! | `route.rs` | edge polylines, ports along a box's side, label positions |
//! | this file | box sizes, nested branches, y positions; the steps run in order |

mod geometry;
mod metrics;
mod order;
mod place;
mod rank;
mod route;

pub(crate) use geometry::{BranchLayout, NodeLayout, Point, Rect, Route, ScopeLayout};
use metrics::{
    BRANCH_PAD, MARGIN, NESTED_MARGIN, NODE_HEIGHT, NODE_MIN_WIDTH, NODE_PADDING, RANK_GAP,
    RETRY_BADGE, TERMINAL,
};
pub(crate) use metrics::{BRANCH_TITLE, NAME_FONT, SMALL_FONT, text_width};

use crate::model::{Endpoint, Node, Scope};

/// Lays out `scope` and, first, every scope nested in it.
pub(crate) fn layout(scope: &Scope) -> ScopeLayout {
    let node_count = scope.nodes.len();
    let start_vertex = node_count;
    let end_vertex = node_count + 1;
    let vertex_count = node_count + 2;

    // Sizes; nested scopes are laid out here, positioned later.
    let mut size: Vec<(f64, f64)> = vec![TERMINAL; vertex_count];
    let mut nested: Vec<Vec<(f64, f64, ScopeLayout)>> = Vec::with_capacity(node_count);
    for (index, node) in scope.nodes.iter().enumerate() {
        let (width, height, branches) = node_size(node);
        size[index] = (width, height);
        nested.push(branches);
    }

    let vertex = |endpoint: Endpoint| match endpoint {
        Endpoint::Start => start_vertex,
        Endpoint::State(index) => index,
        Endpoint::End => end_vertex,
    };
    let edges: Vec<(usize, usize)> = scope
        .edges
        .iter()
        .map(|edge| (vertex(edge.from), vertex(edge.to)))
        .collect();
    let mut present: Vec<usize> = (0..node_count).collect();
    let (roots, bottom) = if scope.terminals {
        present.push(start_vertex);
        present.push(end_vertex);
        (vec![start_vertex], Some(end_vertex))
    } else {
        (vec![scope.start], None)
    };

    let ranking = rank::rank(vertex_count, &present, &roots, &edges, bottom);
    let layered = order::layer(&present, &ranking.rank, &edges, &ranking.reversed, &roots);
    let width: Vec<f64> = (0..layered.rank.len())
        .map(|v| if v < vertex_count { size[v].0 } else { 0.0 })
        .collect();
    let x = place::x_positions(&layered, &width);

    let margin = if scope.terminals {
        MARGIN
    } else {
        NESTED_MARGIN
    };
    let mut row_top = Vec::with_capacity(layered.layers.len());
    let mut row_height = Vec::with_capacity(layered.layers.len());
    let mut top = margin;
    for row in &layered.layers {
        let height = row
            .iter()
            .filter(|&&v| v < vertex_count)
            .map(|&v| size[v].1)
            .fold(0.0, f64::max);
        row_top.push(top);
        row_height.push(height);
        top += height + RANK_GAP;
    }
    let height = top - RANK_GAP + margin;

    let rect_of = |v: usize| {
        let (w, h) = size[v];
        let row = layered.rank[v];
        Rect {
            x: x[v] - w / 2.0 + margin,
            y: row_top[row] + (row_height[row] - h) / 2.0,
            w,
            h,
        }
    };
    let width_total = (0..vertex_count)
        .filter(|v| present.contains(v))
        .map(|v| {
            let rect = rect_of(v);
            rect.x + rect.w
        })
        .fold(0.0, f64::max)
        + margin;

    let nodes: Vec<NodeLayout> = nested
        .into_iter()
        .enumerate()
        .map(|(index, branches)| {
            let rect = rect_of(index);
            NodeLayout {
                rect,
                branches: place_branches(rect, branches),
            }
        })
        .collect();

    let routes = route::routes(
        scope,
        &layered,
        &edges,
        &ranking.reversed,
        &|v| {
            if v < vertex_count {
                Some(rect_of(v))
            } else {
                None
            }
        },
        &|v| x[v] + margin,
        &row_top,
        &row_height,
    );

    ScopeLayout {
        width: width_total,
        height,
        nodes,
        start: scope.terminals.then(|| rect_of(start_vertex)),
        end: scope.terminals.then(|| rect_of(end_vertex)),
        routes,
    }
}

/// Size of a state's box and, for Parallel and Map, its laid-out branches
/// with their frame sizes.
fn node_size(node: &Node) -> (f64, f64, Vec<(f64, f64, ScopeLayout)>) {
    let badge = if node.retries.is_empty() {
        0.0
    } else {
        RETRY_BADGE
    };
    let header = text_width(&node.name, NAME_FONT).max(text_width(&node.kind, SMALL_FONT))
        + NODE_PADDING
        + 2.0 * badge;
    let header = header.max(NODE_MIN_WIDTH);
    if node.branches.is_empty() {
        return (header, NODE_HEIGHT, Vec::new());
    }
    let branches: Vec<(f64, f64, ScopeLayout)> = node
        .branches
        .iter()
        .map(|branch| {
            let content = layout(&branch.scope);
            let width = content
                .width
                .max(text_width(&branch.label, SMALL_FONT) + 2.0 * BRANCH_PAD);
            (width, content.height + BRANCH_TITLE, content)
        })
        .collect();
    let inner_width: f64 = branches.iter().map(|b| b.0).sum::<f64>()
        + BRANCH_PAD * (branches.len().saturating_sub(1)) as f64;
    let inner_height = branches.iter().map(|b| b.1).fold(0.0, f64::max);
    (
        header.max(inner_width + 2.0 * BRANCH_PAD),
        NODE_HEIGHT + inner_height + BRANCH_PAD,
        branches,
    )
}

/// Puts a nested box's branches side by side, centred under its header.
fn place_branches(rect: Rect, branches: Vec<(f64, f64, ScopeLayout)>) -> Vec<BranchLayout> {
    let inner_width: f64 = branches.iter().map(|b| b.0).sum::<f64>()
        + BRANCH_PAD * (branches.len().saturating_sub(1)) as f64;
    let inner_height = branches.iter().map(|b| b.1).fold(0.0, f64::max);
    let mut left = rect.x + (rect.w - inner_width) / 2.0;
    branches
        .into_iter()
        .map(|(width, _, content)| {
            let frame = Rect {
                x: left,
                y: rect.y + NODE_HEIGHT,
                w: width,
                h: inner_height,
            };
            left += width + BRANCH_PAD;
            BranchLayout {
                rect: frame,
                content,
            }
        })
        .collect()
}
