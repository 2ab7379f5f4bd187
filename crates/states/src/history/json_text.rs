//! JSON text of payloads for the history, byte for byte what
//! `serde_json::to_string` writes, in about half its instructions.
//!
//! Every state writes its input and output into the history as JSON text
//! (as AWS does), so this is on the path of every transition: the profile
//! of the notification benchmark had serde_json's serialiser at 17% of the
//! run, most of it in `serialize_str` checking strings byte by byte for
//! characters to escape. Here strings are checked 16 bytes at a time and
//! copied whole when nothing needs escaping (the usual case), and the text
//! is written into one reused buffer, so a payload costs one allocation.

use std::cell::RefCell;
use std::fmt::Write as _;

use serde_json::Value;

use super::Text;

/// Chunk size of the escape scan; a multiple of 16 so the scan vectorises.
const SCAN_CHUNK: usize = 16;

/// Buffers larger than this are not kept between payloads.
const KEPT_BUFFER_BYTES: usize = 64 * 1024;

thread_local! {
    static BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The JSON text of `value`, as shared history text.
pub(crate) fn text(value: &Value) -> Text {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            write_value(&mut buffer, value);
            let text = Text::from(buffer.as_str());
            if buffer.capacity() > KEPT_BUFFER_BYTES {
                *buffer = String::new();
            }
            text
        }
        // Not reachable (nothing here re-enters), but never worth a panic.
        Err(_) => Text::from(string(value)),
    })
}

/// The JSON text of `value` as a new `String`.
pub(crate) fn string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Append the JSON text of `value` to `out`.
fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // serde_json's `Display` for numbers is its serialiser's text (itoa
        // for integers, shortest round-trip for floats); writing to a
        // `String` cannot fail.
        Value::Number(number) => {
            let _ = write!(out, "{number}");
        }
        Value::String(string) => write_str(out, string),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Whether JSON text must escape `byte` (as serde_json does: control
/// characters, `"` and `\`; DEL and non-ASCII are written as they are).
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Append `s` as a JSON string literal.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut chunk_start = 0;
    while chunk_start < bytes.len() {
        let chunk_end = (chunk_start + SCAN_CHUNK).min(bytes.len());
        let chunk = &bytes[chunk_start..chunk_end];
        // No early exit: the whole chunk is checked at once.
        if chunk.iter().fold(false, |any, &b| any | needs_escape(b)) {
            for (offset, &byte) in chunk.iter().enumerate() {
                if needs_escape(byte) {
                    let at = chunk_start + offset;
                    // `at` is an ASCII byte, so both slices end on char boundaries.
                    out.push_str(&s[start..at]);
                    push_escape(out, byte);
                    start = at + 1;
                }
            }
        }
        chunk_start = chunk_end;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Append the escape sequence serde_json writes for `byte`.
fn push_escape(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match byte {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\x08' => out.push_str("\\b"),
        b'\x0c' => out.push_str("\\f"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same_as_serde(value: &Value) {
        let expected = serde_json::to_string(value).unwrap_or_default();
        assert_eq!(string(value), expected, "{value:?}");
        assert_eq!(&*text(value), expected, "{value:?}");
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let every_byte: String = (0u8..=0x7f).map(char::from).collect();
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-17),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(0.1),
            json!(-2.5e-300),
            json!(1e21),
            json!(123_456_789.125),
            json!(""),
            json!(every_byte),
            json!("é ✓ 🚀 \u{7f} \u{2028}"),
            json!("exactly sixteen!"),
            json!("a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}"),
            json!("quote at the end of a long string, past one chunk\""),
            json!([]),
            json!({}),
            json!([1, "two", [3, {"four": 4.0}], null, {"a\"b": {"c": []}}]),
            json!({"z": 1, "a": {"y": [true, false], "b": "x"}, "\u{0}": "\u{0}"}),
        ];
        for value in &values {
            same_as_serde(value);
        }
    }

    #[test]
    fn large_payloads_are_written_whole_and_the_buffer_is_not_kept() {
        let big = json!({"items": vec!["x\"y"; 40_000]});
        same_as_serde(&big);
        same_as_serde(&json!({"after": "a big one"}));
        BUFFER.with(|cell| {
            assert!(cell.borrow().capacity() <= KEPT_BUFFER_BYTES);
        });
    }
}
