//! The engine's own JSON values: an [`Arena`] of immutable nodes that one
//! execution owns, and [`Json`], a borrowed view of one value in it.
//!
//! The run loop copies and reshapes payloads at every state (`Parameters`,
//! `ResultSelector`, `ResultPath`, the history's inputs and outputs). With
//! `serde_json::Value` each of those is a deep copy: a new `String` per key,
//! a hash table per object, and a drop at the end. In an arena a value is a
//! [`NodeId`] (a `u32`), nodes never change, and an update writes a new top
//! level that shares the old children, so sharing a value or keeping it for
//! the history is copying an index. `bench/experiments/value-model/` measured
//! the notification's data work at about a tenth of the time this way, and
//! moving the run loop onto it took the engine from 29.9k to 17.3k
//! instructions per notification execution (`docs/value-model.md`).
//!
//! * Objects keep their keys in insertion order, as the engine's
//!   `serde_json` (built with `preserve_order`) does, and a key given twice
//!   keeps its first position and its last value, as serde_json's parser
//!   does. Keys from a definition are [`Key::Static`] (interned names cost
//!   no copy); keys read from input are arena text.
//! * Numbers are [`Number`]s with serde_json's three forms, so text written
//!   from an arena is byte for byte the text serde_json writes.
//! * An arena only grows until [`Arena::clear`]. It counts the bytes it
//!   holds against a limit ([`Arena::with_limit`]); past it,
//!   [`Arena::check_limit`] reports [`LimitExceeded`] and the run loop can
//!   fail the execution instead of growing without end.

mod arena;
mod build;
mod document;
mod in_place;
mod number;
mod serde_impls;
mod spare;
mod text;
mod view;

pub use arena::{Arena, DEFAULT_LIMIT_BYTES, Key, LimitExceeded, NodeId};
pub use build::{ArrayMark, ObjectMark};
pub use document::Document;
pub use number::Number;
pub use view::{Json, Kind};

#[cfg(test)]
mod tests;
