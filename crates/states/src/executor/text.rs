//! A state's output text written from texts the history already holds,
//! instead of serialising the whole output again.

use serde_json::Value;

use crate::history::Text;

/// The JSON text of `output`, which is the object whose text is
/// `input_text` (with `fields_before` fields) plus the field `path` names
/// (a `ResultPath` of the form `$.name`), newly added with the value whose
/// text is `result_text`.
///
/// serde_json (with `preserve_order`) appends a new field at the end, so
/// the text is the input's without its closing brace, the field, and the
/// brace: exactly what serialising `output` writes. `None` when that does
/// not hold (another path, a field that was already there, not an object).
pub(crate) fn with_new_field(
    input_text: &str,
    fields_before: Option<usize>,
    path: &str,
    result_text: &str,
    output: &Value,
) -> Option<Text> {
    let before = fields_before?;
    let key = top_level_key(path)?;
    let added = output.as_object()?.len() == before + 1;
    let open = input_text.strip_suffix('}')?;
    if !added {
        return None;
    }
    let key_text = serde_json::to_string(key).ok()?;
    let mut text = String::with_capacity(input_text.len() + key_text.len() + result_text.len() + 2);
    text.push_str(open);
    if before > 0 {
        text.push(',');
    }
    text.push_str(&key_text);
    text.push(':');
    text.push_str(result_text);
    text.push('}');
    Some(text.into())
}

/// The field name of a path `$.name` that `paths` reads as one name
/// segment; `None` for any other path.
fn top_level_key(path: &str) -> Option<&str> {
    let name = path.strip_prefix("$.")?;
    let plain = !name.is_empty()
        && name != "*"
        && !name.contains(['.', '[', '?', '(', ')', '\'', '"', ']', ' ']);
    plain.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
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
        for input in &inputs {
            for path in paths {
                let before = input.as_object().map(serde_json::Map::len);
                let Ok(output) = paths::try_set(input.clone(), path, result.clone()) else {
                    continue;
                };
                let spliced =
                    with_new_field(&payload(input), before, path, &payload(&result), &output);
                if let Some(text) = spliced {
                    assert_eq!(&*text, payload(&output), "{path} on {input}");
                }
            }
        }
        let spliced = with_new_field("{}", Some(0), "$.new", "1", &json!({"new": 1}));
        assert_eq!(spliced.as_deref(), Some("{\"new\":1}"));
        assert_eq!(
            with_new_field("{\"a\":1}", Some(1), "$.a", "2", &json!({"a": 2})),
            None
        );
    }
}
