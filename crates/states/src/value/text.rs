//! JSON text of arena values, byte for byte what `serde_json::to_string`
//! writes for the same value (the history shows AWS's compact text).

use std::fmt::Write as _;

use super::arena::Node;
use super::view::Json;
use crate::history::json_text::write_str;

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

    /// The value's JSON text as a new `String`.
    pub fn to_text(self) -> String {
        let mut out = String::new();
        self.write_text(&mut out);
        out
    }
}
