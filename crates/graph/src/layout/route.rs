//! Edge routes: each edge's polyline through its dummy vertices, with ports
//! spread along a box's side so edges leaving (or entering) one box do not
//! overlap, and where each label sits on the curve the SVG draws.

use super::geometry::{Point, Rect, Route};
use super::metrics::PORT_SPACING;
use super::order::Layered;
use crate::model::{EdgeKind, Scope};

/// Routes every edge through its dummies, spreading the edges that leave
/// (or enter) one box along its bottom (or top) in the order of where they go.
#[allow(clippy::too_many_arguments)]
pub(super) fn routes(
    scope: &Scope,
    layered: &Layered,
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
fn curve_point(a: Point, b: Point, t: f64) -> Point {
    let middle = (a.y + b.y) / 2.0;
    let u = 1.0 - t;
    let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point {
        x: (w0 + w1) * a.x + (w2 + w3) * b.x,
        y: w0 * a.y + (w1 + w2) * middle + w3 * b.y,
    }
}
