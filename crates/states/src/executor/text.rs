//! A state's output text written from texts the history already holds,
//! instead of serialising the whole output again.

use serde_json::Value;

use crate::history::{self, Text};

/// The JSON text of `output`, which is the object whose text is
/// `input_text` (with `fields_before` fields) plus a new field, whose text
/// up to its value is `field_prefix` (`"name":`, from a `ResultPath` that
/// names one top-level field), with the value whose text is `result_text`.
///
/// serde_json (with `preserve_order`) appends a new field at the end, so
/// the text is the input's without its closing brace, the field, and the
/// brace: exactly what serialising `output` writes. `None` when that does
/// not hold (another path, a field that was already there, not an object).
pub(crate) fn with_new_field(
    input_text: &str,
    fields_before: Option<usize>,
    field_prefix: Option<&str>,
    result_text: &str,
    output: &Value,
) -> Option<Text> {
    let before = fields_before?;
    let field_prefix = field_prefix?;
    let added = output.as_object()?.len() == before + 1;
    let open = input_text.strip_suffix('}')?;
    if !added {
        return None;
    }
    let comma = if before > 0 { "," } else { "" };
    Some(history::text_of_parts(&[
        open,
        comma,
        field_prefix,
        result_text,
        "}",
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::result_path::ResultTarget;
    use crate::history::payload;
    use crate::paths;
    use serde_json::json;

    #[test]
    fn the_spliced_text_is_what_serialising_writes() {
        let inputs = [
            json!({}),
            json!({"a": 1, "b": "x\"y"}),
            json!({"message": {"n": 1}, "z": [1, 2.5, null]}),
            json!([1, 2]),
            json!("text"),
        ];
        let paths = [
            "$.message",
            "$.b",
            "$.new",
            "$.a.b",
            "$['q']",
            "$",
            "$.x[0]",
        ];
        let result = json!({"k": "v\n", "n": -0.5});
        let mut spliced_count = 0;
        for input in &inputs {
            for path in paths {
                let before = input.as_object().map(serde_json::Map::len);
                let Ok(output) = paths::try_set(input.clone(), path, result.clone()) else {
                    continue;
                };
                let prefix = ResultTarget::new(path).field_prefix;
                let spliced = with_new_field(
                    &payload(input),
                    before,
                    prefix.as_deref(),
                    &payload(&result),
                    &output,
                );
                if let Some(text) = spliced {
                    assert_eq!(&*text, payload(&output), "{path} on {input}");
                    spliced_count += 1;
                }
            }
        }
        // Each one-field path into each of the three objects that lacks
        // that field: `$.message` 2, `$.b` 2, `$.new` 3, `$['q']` 3.
        assert_eq!(spliced_count, 10);
        let prefix = Some("\"new\":");
        let spliced = with_new_field("{}", Some(0), prefix, "1", &json!({"new": 1}));
        assert_eq!(spliced.as_deref(), Some("{\"new\":1}"));
        assert_eq!(
            with_new_field("{\"a\":1}", Some(1), Some("\"a\":"), "2", &json!({"a": 2})),
            None
        );
    }
}
