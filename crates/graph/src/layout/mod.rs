//! The layered top-to-bottom layout: sizes, ranks, row order, positions and
//! edge routes of one scope, with nested scopes laid out first and drawn
//! inside their Parallel or Map box.
//!
//! | module | step |
//! |---|---|
//! | `rank.rs` | rows by longest path, loops turned around |
//! | `order.rs` | dummy vertices for long edges, barycentre ordering |
//! | `place.rs` | x positions by isotonic regression |
//! | this file | sizes, y positions, edge routes |

mod order;
mod place;
mod rank;

use crate::model::{EdgeKind, Endpoint, Node, Scope};

/// Font size of a state's name.
pub(crate) const NAME_FONT: f64 = 13.0;
/// Font size of a state's type, edge labels and branch labels.
pub(crate) const SMALL_FONT: f64 = 11.0;
/// Height of a plain state box.
pub(crate) const NODE_HEIGHT: f64 = 46.0;
/// Size of the Start and End terminals.
pub(crate) const TERMINAL: (f64, f64) = (64.0, 26.0);
/// Padding inside a nested box around its branches.
pub(crate) const BRANCH_PAD: f64 = 12.0;
/// Height of a branch's title ("Branch 1").
pub(crate) const BRANCH_TITLE: f64 = 20.0;
const NODE_MIN_WIDTH: f64 = 120.0;
const NODE_PADDING: f64 = 28.0;
const RETRY_BADGE: f64 = 18.0;
const RANK_GAP: f64 = 60.0;
const MARGIN: f64 = 16.0;
const NESTED_MARGIN: f64 = 8.0;
const PORT_SPACING: f64 = 18.0;

/// A point in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// Horizontal, growing to the right.
    pub(crate) x: f64,
    /// Vertical, growing downwards.
    pub(crate) y: f64,
}

/// An axis-aligned box: top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    /// Left.
    pub(crate) x: f64,
    /// Top.
    pub(crate) y: f64,
    /// Width.
    pub(crate) w: f64,
    /// Height.
    pub(crate) h: f64,
}

/// A laid-out scope, in its own coordinates (top-left at 0, 0).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScopeLayout {
    /// Total width including margins.
    pub(crate) width: f64,
    /// Total height including margins.
    pub(crate) height: f64,
    /// Per state, in the scope's order.
    pub(crate) nodes: Vec<NodeLayout>,
    /// The Start terminal, if the scope has terminals.
    pub(crate) start: Option<Rect>,
    /// The End terminal, if the scope has terminals.
    pub(crate) end: Option<Rect>,
    /// Per edge, in the scope's order.
    pub(crate) routes: Vec<Route>,
}

/// Where one state is drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeLayout {
    /// The state's box.
    pub(crate) rect: Rect,
    /// Its branches' boxes and contents, if it is a Parallel or a Map.
    pub(crate) branches: Vec<BranchLayout>,
}

/// One nested scope inside its state's box.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BranchLayout {
    /// The branch's frame, in the parent scope's coordinates.
    pub(crate) rect: Rect,
    /// The branch's states, drawn at `rect` moved down by [`BRANCH_TITLE`].
    pub(crate) content: ScopeLayout,
}

/// How one edge is drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Route {
    /// The polyline the curve goes through, from source to target; the first
    /// and last segments leave and arrive vertically.
    pub(crate) points: Vec<Point>,
    /// A loop on the right side of one state (`points` are where it leaves and arrives).
    pub(crate) self_loop: bool,
    /// Where the label's centre goes.
    pub(crate) label_at: Point,
}

/// Width of `text` at `font_size`, estimated (no font metrics): wide
/// characters (CJK, emoji) count one em, others a bit over half.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * font_size
}

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

    let routes = routes(
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

/// Routes every edge through its dummies, spreading the edges that leave
/// (or enter) one box along its bottom (or top) in the order of where they go.
#[allow(clippy::too_many_arguments)]
fn routes(
    scope: &Scope,
    layered: &order::Layered,
    edges: &[(usize, usize)],
    reversed: &[bool],
    rect_of: &dyn Fn(usize) -> Option<Rect>,
    x_of: &dyn Fn(usize) -> f64,
    row_top: &[f64],
    row_height: &[f64],
) -> Vec<Route> {
    // Ports: per vertex, the chains leaving its bottom and entering its top,
    // sorted by the x of the chain's next vertex.
    let mut bottom_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); layered.rank.len()];
    let mut top_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); layered.rank.len()];
    for (index, chain) in layered.chains.iter().enumerate() {
        if let [first, second, ..] = chain.as_slice() {
            bottom_ports[*first].push((x_of(*second), index));
        }
        if let [.., before, last] = chain.as_slice() {
            top_ports[*last].push((x_of(*before), index));
        }
    }
    let port_x = |ports: &mut Vec<(f64, usize)>, vertex: usize, edge: usize| {
        ports.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let count = ports.len() as f64;
        let slot = ports.iter().position(|p| p.1 == edge).unwrap_or(0) as f64;
        let width = rect_of(vertex).map_or(0.0, |r| r.w);
        let spacing = PORT_SPACING.min(width * 0.6 / count.max(1.0));
        x_of(vertex) + (slot - (count - 1.0) / 2.0) * spacing
    };

    scope
        .edges
        .iter()
        .enumerate()
        .map(|(index, edge)| {
            let chain = &layered.chains[index];
            if chain.is_empty() {
                let rect = rect_of(edges[index].0).unwrap_or(Rect {
                    x: 0.0,
                    y: 0.0,
                    w: 0.0,
                    h: 0.0,
                });
                let right = rect.x + rect.w;
                let middle = rect.y + rect.h / 2.0;
                return Route {
                    points: vec![
                        Point {
                            x: right,
                            y: middle - 8.0,
                        },
                        Point {
                            x: right,
                            y: middle + 8.0,
                        },
                    ],
                    self_loop: true,
                    label_at: Point {
                        x: right + 30.0,
                        y: middle,
                    },
                };
            }
            let mut points = Vec::with_capacity(chain.len() * 2);
            for (position, &vertex) in chain.iter().enumerate() {
                let row = layered.rank[vertex];
                if position == 0 {
                    let x = port_x(&mut bottom_ports[vertex].clone(), vertex, index);
                    let bottom = rect_of(vertex).map_or(row_top[row], |r| r.y + r.h);
                    points.push(Point { x, y: bottom });
                } else if position == chain.len() - 1 {
                    let x = port_x(&mut top_ports[vertex].clone(), vertex, index);
                    let top = rect_of(vertex).map_or(row_top[row], |r| r.y);
                    points.push(Point { x, y: top });
                } else {
                    let x = x_of(vertex);
                    points.push(Point { x, y: row_top[row] });
                    if row_height[row] > 0.0 {
                        points.push(Point {
                            x,
                            y: row_top[row] + row_height[row],
                        });
                    }
                }
            }
            if reversed[index] {
                points.reverse();
            }
            let label_at = label_point(&points, edge.kind);
            Route {
                points,
                self_loop: false,
                label_at,
            }
        })
        .collect()
}

/// A label sits on the first segment of the curve: nearer the source for
/// Catch edges (they often share their target with other edges), nearer the
/// target for a Choice's rules and default (they leave one box side by side,
/// so their labels would overlap there), half-way otherwise.
fn label_point(points: &[Point], kind: EdgeKind) -> Point {
    let (Some(a), Some(b)) = (points.first(), points.get(1)) else {
        return Point { x: 0.0, y: 0.0 };
    };
    let t = match kind {
        EdgeKind::Catch => 0.35,
        EdgeKind::Choice | EdgeKind::Default => 0.62,
        _ => 0.5,
    };
    curve_point(*a, *b, t)
}

/// The point at `t` of the cubic from `a` to `b` that leaves and arrives
/// vertically (control points at half the height), as the SVG draws it.
pub(crate) fn curve_point(a: Point, b: Point, t: f64) -> Point {
    let middle = (a.y + b.y) / 2.0;
    let u = 1.0 - t;
    let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point {
        x: (w0 + w1) * a.x + (w2 + w3) * b.x,
        y: w0 * a.y + (w1 + w2) * middle + w3 * b.y,
    }
}
