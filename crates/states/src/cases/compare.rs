//! How a case's result is compared with the recording (corpus README,
//! "Compare"): objects key by key regardless of order, numbers by value.

use serde_json::Value;

/// Whether two JSON values are equal for the corpus: objects compare key by
/// key regardless of key order, numbers by numeric value (`1` = `1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Longest text a [`crate::cases::Difference`] keeps of one side.
pub const MAX_DIFF_TEXT: usize = 160;

/// `text` cut to [`MAX_DIFF_TEXT`] characters, with `…` when cut.
pub(crate) fn short(text: &str) -> String {
    if text.chars().count() <= MAX_DIFF_TEXT {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_DIFF_TEXT).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_and_objects_ignore_key_order() {
        assert!(json_equal(
            &json!({"a": 1, "b": 2.0}),
            &json!({"b": 2, "a": 1.0})
        ));
        assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn long_texts_are_cut() {
        assert_eq!(short("abc"), "abc");
        assert_eq!(short(&"x".repeat(500)).chars().count(), MAX_DIFF_TEXT + 1);
    }
}
