//! Every `{% %}` expression of a definition, parsed once when the
//! definition is loaded, so evaluating one is a table lookup and a walk of
//! its tree instead of tokenising and parsing its text again.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::parser::{Node, parse};
use crate::fnv::FnvBuild;

/// The expression inside a `{% ... %}` string, if `value` is one.
pub(crate) fn expression_text(value: &Value) -> Option<&str> {
    value
        .as_str()?
        .strip_prefix("{%")?
        .strip_suffix("%}")
        .map(str::trim)
}

/// The parsed expressions of one definition (nested machines included),
/// found by their text. An expression that does not parse is left out: it
/// is parsed again when it runs, and fails then with the parser's message.
///
/// Every evaluation looks its text up, so the table is keyed by a
/// fingerprint read in a few loads (length, first and last eight bytes)
/// rather than a hash of every byte; texts with the same fingerprint share
/// a bucket and are told apart by comparing them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expressions {
    parsed: HashMap<u64, Bucket, FnvBuild>,
}

/// The texts that share one fingerprint, each with its tree.
type Bucket = Vec<(Box<str>, Arc<Node>)>;

/// The fingerprint of an expression's text.
fn fingerprint(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let word = |part: &[u8]| {
        let mut buffer = [0u8; 8];
        let n = part.len().min(8);
        buffer[..n].copy_from_slice(&part[..n]);
        u64::from_le_bytes(buffer)
    };
    let head = word(bytes);
    let tail = word(&bytes[bytes.len().saturating_sub(8)..]);
    (bytes.len() as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(17)
        ^ head
        ^ tail.rotate_left(32)
}

impl Expressions {
    /// Parse every `{% %}` string anywhere in `definition`.
    pub(crate) fn collect(definition: &Value) -> Self {
        let mut expressions = Expressions::default();
        expressions.add(definition);
        expressions
    }

    fn add(&mut self, value: &Value) {
        match value {
            Value::String(_) => {
                if let Some(text) = expression_text(value)
                    && self.get(text).is_none()
                    && let Ok(node) = parse(text)
                {
                    let bucket = self.parsed.entry(fingerprint(text)).or_default();
                    bucket.push((text.into(), Arc::new(node)));
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.add(item)),
            Value::Object(map) => map.values().for_each(|item| self.add(item)),
            _ => {}
        }
    }

    /// The tree of `text` (the expression inside `{% %}`), if the
    /// definition has it.
    pub(crate) fn get(&self, text: &str) -> Option<&Node> {
        let bucket = self.parsed.get(&fingerprint(text))?;
        bucket
            .iter()
            .find(|(known, _)| known.as_ref() == text)
            .map(|(_, node)| node.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_with_one_fingerprint_are_told_apart() -> Result<(), String> {
        // Same length, same first and last eight bytes.
        let (a, b) = (
            "$states.input.a1 + $states.input.a1",
            "$states.input.a1 - $states.input.a1",
        );
        assert_eq!(fingerprint(a), fingerprint(b));
        let definition = json!([format!("{{% {a} %}}"), format!("{{% {b} %}}")]);
        let expressions = Expressions::collect(&definition);
        let (Some(plus), Some(minus)) = (expressions.get(a), expressions.get(b)) else {
            return Err("both expressions are parsed".into());
        };
        assert_eq!(plus, &parse(a)?);
        assert_eq!(minus, &parse(b)?);
        assert!(
            expressions
                .get("$states.input.a1 * $states.input.a1")
                .is_none()
        );
        assert!(expressions.get("").is_none());
        Ok(())
    }
}
