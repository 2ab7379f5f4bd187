//! Amazon States Language definitions drawn as graphs: Graphviz DOT, and a
//! standalone SVG with its own layered layout (no Graphviz needed).
//!
//! The console colours an execution's path on the SVG; the CLI prints either
//! form (`rez-agent statemachine graph FILE`).
//!
//! ```
//! use rez_graph::StateGraph;
//!
//! let definition = serde_json::json!({
//!     "StartAt": "Hello",
//!     "States": {"Hello": {"Type": "Pass", "End": true}}
//! });
//! let graph = StateGraph::from_definition(&definition)?;
//! assert!(graph.to_svg().contains(r#"<g class="state" data-state="Hello" data-type="Pass""#));
//! assert!(graph.to_dot().starts_with("digraph"));
//! # Ok::<(), rez_graph::GraphError>(())
//! ```
//!
//! # What the SVG contains
//!
//! - `<svg class="rez-graph">` with a `<style>` scoped to `.rez-graph`, drawn
//!   in `currentColor` and the system colours `Canvas`/`CanvasText`, so a page's
//!   light or dark scheme applies; a page's own CSS overrides it.
//! - Per state, `<g class="state" data-state="{Name}" data-type="{Type}">`
//!   (plus `data-retry="{n}"` and a ↻ badge when it has `Retry`) holding a
//!   `rect.box`, `text.name`, `text.type` and a `<title>` tooltip.
//! - Per transition, `<g class="transition">` holding
//!   `<path class="edge" data-from=".." data-to=".." data-kind="..">`,
//!   a `path.arrow` and, for Choice rules and Catch clauses, a
//!   `g.edge-label`. `data-kind` is `start`, `next`, `choice`, `default`,
//!   `catch` (dashed, labelled with its `ErrorEquals`) or `end`. The Start and
//!   End terminals (`<g class="terminal" data-terminal="start|end">`) are
//!   named by the empty string in `data-from`/`data-to`.
//! - Parallel and Map states are one box holding their branches (`g.branch`,
//!   a dashed frame titled "Branch n" or "Item processor") with each branch's
//!   sub-graph laid out inside; branches have no terminals of their own.
//!
//! The layout is deterministic: rows by longest path from `StartAt` (loops are
//! drawn upwards), barycentre ordering within rows, positions as close to the
//! neighbours' as the order allows.
//!
//! | module | holds |
//! |---|---|
//! | [`lib.rs`](self) | [`StateGraph`] |
//! | `error.rs` | [`GraphError`] |
//! | `model.rs`, `parse.rs` | states, transitions, nested scopes, from JSON |
//! | `choice.rs` | edge labels and tooltips (Choice rules, Catch, Retry) |
//! | `layout/` | the layered layout |
//! | `svg.rs`, `dot.rs`, `escape.rs` | the two outputs and their escaping |

mod choice;
mod dot;
mod error;
mod escape;
mod layout;
mod model;
mod parse;
mod svg;

pub use crate::error::GraphError;

/// A state machine definition as a graph of states and transitions, ready to
/// be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct StateGraph {
    top: model::Scope,
}

impl StateGraph {
    /// Reads `StartAt` and `States` (recursively through Parallel `Branches`
    /// and Map `ItemProcessor`/`Iterator`) from an ASL definition.
    ///
    /// # Errors
    ///
    /// [`GraphError`] if the definition or a state is not an object, a
    /// required field is missing or mistyped, a `StartAt`/`Next`/`Default`
    /// names no state in its scope, a `Type` is unknown, or a state that must
    /// transition has neither `Next` nor `End`.
    pub fn from_definition(definition: &serde_json::Value) -> Result<StateGraph, GraphError> {
        Ok(StateGraph {
            top: parse::definition(definition)?,
        })
    }

    /// The graph in Graphviz DOT (`dot -Tsvg` draws it).
    pub fn to_dot(&self) -> String {
        dot::render(&self.top)
    }

    /// The graph as a standalone SVG document, laid out top to bottom.
    pub fn to_svg(&self) -> String {
        svg::render(&self.top)
    }
}
