//! The parsed graph: states, transitions and nested branches, in document order.

/// One `States` object (the machine itself, a Parallel branch or a Map item
/// processor): its states and the transitions between them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scope {
    /// The states in document order.
    pub(crate) nodes: Vec<Node>,
    /// The transitions in document order (per state: Choices, Default, Next, Catch).
    pub(crate) edges: Vec<Edge>,
    /// Index of the `StartAt` state in `nodes`.
    pub(crate) start: usize,
    /// Whether the scope is drawn with Start and End terminals (only the top level is).
    pub(crate) terminals: bool,
}

/// One state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The state's name (its key in `States`).
    pub(crate) name: String,
    /// The state's `Type`.
    pub(crate) kind: String,
    /// The state's `Comment`, if any.
    pub(crate) comment: Option<String>,
    /// One line per retrier: its `ErrorEquals`, attempts and interval.
    pub(crate) retries: Vec<String>,
    /// Parallel branches or the Map item processor, drawn inside the state's box.
    pub(crate) branches: Vec<Branch>,
}

/// A nested `States` drawn inside its Parallel or Map state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Branch {
    /// "Branch 1", "Item processor", …
    pub(crate) label: String,
    /// The branch's own states.
    pub(crate) scope: Scope,
}

/// An end of a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Endpoint {
    /// The Start terminal.
    Start,
    /// A state, by index in its scope's `nodes`.
    State(usize),
    /// The End terminal.
    End,
}

/// What kind of transition an edge is; it decides the line style and the `data-kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    /// From the Start terminal to `StartAt`.
    Start,
    /// `Next`.
    Next,
    /// A Choice rule's `Next`.
    Choice,
    /// A Choice state's `Default`.
    Default,
    /// A `Catch` clause's `Next`.
    Catch,
    /// `End: true`, Succeed or Fail to the End terminal.
    End,
}

impl EdgeKind {
    /// The name used in CSS classes and `data-kind`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Start => "start",
            EdgeKind::Next => "next",
            EdgeKind::Choice => "choice",
            EdgeKind::Default => "default",
            EdgeKind::Catch => "catch",
            EdgeKind::End => "end",
        }
    }
}

/// One transition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Edge {
    /// Where it leaves.
    pub(crate) from: Endpoint,
    /// Where it arrives.
    pub(crate) to: Endpoint,
    /// Which field it comes from.
    pub(crate) kind: EdgeKind,
    /// A short label drawn on the edge (a Catch's errors, a Choice rule).
    pub(crate) label: Option<String>,
    /// The full text behind a shortened label (tooltip).
    pub(crate) title: Option<String>,
}
