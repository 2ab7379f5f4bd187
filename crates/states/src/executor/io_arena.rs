//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`,
//! `Assign`) evaluated into an execution's [`Arena`]: [`super::io`]'s
//! [`payload_template`](super::io::payload_template) on the engine's own
//! values. Paths into the state input are read without copying, keys come
//! from the compiled template's interned text, and literal values are
//! copied in. Context paths, variables and intrinsic functions work on
//! `serde_json::Value` and convert at their edge (`docs/value-model.md`). Also `InputPath`, `OutputPath`,
//! `ResultPath` and `Assign` on the arena, for Pass, Task and Choice.
//!
//! The tests below check the templates against [`super::io`] on the same
//! templates and inputs (results and error texts).

use serde_json::{Map, Value};

use super::env::Env;
use super::io::{self, path_text};
use crate::definition::ResultFields;
use crate::definition::result_path::ResultTarget;
use crate::definition::template::{Node, Template};
use crate::errors::StatesError;
use crate::paths;
use crate::value::{Arena, NodeId};

/// Read a path from the input (`$…`, without copying), the context object
/// (`$$.…`) or a variable (`$name…`).
pub(crate) fn read(
    arena: &mut Arena,
    path: &str,
    input: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    if crate::definition::template::reads_input(path) {
        let parsed = paths::parsed(path);
        return paths::arena::select(arena, path, &parsed, input)
            .map_err(|e| StatesError::runtime(e.message));
    }
    // `$$…` and `$name…` never read the input.
    let found = env.read(path, &Value::Null)?;
    Ok(arena.import(&found))
}

/// `InputPath`: absent → the whole input, `null` → `{}`.
pub(crate) fn apply_input_path(
    arena: &mut Arena,
    field: Option<&Value>,
    input: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    match field {
        None => Ok(input),
        Some(Value::Null) => Ok(NodeId::EMPTY_OBJECT),
        Some(path) => read(arena, path_text("InputPath", path)?, input, env),
    }
}

/// `OutputPath`: absent → the whole output, `null` → `{}`.
pub(crate) fn apply_output_path(
    arena: &mut Arena,
    field: Option<&Value>,
    output: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    match field {
        None => Ok(output),
        Some(Value::Null) => Ok(NodeId::EMPTY_OBJECT),
        Some(path) => read(arena, path_text("OutputPath", path)?, output, env),
    }
}

/// `ResultPath`: absent → the result replaces the input, `null` → the
/// input passes through unchanged, a path → the result is written there
/// (into a new value: `input` does not change).
pub(crate) fn apply_result_path(
    arena: &mut Arena,
    field: Option<&Value>,
    input: NodeId,
    result: NodeId,
) -> Result<NodeId, StatesError> {
    match field {
        None => Ok(result),
        Some(Value::Null) => Ok(input),
        Some(path) => {
            let path = path_text("ResultPath", path)?;
            let parsed = paths::parsed(path);
            write_result(arena, path, &parsed, input, result)
        }
    }
}

/// [`apply_result_path`] for a state's `ResultPath`, with the path parsed
/// once for the definition.
pub(crate) fn apply_state_result_path(
    arena: &mut Arena,
    results: &ResultFields,
    input: NodeId,
    result: NodeId,
) -> Result<NodeId, StatesError> {
    match results.result_target() {
        Some(target) => result_into_input(arena, target, input, result),
        None => apply_result_path(arena, results.result_path.as_ref(), input, result),
    }
}

/// `ResultPath` given as a path (compiled): write `result` into `input`.
pub(crate) fn result_into_input(
    arena: &mut Arena,
    target: &ResultTarget,
    input: NodeId,
    result: NodeId,
) -> Result<NodeId, StatesError> {
    write_result(arena, &target.path, &target.parsed, input, result)
}

fn write_result(
    arena: &mut Arena,
    path: &str,
    parsed: &paths::Parsed,
    input: NodeId,
    result: NodeId,
) -> Result<NodeId, StatesError> {
    paths::arena::try_set(arena, input, parsed, result)
        .ok_or_else(|| io::result_path_failure(path, arena.get(input)))
}

/// `Assign`: evaluate the template against `source` (the state's result,
/// or its input for Choice and Wait) into the variables to set.
pub(crate) fn assign(
    arena: &mut Arena,
    template: Option<&Template>,
    source: NodeId,
    env: &Env<'_>,
) -> Result<Option<Map<String, Value>>, StatesError> {
    let Some(template) = template else {
        return Ok(None);
    };
    let assigned = payload_template(arena, template, source, env)?;
    match arena.get(assigned).to_value() {
        Value::Object(map) => Ok(Some(map)),
        other => Err(StatesError::runtime(format!(
            "Assign must be an object, but was {other}"
        ))),
    }
}

/// Evaluate `template` against `input` (a value of `arena`) into `arena`.
pub(crate) fn payload_template(
    arena: &mut Arena,
    template: &Template,
    input: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    evaluate(arena, template.compiled(), input, env)
}

fn evaluate(
    arena: &mut Arena,
    node: &Node,
    input: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    match node {
        Node::Object(fields, shape) => {
            let mark = arena.begin_object();
            for (at, (name, node)) in fields.iter().enumerate() {
                match evaluate(arena, node, input, env) {
                    Ok(value) => {
                        let key = shape.arena_key(arena, at, name);
                        arena.push_field(key, value);
                    }
                    Err(error) => {
                        arena.discard_object(mark);
                        return Err(error);
                    }
                }
            }
            Ok(if shape.has_distinct_keys() {
                arena.finish_object_distinct(mark)
            } else {
                arena.finish_object(mark)
            })
        }
        Node::Array(items) => {
            let mark = arena.begin_array();
            for item in items {
                match evaluate(arena, item, input, env) {
                    Ok(value) => arena.push_item(value),
                    Err(error) => {
                        arena.discard_array(mark);
                        return Err(error);
                    }
                }
            }
            Ok(arena.finish_array(mark))
        }
        Node::Literal { value, .. } => Ok(arena.import(value)),
        Node::InputPath {
            key,
            expression,
            path,
        } => paths::arena::select(arena, expression, path, input)
            .map_err(|_| io::not_found(expression, key, arena.get(input))),
        Node::Dynamic { key, value } => {
            // Only an intrinsic function's arguments read the input;
            // `$$…` and `$name…` paths do not (an error's text may).
            let found = match value.as_str() {
                Some(expression) if !expression.starts_with("States.") => {
                    env.read(expression, &Value::Null).map_err(|_| {
                        if expression.starts_with("$$") {
                            io::not_found(expression, key, env.context.get())
                        } else {
                            io::not_found(expression, key, arena.get(input))
                        }
                    })?
                }
                _ => io::dynamic_value(key, value, &arena.get(input).to_value(), env)?,
            };
            Ok(arena.import(&found))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::context::LazyContext;
    use crate::executor::env::Variables;

    /// Templates with every kind of node: literals, input paths, context
    /// paths, variables, intrinsics, nesting, a key written twice, and
    /// failures (a missing path, a non-string `.$` value, a failing intrinsic).
    fn templates() -> Vec<Value> {
        vec![
            json!({}),
            json!([]),
            json!("just a string"),
            json!({"lit": "q\"uote", "num": 2, "b": false, "nil": null, "f": 1.5}),
            json!({"p.$": "$.a", "whole.$": "$", "ctx.$": "$$.State.Name", "v.$": "$answer.n[0]"}),
            json!({"f.$": "States.Format('{}!', $.n)", "arr.$": "States.Array($.a, $.n)"}),
            json!({"nested": {"deep": {"x.$": "$.o.k", "lit": [1, {"y.$": "$.e"}]}}, "arr": [[], {}, "s"]}),
            json!({"a": 1, "b": 2, "a.$": "$.n"}),
            json!({"wild.$": "$.o.k[*]", "filter.$": "$.list[?(@.v > 1)]"}),
            json!({"ok.$": "$.a", "missing.$": "$.nope"}),
            json!({"deep": [{"missing.$": "$.o.nope.x"}]}),
            json!({"bad.$": 5}),
            json!({"bad.$": "States.StringToJson($.a)"}),
            json!({"undefined.$": "$nobody"}),
        ]
    }

    #[test]
    fn evaluation_gives_what_the_serde_json_evaluation_gives() {
        let input = json!({
            "a": "x\"y", "n": 1.5, "o": {"k": [1, null]}, "e": {},
            "list": [{"v": 1}, {"v": 2}, {"v": 3}]
        });
        let context = LazyContext::ready(json!({"State": {"Name": "S\n"}}));
        let mut variables = Variables::new();
        variables.insert("answer".into(), json!({"n": [42]}));
        let env = Env {
            context: &context,
            variables: &variables,
        };
        let mut arena = Arena::new();
        let input_id = arena.import(&input);
        for raw in templates() {
            let template = Template::new(raw.clone());
            let expected = io::payload_template(&template, &input, &env);
            let actual = payload_template(&mut arena, &template, input_id, &env);
            match (expected, actual) {
                (Ok(e), Ok(a)) => assert_eq!(
                    arena.get(a).to_text(),
                    serde_json::to_string(&e).unwrap_or_default(),
                    "{raw}"
                ),
                (Err(e), Err(a)) => assert_eq!(a, e, "{raw}"),
                (e, a) => panic!("{raw}: {e:?} vs {a:?}"),
            }
        }
        assert_eq!(
            arena.get(input_id).to_value(),
            input,
            "the input is unchanged"
        );
    }

    #[test]
    fn a_failed_evaluation_leaves_nothing_half_built() -> Result<(), StatesError> {
        let context = LazyContext::ready(json!({}));
        let variables = Variables::new();
        let env = Env {
            context: &context,
            variables: &variables,
        };
        let mut arena = Arena::new();
        let input = arena.import(&json!({"a": 1}));
        let failing = Template::new(json!({"x": {"y.$": "$.a", "z": [{"w.$": "$.missing"}]}}));
        assert!(payload_template(&mut arena, &failing, input, &env).is_err());
        assert!(!arena.is_building());
        let good = Template::new(json!({"k.$": "$.a"}));
        let out = payload_template(&mut arena, &good, input, &env)?;
        assert_eq!(arena.get(out).to_text(), r#"{"k":1}"#);
        Ok(())
    }
}
