//! What a layout yields: points and boxes in SVG user units, and per scope
//! where each state, terminal, nested branch and edge goes: plain data that
//! the layout steps fill in and the SVG reads.

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
    /// The branch's states, drawn at `rect` moved down by [`BRANCH_TITLE`](super::metrics::BRANCH_TITLE).
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
