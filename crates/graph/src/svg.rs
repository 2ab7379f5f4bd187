//! The standalone SVG: one `<g class="state">` per state and one
//! `<g class="transition">` (holding `<path class="edge">`) per edge, drawn
//! with `currentColor` and system colours so it follows the page's scheme.

use std::fmt::Write as _;

use crate::escape::xml;
use crate::layout::{self, BRANCH_TITLE, NAME_FONT, Point, Rect, Route, SMALL_FONT, ScopeLayout};
use crate::model::{Edge, EdgeKind, Endpoint, Node, Scope};

/// Length of an arrowhead.
const ARROW: f64 = 8.0;
/// Half the width of an arrowhead.
const ARROW_HALF: f64 = 4.5;

/// The stylesheet inside the SVG, scoped to `.rez-graph` so it can be inlined
/// into a page; a page overrides it with its own (more specific) rules.
/// Standalone (`:root`), the SVG follows the system's light or dark scheme;
/// inlined, it takes the page's colour and scheme.
const STYLE: &str = "\
:root.rez-graph{color-scheme:light dark;color:CanvasText;background:Canvas}\
.rez-graph{font-family:system-ui,-apple-system,'Segoe UI',sans-serif}\
.rez-graph text{fill:currentColor}\
.rez-graph .box{fill:Canvas;stroke:currentColor;stroke-width:1.5}\
.rez-graph .terminal .box{fill:currentColor;fill-opacity:.12}\
.rez-graph .name{font-size:13px;font-weight:600}\
.rez-graph .type,.rez-graph .edge-label text,.rez-graph .branch-title{font-size:11px;fill-opacity:.75}\
.rez-graph .retry-badge{font-size:13px}\
.rez-graph .branch-box{fill:none;stroke:currentColor;stroke-opacity:.45;stroke-dasharray:4 3}\
.rez-graph .edge{fill:none;stroke:currentColor;stroke-width:1.4;stroke-opacity:.75}\
.rez-graph .edge[data-kind=catch]{stroke-dasharray:5 4}\
.rez-graph .arrow{fill:currentColor;fill-opacity:.75}\
.rez-graph .edge-label rect{fill:Canvas;fill-opacity:.9}";

/// Renders `scope` (the top level) with its layout.
pub(crate) fn render(scope: &Scope) -> String {
    let laid = layout::layout(scope);
    // Edge labels may reach past the boxes: widen the view to hold them.
    let (mut left, mut right) = (0.0_f64, laid.width);
    for (edge, route) in scope.edges.iter().zip(&laid.routes) {
        if let Some(label) = &edge.label {
            let half = label_width(label) / 2.0;
            left = left.min(route.label_at.x - half - 4.0);
            right = right.max(route.label_at.x + half + 4.0);
        }
    }
    let mut out = String::with_capacity(8192);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rez-graph\" viewBox=\"{x} 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"State machine graph\" \
         font-family=\"system-ui, sans-serif\">\n<style>{STYLE}</style>\n",
        x = number(left),
        w = number(right - left),
        h = number(laid.height),
    );
    draw_scope(&mut out, scope, &laid);
    out.push_str("</svg>\n");
    out
}

/// Edges first, then terminals and states on top of them.
fn draw_scope(out: &mut String, scope: &Scope, laid: &ScopeLayout) {
    for (edge, route) in scope.edges.iter().zip(&laid.routes) {
        draw_edge(out, scope, edge, route);
    }
    if let Some(rect) = laid.start {
        draw_terminal(out, "start", "Start", rect);
    }
    for (node, placed) in scope.nodes.iter().zip(&laid.nodes) {
        draw_node(out, node, placed);
    }
    if let Some(rect) = laid.end {
        draw_terminal(out, "end", "End", rect);
    }
}

fn draw_terminal(out: &mut String, which: &str, text: &str, rect: Rect) {
    let _ = writeln!(
        out,
        "<g class=\"terminal\" data-terminal=\"{which}\">\
         <rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"none\" stroke=\"currentColor\"/>\
         <text class=\"type\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"central\" font-size=\"11\">{text}</text></g>",
        number(rect.x),
        number(rect.y),
        number(rect.w),
        number(rect.h),
        number(rect.h / 2.0),
        number(rect.x + rect.w / 2.0),
        number(rect.y + rect.h / 2.0),
    );
}

fn draw_node(out: &mut String, node: &Node, placed: &layout::NodeLayout) {
    let rect = placed.rect;
    let name = xml(&node.name);
    let kind = xml(&node.kind);
    let _ = write!(
        out,
        "<g class=\"state\" data-state=\"{name}\" data-type=\"{kind}\"{}>",
        if node.retries.is_empty() {
            String::new()
        } else {
            format!(" data-retry=\"{}\"", node.retries.len())
        }
    );
    let mut title = format!("{name} ({kind})");
    if let Some(comment) = &node.comment {
        title.push('\n');
        title.push_str(&xml(comment));
    }
    let _ = write!(
        out,
        "<title>{title}</title>\
         <rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"none\" stroke=\"currentColor\"/>\
         <text class=\"name\" x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{NAME_FONT}\">{name}</text>\
         <text class=\"type\" x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{SMALL_FONT}\">{kind}</text>",
        number(rect.x),
        number(rect.y),
        number(rect.w),
        number(rect.h),
        number(rect.y + 20.0),
        number(rect.y + 36.0),
        cx = number(rect.x + rect.w / 2.0),
    );
    if !node.retries.is_empty() {
        let _ = write!(
            out,
            "<text class=\"retry-badge\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\">↻<title>Retry\n{}</title></text>",
            number(rect.x + rect.w - 13.0),
            number(rect.y + 18.0),
            xml(&node.retries.join("\n")),
        );
    }
    for (branch, frame) in node.branches.iter().zip(&placed.branches) {
        let box_ = frame.rect;
        let _ = write!(
            out,
            "\n<g class=\"branch\" data-branch=\"{label}\">\
             <rect class=\"branch-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"none\" stroke=\"currentColor\"/>\
             <text class=\"branch-title\" x=\"{}\" y=\"{}\" font-size=\"{SMALL_FONT}\">{label}</text>\
             <g transform=\"translate({} {})\">\n",
            number(box_.x),
            number(box_.y),
            number(box_.w),
            number(box_.h),
            number(box_.x + 8.0),
            number(box_.y + 14.0),
            number(box_.x + (box_.w - frame.content.width) / 2.0),
            number(box_.y + BRANCH_TITLE),
            label = xml(&branch.label),
        );
        draw_scope(out, &branch.scope, &frame.content);
        out.push_str("</g></g>");
    }
    out.push_str("</g>\n");
}

/// `data-from`/`data-to` hold state names; the Start and End terminals are
/// the empty string (no state may have an empty name).
fn endpoint_name(scope: &Scope, endpoint: Endpoint) -> &str {
    match endpoint {
        Endpoint::State(index) => scope.nodes.get(index).map_or("", |node| &node.name),
        Endpoint::Start | Endpoint::End => "",
    }
}

fn draw_edge(out: &mut String, scope: &Scope, edge: &Edge, route: &Route) {
    let from = xml(endpoint_name(scope, edge.from));
    let to = xml(endpoint_name(scope, edge.to));
    let kind = edge.kind.as_str();
    let (d, arrow) = if route.self_loop {
        self_loop(&route.points)
    } else {
        curve(&route.points)
    };
    let dash = if edge.kind == EdgeKind::Catch {
        " stroke-dasharray=\"5 4\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<g class=\"transition\" data-from=\"{from}\" data-to=\"{to}\" data-kind=\"{kind}\">"
    );
    if let Some(title) = &edge.title {
        let _ = write!(out, "<title>{}</title>", xml(title));
    }
    let _ = write!(
        out,
        "<path class=\"edge\" data-from=\"{from}\" data-to=\"{to}\" data-kind=\"{kind}\" d=\"{d}\" \
         fill=\"none\" stroke=\"currentColor\"{dash}/><path class=\"arrow\" d=\"{arrow}\" fill=\"currentColor\"/>"
    );
    if let Some(label) = &edge.label {
        let width = label_width(label);
        let at = route.label_at;
        let _ = write!(
            out,
            "<g class=\"edge-label\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" rx=\"3\" fill=\"none\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"central\" font-size=\"{SMALL_FONT}\">{}</text></g>",
            number(at.x - width / 2.0),
            number(at.y - 8.0),
            number(width),
            number(at.x),
            number(at.y),
            xml(label),
        );
    }
    out.push_str("</g>\n");
}

/// Width of an edge label's background.
fn label_width(label: &str) -> f64 {
    layout::text_width(label, SMALL_FONT) + 8.0
}

/// The path through `points` (vertical tangents at every point, straight
/// where x does not change) and the arrowhead at its end.
fn curve(points: &[Point]) -> (String, String) {
    let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
        return (String::new(), String::new());
    };
    let before = points.len().checked_sub(2).map_or(first, |i| points[i]);
    let direction = if last.y >= before.y { 1.0 } else { -1.0 };
    let base = Point {
        x: last.x,
        y: last.y - direction * ARROW,
    };
    let mut d = format!("M{} {}", number(first.x), number(first.y));
    for (index, pair) in points.windows(2).enumerate() {
        let a = pair[0];
        let b = if index + 2 == points.len() {
            base
        } else {
            pair[1]
        };
        if (a.x - b.x).abs() < 0.05 {
            let _ = write!(d, " L{} {}", number(b.x), number(b.y));
        } else {
            let middle = (a.y + b.y) / 2.0;
            let _ = write!(
                d,
                " C{} {} {} {} {} {}",
                number(a.x),
                number(middle),
                number(b.x),
                number(middle),
                number(b.x),
                number(b.y)
            );
        }
    }
    let arrow = format!(
        "M{} {} L{} {} L{} {} Z",
        number(last.x),
        number(last.y),
        number(last.x - ARROW_HALF),
        number(base.y),
        number(last.x + ARROW_HALF),
        number(base.y)
    );
    (d, arrow)
}

/// A loop out of a box's right side and back into it, arrow pointing left.
fn self_loop(points: &[Point]) -> (String, String) {
    let (Some(&out_at), Some(&in_at)) = (points.first(), points.last()) else {
        return (String::new(), String::new());
    };
    let tip_base = in_at.x + ARROW;
    let d = format!(
        "M{} {} C{} {} {} {} {} {}",
        number(out_at.x),
        number(out_at.y),
        number(out_at.x + 36.0),
        number(out_at.y - 18.0),
        number(tip_base + 36.0),
        number(in_at.y + 18.0),
        number(tip_base),
        number(in_at.y)
    );
    let arrow = format!(
        "M{} {} L{} {} L{} {} Z",
        number(in_at.x),
        number(in_at.y),
        number(tip_base),
        number(in_at.y - ARROW_HALF),
        number(tip_base),
        number(in_at.y + ARROW_HALF)
    );
    (d, arrow)
}

/// A coordinate with at most one decimal, without `.0` or `-0`.
fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        return "0".to_owned();
    }
    let text = format!("{rounded:.1}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}
