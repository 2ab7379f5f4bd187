//! JSON text of payloads for the history, byte for byte what
//! `serde_json::to_string` writes, in about half its instructions.
//!
//! Every state writes its input and output into the history as JSON text
//! (as AWS does), so this is on the path of every transition: the profile
//! of the notification benchmark had serde_json's serialiser at 17% of the
//! run, most of it in `serialize_str` checking strings byte by byte for
//! characters to escape. Here strings are checked 8 bytes at a time (one
//! word test) and copied whole when nothing needs escaping (the usual case), and the text
//! is written into one reused buffer, so a payload costs one allocation.

use std::cell::RefCell;
use std::fmt::Write as _;

use serde_json::Value;

use crate::value::Json;

/// A payload as JSON text, shared by the events that show it (a state's
/// output is the next state's input). `triomphe`'s `Arc` has no weak
/// count, so dropping the last reference is one atomic instruction, not two.
pub(crate) type Text = triomphe::Arc<str>;

/// The JSON text of an arena value as shared history [`Text`].
pub(crate) fn of_value(value: Json<'_>) -> Text {
    text_with(|out| value.write_text(out))
}

/// Buffers larger than this are not kept between payloads.
const KEPT_BUFFER_BYTES: usize = 64 * 1024;

thread_local! {
    static BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
}

/// What `write` appends to an empty buffer, as shared history text; the
/// buffer is this thread's reused one.
pub(crate) fn text_with(write: impl FnOnce(&mut String)) -> Text {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            write(&mut buffer);
            let text = Text::from(buffer.as_str());
            if buffer.capacity() > KEPT_BUFFER_BYTES {
                *buffer = String::new();
            }
            text
        }
        // Only when `write` itself makes history text: then it gets a buffer of its own.
        Err(_) => {
            let mut own = String::new();
            write(&mut own);
            Text::from(own)
        }
    })
}

/// The JSON text of `value` as a new `String`.
pub(crate) fn string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Append the JSON text of `value` to `out`.
pub(super) fn write_value(out: &mut String, value: &Value) {
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
/// characters, `"` and `\\`; DEL and non-ASCII are written as they are).
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// `byte` in every byte of a word.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// Whether any of the 8 bytes of `word` needs escaping, checked at once
/// (the classic "has a zero byte" test, on `word` itself for bytes below
/// 0x20 and on `word` xor `"` / `\\` for those two).
fn word_needs_escape(word: u64) -> bool {
    const LOW: u64 = splat(0x01);
    const HIGH: u64 = splat(0x80);
    let below_space = word.wrapping_sub(splat(0x20)) & !word;
    let quote = word ^ splat(b'"');
    let quote = quote.wrapping_sub(LOW) & !quote;
    let backslash = word ^ splat(b'\\');
    let backslash = backslash.wrapping_sub(LOW) & !backslash;
    (below_space | quote | backslash) & HIGH != 0
}

/// Append `s` as a JSON string literal.
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    if is_clean(s.as_bytes()) {
        out.push_str(s);
    } else {
        write_escaped(out, s);
    }
    out.push('"');
}

/// The length of `s`'s body once escaped (without the quotes).
pub(crate) fn escaped_len(s: &str) -> usize {
    if is_clean(s.as_bytes()) {
        return s.len();
    }
    s.bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\x08' | b'\x0c' | b'\n' | b'\r' | b'\t' => 2,
            _ if needs_escape(byte) => 6,
            _ => 1,
        })
        .sum()
}

/// Whether no byte of `bytes` needs escaping, checked a word at a time.
/// The last word is read overlapping the one before it (a byte checked
/// twice is still the same byte), so no partial word is copied out.
fn is_clean(bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len >= 8 {
        let mut words = bytes.chunks_exact(8);
        let whole = words.all(|chunk| !word_needs_escape(word_at(chunk, 0)));
        return whole && !word_needs_escape(word_at(bytes, len - 8));
    }
    if len >= 4 {
        // Two 4-byte halves, overlapping when `len` < 8.
        let low = u64::from(half_at(bytes, 0));
        let high = u64::from(half_at(bytes, len - 4));
        return !word_needs_escape(low | (high << 32));
    }
    !bytes.iter().any(|&byte| needs_escape(byte))
}

/// The 8 bytes of `bytes` from `at` as a word (`at + 8` ≤ `bytes.len()`).
fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    if let Some(chunk) = bytes.get(at..at + 8) {
        word.copy_from_slice(chunk);
    }
    u64::from_ne_bytes(word)
}

/// The 4 bytes of `bytes` from `at` (`at + 4` ≤ `bytes.len()`).
fn half_at(bytes: &[u8], at: usize) -> u32 {
    let mut half = [0u8; 4];
    if let Some(chunk) = bytes.get(at..at + 4) {
        half.copy_from_slice(chunk);
    }
    u32::from_ne_bytes(half)
}

/// Append the body of `s` with the bytes that need it escaped.
fn write_escaped(out: &mut String, s: &str) {
    let mut start = 0;
    for (at, &byte) in s.as_bytes().iter().enumerate() {
        if needs_escape(byte) {
            // `at` is an ASCII byte, so both slices end on char boundaries.
            out.push_str(&s[start..at]);
            push_escape(out, byte);
            start = at + 1;
        }
    }
    out.push_str(&s[start..]);
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
        let text = text_with(|out| write_value(out, value));
        assert_eq!(&*text, expected, "{value:?}");
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
    fn every_length_and_position_of_an_escaped_byte_matches_serde_json() {
        // Each byte that needs escaping, the bytes around the thresholds
        // and non-ASCII, at every position of strings up to three words long.
        let specials = [
            '"', '\\', '\u{0}', '\u{1f}', '\n', ' ', '!', '#', '[', ']', '\u{7f}', 'é', '🚀',
        ];
        for length in 0..=24 {
            same_as_serde(&json!("x".repeat(length)));
            for at in 0..length {
                for special in specials {
                    let text: String = (0..length)
                        .map(|i| if i == at { special } else { 'x' })
                        .collect();
                    same_as_serde(&json!(text));
                }
            }
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
