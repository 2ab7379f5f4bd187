//! JSON text of arena values, byte for byte what `serde_json::to_string`
//! writes for the same value (the history shows AWS's compact text).

use std::fmt::Write as _;

use super::arena::Node;
use super::view::Json;
use crate::history::json_text::{escaped_len, write_str};

impl Json<'_> {
    /// Append the value's JSON text to `out`.
    pub fn write_text(self, out: &mut String) {
        let arena = self.arena();
        match arena.node(self.id()) {
            Node::Null => out.push_str("null"),
            Node::Bool(true) => out.push_str("true"),
            Node::Bool(false) => out.push_str("false"),
            // Writing to a `String` cannot fail.
            Node::Number(number) => {
                let _ = write!(out, "{number}");
            }
            Node::String(span) => write_str(out, arena.text_of(span)),
            Node::Array(_) => {
                out.push('[');
                for (at, item) in self.items().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    item.write_text(out);
                }
                out.push(']');
            }
            Node::Object(_) => {
                out.push('{');
                for (at, (key, value)) in self.fields().enumerate() {
                    if at > 0 {
                        out.push(',');
                    }
                    write_str(out, key);
                    out.push(':');
                    value.write_text(out);
                }
                out.push('}');
            }
        }
    }

    /// Whether the value's JSON text is longer than `limit` bytes. A bound
    /// kept with each node answers at once for most values; only a value
    /// whose bound passes the limit has its text's length counted.
    pub fn text_longer_than(self, limit: usize) -> bool {
        let bound = self.arena().bound_of(self.id()) as usize;
        bound > limit && self.text_len() > limit
    }

    /// The length in bytes of the value's JSON text, counted without
    /// writing it (saturating at `usize::MAX`).
    pub fn text_len(self) -> usize {
        let arena = self.arena();
        match arena.node(self.id()) {
            Node::Null | Node::Bool(true) => 4,
            Node::Bool(false) => 5,
            Node::Number(number) => {
                let mut counter = Counter(0);
                let _ = write!(counter, "{number}");
                counter.0
            }
            Node::String(span) => 2 + escaped_len(arena.text_of(span)),
            Node::Array(_) => self.items().fold(1 + self.len().max(1), |total, item| {
                total.saturating_add(item.text_len())
            }),
            Node::Object(_) => {
                self.fields()
                    .fold(1 + self.len().max(1), |total, (key, value)| {
                        // `"key":` and the value.
                        total
                            .saturating_add(3 + escaped_len(key))
                            .saturating_add(value.text_len())
                    })
            }
        }
    }

    /// The value's JSON text as a new `String`.
    pub fn to_text(self) -> String {
        let mut out = String::new();
        self.write_text(&mut out);
        out
    }
}

/// Counts the bytes written to it.
struct Counter(usize);

impl std::fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}
