//! Input and output processing: `InputPath`, payload templates
//! (`Parameters`, `ResultSelector`, `ItemSelector`), `ResultPath`, `OutputPath`.

use serde_json::{Map, Value};

use super::env::Env;
use crate::definition::template::{Node, Template};
use crate::errors::{STATES_RESULT_PATH_MATCH_FAILURE, StatesError};
use crate::paths;

/// A path field's text (`InputPath`, `OutputPath`, `ResultPath`).
pub(super) fn path_text<'v>(field: &str, value: &'v Value) -> Result<&'v str, StatesError> {
    value.as_str().ok_or_else(|| {
        StatesError::runtime(format!("The {field} field must be a path string or null"))
    })
}

/// Read a path from the input, the context object (`$$.`) or a variable (`$name`).
pub(crate) fn read(path: &str, input: &Value, env: &Env<'_>) -> Result<Value, StatesError> {
    env.read(path, input)
}

/// `InputPath`: absent → the whole input, `null` → `{}`.
pub(crate) fn apply_input_path(
    field: Option<&Value>,
    input: &Value,
    env: &Env<'_>,
) -> Result<Value, StatesError> {
    match field {
        None => Ok(input.clone()),
        Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(path) => read(path_text("InputPath", path)?, input, env),
    }
}

/// `OutputPath`: absent → the whole output, `null` → `{}`.
pub(crate) fn apply_output_path(
    field: Option<&Value>,
    output: Value,
    env: &Env<'_>,
) -> Result<Value, StatesError> {
    match field {
        None => Ok(output),
        Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(path) => read(path_text("OutputPath", path)?, &output, env),
    }
}

/// `ResultPath`: absent → the result replaces the input, `null` → the
/// input passes through unchanged, a path → the result is written there.
pub(crate) fn apply_result_path(
    field: Option<&Value>,
    input: Value,
    result: Value,
) -> Result<Value, StatesError> {
    match field {
        None => Ok(result),
        Some(Value::Null) => Ok(input),
        Some(path) => {
            let path = path_text("ResultPath", path)?;
            // The input is shown only when the path cannot be written.
            paths::try_set(input, path, result).map_err(|input| result_path_failure(path, input))
        }
    }
}

/// AWS's error for a `ResultPath` that cannot be written into `input`
/// (the input is shown only then).
pub(super) fn result_path_failure(path: &str, input: impl std::fmt::Display) -> StatesError {
    StatesError::prefixed(
        STATES_RESULT_PATH_MATCH_FAILURE,
        format!("Unable to apply ResultPath '{path}' to input '{input}'"),
    )
}

/// `Assign`: evaluate the template against `source` (the state's result,
/// or its input for Choice and Wait) into the variables to set.
pub(crate) fn assign(
    template: Option<&Template>,
    source: &Value,
    env: &Env<'_>,
) -> Result<Option<Map<String, Value>>, StatesError> {
    let Some(template) = template else {
        return Ok(None);
    };
    match payload_template(template, source, env)? {
        Value::Object(map) => Ok(Some(map)),
        other => Err(StatesError::runtime(format!(
            "Assign must be an object, but was {other}"
        ))),
    }
}

/// Evaluate a payload template: keys ending in `.$` take their value from a
/// path, a context path or an intrinsic function; other values are copied.
pub(crate) fn payload_template(
    template: &Template,
    input: &Value,
    env: &Env<'_>,
) -> Result<Value, StatesError> {
    evaluate(template.compiled(), input, env)
}

fn evaluate(node: &Node, input: &Value, env: &Env<'_>) -> Result<Value, StatesError> {
    match node {
        Node::Object(fields, shape) => match shape.output() {
            Some(mut out) => {
                for (slot, (_, node)) in out.values_mut().zip(fields) {
                    *slot = evaluate(node, input, env)?;
                }
                Ok(Value::Object(out))
            }
            None => {
                let mut out = Map::with_capacity(fields.len());
                for (name, node) in fields {
                    out.insert(name.clone(), evaluate(node, input, env)?);
                }
                Ok(Value::Object(out))
            }
        },
        Node::Array(items) => items
            .iter()
            .map(|item| evaluate(item, input, env))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Node::Literal { value, .. } => Ok(value.clone()),
        Node::InputPath {
            key,
            expression,
            path,
        } => paths::select_parsed(expression, path, input)
            .map_err(|_| not_found(expression, key, input)),
        Node::Dynamic { key, value } => dynamic_value(key, value, input, env),
    }
}

/// Evaluate an intrinsic function whose path arguments read `input` / `$$`.
pub(crate) fn intrinsic(
    expression: &str,
    input: &Value,
    env: &Env<'_>,
) -> Result<Value, StatesError> {
    crate::intrinsics::evaluate(expression, &|path: &str| read(path, input, env))
}

pub(super) fn dynamic_value(
    key: &str,
    value: &Value,
    input: &Value,
    env: &Env<'_>,
) -> Result<Value, StatesError> {
    let Some(expression) = value.as_str() else {
        return Err(StatesError::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath but was {value}"
        )));
    };
    if expression.starts_with("States.") {
        return intrinsic(expression, input, env);
    }
    env.read(expression, input).map_err(|_| {
        let source = if expression.starts_with("$$") {
            env.context.get()
        } else {
            input
        };
        not_found(expression, key, source)
    })
}

/// AWS's error for a `key.$` path that finds nothing in `source`.
pub(super) fn not_found(
    expression: &str,
    key: &str,
    source: impl std::fmt::Display,
) -> StatesError {
    StatesError::runtime(format!(
        "The JSONPath '{expression}' specified for the field '{key}' could not be found in the input '{source}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::context::LazyContext;
    use crate::executor::env::Variables;

    fn env_with<'a>(context: &'a LazyContext<'a>, variables: &'a Variables) -> Env<'a> {
        Env { context, variables }
    }

    #[test]
    fn payload_template_resolves_paths_context_and_nesting() -> Result<(), StatesError> {
        let input = json!({"a": 1, "b": {"c": [1, 2]}});
        let context = json!({"State": {"Name": "S"}});
        let template = json!({"x.$": "$.a", "n": {"y.$": "$.b.c[1]", "lit": "$.a"}, "s.$": "$$.State.Name", "l": [{"z.$": "$.a"}]});
        assert_eq!(
            payload_template(
                &Template::new(template),
                &input,
                &env_with(&LazyContext::ready(context.clone()), &Variables::new())
            )?,
            json!({"x": 1, "n": {"y": 2, "lit": "$.a"}, "s": "S", "l": [{"z": 1}]})
        );
        Ok(())
    }

    #[test]
    fn a_key_written_twice_keeps_its_first_place_and_its_last_value() -> Result<(), StatesError> {
        // `a` and `a.$` name one output key: no prebuilt shape, inserted in order.
        let template = json!({"a": 1, "b": 2, "a.$": "$.x"});
        let out = payload_template(
            &Template::new(template),
            &json!({"x": "from input"}),
            &env_with(&LazyContext::ready(json!({})), &Variables::new()),
        )?;
        assert_eq!(out, json!({"a": "from input", "b": 2}));
        let keys: Vec<&String> = out
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["a", "b"]);
        Ok(())
    }

    #[test]
    fn payload_template_missing_path_is_a_runtime_error() {
        let err = payload_template(
            &Template::new(json!({"x.$": "$.missing"})),
            &json!({}),
            &env_with(&LazyContext::ready(json!({})), &Variables::new()),
        );
        assert!(matches!(err, Err(e) if e.error == "States.Runtime"));
    }

    #[test]
    fn null_paths_have_their_special_meanings() -> Result<(), StatesError> {
        let input = json!({"a": 1});
        assert_eq!(
            apply_input_path(
                Some(&Value::Null),
                &input,
                &env_with(&LazyContext::ready(json!({})), &Variables::new())
            )?,
            json!({})
        );
        assert_eq!(
            apply_result_path(Some(&Value::Null), input.clone(), json!(5))?,
            input
        );
        assert_eq!(apply_result_path(None, input.clone(), json!(5))?, json!(5));
        assert_eq!(
            apply_output_path(
                Some(&Value::Null),
                input,
                &env_with(&LazyContext::ready(json!({})), &Variables::new())
            )?,
            json!({})
        );
        Ok(())
    }

    #[test]
    fn result_path_into_a_non_object_fails_with_match_failure() {
        let err = apply_result_path(Some(&json!("$.x")), json!("text"), json!(1));
        assert!(matches!(err, Err(e) if e.error == STATES_RESULT_PATH_MATCH_FAILURE));
    }
}
