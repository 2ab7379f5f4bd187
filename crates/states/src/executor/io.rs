//! The JSONPath data flow on the execution's [`Arena`]: `InputPath`,
//! payload templates (`Parameters`, `ResultSelector`, `ItemSelector`,
//! `Assign`), `ResultPath` and `OutputPath`, and reading a path from the
//! input, the context object (`$$`) or a variable (`$name`).
//!
//! Paths into the state input (and into a Map item through
//! `$$.Map.Item.Value`) are read without copying, keys come from the
//! compiled template's interned text, and literal values are copied in.
//! The context object and variables are `serde_json::Value`s: a path into
//! them copies what it finds into the arena. Intrinsic functions compute on
//! `serde_json::Value`: their path arguments are converted from the arena
//! and their result copied in (`docs/value-model.md`).

use serde_json::{Map, Value};

use super::env::Env;
use crate::definition::ResultFields;
use crate::definition::result_path::ResultTarget;
use crate::definition::template::{Node, Template};
use crate::errors::{STATES_RESULT_PATH_MATCH_FAILURE, StatesError};
use crate::paths::arena::Found;
use crate::paths::{self, Parsed, Segment};
use crate::value::{Arena, NodeId};

/// A path field's text (`InputPath`, `OutputPath`, `ResultPath`).
fn path_text<'v>(field: &str, value: &'v Value) -> Result<&'v str, StatesError> {
    value.as_str().ok_or_else(|| {
        StatesError::runtime(format!("The {field} field must be a path string or null"))
    })
}

/// Find `path` in the input (`$…`, without copying), the Map item
/// (`$$.Map.Item…`, inside an `ItemSelector`), the context object
/// (`$$.…`) or a variable (`$name…`).
fn find(arena: &Arena, path: &str, input: NodeId, env: &Env<'_>) -> Result<Found, StatesError> {
    let runtime = |e: paths::PathError| StatesError::runtime(e.message);
    if crate::definition::template::reads_input(path) {
        return paths::arena::find(arena, path, &paths::parsed(path), input).map_err(runtime);
    }
    if let Some(item) = env.map_item
        && let Some(context_path) = path.strip_prefix('$')
        && let paths::Parsed::Definite(segments) = &*paths::parsed(context_path)
        && let [Segment::Key(map), Segment::Key(entry), rest @ ..] = segments.as_slice()
        && (&**map, &**entry) == ("Map", "Item")
    {
        match rest {
            // Errors name the whole path, as reading the context object would.
            [Segment::Key(field), ..] if &**field == "Value" => {
                return paths::walk_from(context_path, segments, 3, arena.get(item.value))
                    .map(|found| Found::Node(found.id()))
                    .map_err(runtime);
            }
            [Segment::Key(field)] if &**field == "Index" => {
                return Ok(Found::Value(Value::from(item.index)));
            }
            _ => {}
        }
    }
    env.read(arena, path, &Value::Null).map(Found::Value)
}

/// Read a path from the input (`$…`, without copying), the context object
/// (`$$.…`) or a variable (`$name…`), as a value of `arena`.
pub(crate) fn read(
    arena: &mut Arena,
    path: &str,
    input: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    Ok(match find(arena, path, input, env)? {
        Found::Node(id) => id,
        Found::Value(found) => arena.import(&found),
    })
}

/// [`read`] as a `serde_json::Value`, for intrinsic functions' arguments.
fn read_value(
    arena: &Arena,
    path: &str,
    input: NodeId,
    env: &Env<'_>,
) -> Result<Value, StatesError> {
    Ok(match find(arena, path, input, env)? {
        Found::Node(id) => arena.get(id).to_value(),
        Found::Value(found) => found,
    })
}

/// Evaluate an intrinsic function whose path arguments read `input`, `$$`
/// or variables; its result is copied into `arena`.
pub(crate) fn intrinsic(
    arena: &mut Arena,
    expression: &str,
    input: NodeId,
    env: &Env<'_>,
) -> Result<NodeId, StatesError> {
    let result = {
        let arena = &*arena;
        crate::intrinsics::evaluate(expression, &|path: &str| {
            read_value(arena, path, input, env)
        })?
    };
    Ok(arena.import(&result))
}

/// `InputPath`: absent → the whole input, `null` → `{}`.
#[inline] // the field is mostly absent: no call then
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
#[inline] // the field is mostly absent: no call then
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
#[inline] // the field is mostly absent: no call then
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
#[inline] // the field is mostly absent: no call then
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
    parsed: &Parsed,
    input: NodeId,
    result: NodeId,
) -> Result<NodeId, StatesError> {
    paths::arena::try_set(arena, input, parsed, result).ok_or_else(|| {
        // The input is shown only when the path cannot be written.
        StatesError::prefixed(
            STATES_RESULT_PATH_MATCH_FAILURE,
            format!(
                "Unable to apply ResultPath '{path}' to input '{}'",
                arena.get(input)
            ),
        )
    })
}

/// `Assign`: evaluate the template against `source` (the state's result,
/// or its input for Choice and Wait) into the variables to set.
#[inline] // `Assign` is mostly absent: no call then
pub(crate) fn assign(
    arena: &mut Arena,
    template: Option<&Template>,
    source: NodeId,
    env: &Env<'_>,
) -> Result<Option<Map<String, Value>>, StatesError> {
    match template {
        Some(template) => assign_object(arena, template, source, env),
        None => Ok(None),
    }
}

/// [`assign`] of a present template.
fn assign_object(
    arena: &mut Arena,
    template: &Template,
    source: NodeId,
    env: &Env<'_>,
) -> Result<Option<Map<String, Value>>, StatesError> {
    let assigned = payload_template(arena, template, source, env)?;
    match arena.get(assigned).to_value() {
        Value::Object(map) => Ok(Some(map)),
        other => Err(StatesError::runtime(format!(
            "Assign must be an object, but was {other}"
        ))),
    }
}

/// Evaluate a payload template against `input` (a value of `arena`) into
/// `arena`: keys ending in `.$` take their value from a path, a context
/// path or an intrinsic function; other values are copied.
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
        // Distinct keys: the object is built in place.
        Node::Object(fields, shape) if shape.has_distinct_keys() => {
            let slots = arena.reserve_fields(fields.len());
            for (at, (name, node)) in fields.iter().enumerate() {
                let value = evaluate(arena, node, input, env)?;
                let key = shape.arena_key(arena, at, name);
                arena.set_field(&slots, at, key, value);
            }
            Ok(arena.finish_fields(slots))
        }
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
            Ok(arena.finish_object(mark))
        }
        Node::Array(items) => {
            let slots = arena.reserve_items(items.len());
            for (at, item) in items.iter().enumerate() {
                let value = evaluate(arena, item, input, env)?;
                arena.set_item(&slots, at, value);
            }
            Ok(arena.finish_items(slots))
        }
        Node::Literal { value, .. } => Ok(arena.import(value)),
        Node::InputPath {
            key,
            expression,
            path,
        } => paths::arena::select(arena, expression, path, input)
            .map_err(|_| not_found(expression, key, arena.get(input))),
        Node::Dynamic { key, value } => {
            let Some(expression) = value.as_str() else {
                return Err(StatesError::runtime(format!(
                    "The value for the field '{key}' must be a STRING that contains a JSONPath but was {value}"
                )));
            };
            if expression.starts_with("States.") {
                return intrinsic(arena, expression, input, env);
            }
            read(arena, expression, input, env).map_err(|_| {
                if expression.starts_with("$$") {
                    not_found(expression, key, env.context_value(arena))
                } else {
                    not_found(expression, key, arena.get(input))
                }
            })
        }
    }
}

/// AWS's error for a `key.$` path that finds nothing in `source`.
fn not_found(expression: &str, key: &str, source: impl std::fmt::Display) -> StatesError {
    StatesError::runtime(format!(
        "The JSONPath '{expression}' specified for the field '{key}' could not be found in the input '{source}'"
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::context::LazyContext;
    use crate::executor::env::{MapItem, Variables};

    /// Templates with every kind of node (literals, input paths, context
    /// paths, variables, intrinsics, nesting, a key written twice) and what
    /// they give: a value, or a failure (a missing path, a non-string `.$`
    /// value, a failing intrinsic, an undefined variable) with its error name.
    fn templates() -> Vec<(Value, Result<Value, &'static str>)> {
        let runtime = || Err("States.Runtime");
        vec![
            (json!({}), Ok(json!({}))),
            (json!([]), Ok(json!([]))),
            (json!("just a string"), Ok(json!("just a string"))),
            (
                json!({"lit": "q\"uote", "num": 2, "b": false, "nil": null, "f": 1.5}),
                Ok(json!({"lit": "q\"uote", "num": 2, "b": false, "nil": null, "f": 1.5})),
            ),
            (
                json!({"p.$": "$.a", "whole.$": "$", "ctx.$": "$$.State.Name", "v.$": "$answer.n[0]"}),
                Ok(json!({"p": "x\"y", "whole": input(), "ctx": "S\n", "v": 42})),
            ),
            (
                json!({"f.$": "States.Format('{}!', $.n)", "arr.$": "States.Array($.a, $.n)"}),
                Ok(json!({"f": "1.5!", "arr": ["x\"y", 1.5]})),
            ),
            (
                json!({"nested": {"deep": {"x.$": "$.o.k", "lit": [1, {"y.$": "$.e"}]}}, "arr": [[], {}, "s"]}),
                Ok(
                    json!({"nested": {"deep": {"x": [1, null], "lit": [1, {"y": {}}]}}, "arr": [[], {}, "s"]}),
                ),
            ),
            (
                json!({"a": 1, "b": 2, "a.$": "$.n"}),
                Ok(json!({"a": 1.5, "b": 2})),
            ),
            (
                json!({"wild.$": "$.o.k[*]", "filter.$": "$.list[?(@.v > 1)]"}),
                Ok(json!({"wild": [1, null], "filter": [{"v": 2}, {"v": 3}]})),
            ),
            (json!({"ok.$": "$.a", "missing.$": "$.nope"}), runtime()),
            (json!({"deep": [{"missing.$": "$.o.nope.x"}]}), runtime()),
            (json!({"bad.$": 5}), runtime()),
            (json!({"bad.$": "States.StringToJson($.a)"}), runtime()),
            (json!({"undefined.$": "$nobody"}), runtime()),
        ]
    }

    fn input() -> Value {
        json!({
            "a": "x\"y", "n": 1.5, "o": {"k": [1, null]}, "e": {},
            "list": [{"v": 1}, {"v": 2}, {"v": 3}]
        })
    }

    #[test]
    fn templates_read_the_input_context_variables_and_intrinsics() {
        let input = input();
        let context = LazyContext::ready(json!({"State": {"Name": "S\n"}}));
        let mut variables = Variables::new();
        variables.insert("answer".into(), json!({"n": [42]}));
        let env = Env::new(&context, &variables);
        let mut arena = Arena::new();
        let input_id = arena.import(&input);
        for (raw, expected) in templates() {
            let template = Template::new(raw.clone());
            let actual = payload_template(&mut arena, &template, input_id, &env);
            match (expected, actual) {
                (Ok(e), Ok(a)) => assert_eq!(
                    arena.get(a).to_text(),
                    serde_json::to_string(&e).unwrap_or_default(),
                    "{raw}"
                ),
                (Err(e), Err(a)) => assert_eq!(a.error, e, "{raw}: {a:?}"),
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
    fn a_missing_path_names_the_field_and_shows_the_input() {
        let context = LazyContext::ready(json!({}));
        let variables = Variables::new();
        let env = Env::new(&context, &variables);
        let mut arena = Arena::new();
        let input = arena.import(&json!({"a": 1}));
        let template = Template::new(json!({"x.$": "$.missing"}));
        let error = payload_template(&mut arena, &template, input, &env).err();
        assert_eq!(
            error.and_then(|e| e.cause),
            Some("The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{\"a\":1}'".to_string())
        );
    }

    #[test]
    fn an_item_selector_reads_the_map_item_in_place() -> Result<(), StatesError> {
        let context = LazyContext::ready(json!({"State": {"Name": "M"}}));
        let variables = Variables::new();
        let mut arena = Arena::new();
        let input = arena.import(&json!({}));
        let item = arena.import(&json!({"id": 7}));
        let env = Env::new(&context, &variables).with_map_item(MapItem {
            index: 2,
            value: item,
        });
        let template = Template::new(json!({
            "v.$": "$$.Map.Item.Value", "id.$": "$$.Map.Item.Value.id",
            "i.$": "$$.Map.Item.Index", "s.$": "$$.State.Name"
        }));
        let out = payload_template(&mut arena, &template, input, &env)?;
        assert_eq!(
            arena.get(out).to_text(),
            r#"{"v":{"id":7},"id":7,"i":2,"s":"M"}"#
        );
        let missing = Template::new(json!({"x.$": "$$.Map.Item.Value.nope"}));
        let error = payload_template(&mut arena, &missing, input, &env).err();
        assert!(
            error
                .and_then(|e| e.cause)
                .is_some_and(|c| c.contains("'$$.Map.Item.Value.nope'")),
        );
        Ok(())
    }

    #[test]
    fn null_paths_have_their_special_meanings() -> Result<(), StatesError> {
        let context = LazyContext::ready(json!({}));
        let variables = Variables::new();
        let env = Env::new(&context, &variables);
        let mut arena = Arena::new();
        let input = arena.import(&json!({"a": 1}));
        let five = arena.import(&json!(5));
        let null = Some(&Value::Null);
        assert_eq!(
            apply_input_path(&mut arena, null, input, &env)?,
            NodeId::EMPTY_OBJECT
        );
        assert_eq!(apply_result_path(&mut arena, null, input, five)?, input);
        assert_eq!(apply_result_path(&mut arena, None, input, five)?, five);
        assert_eq!(
            apply_output_path(&mut arena, null, input, &env)?,
            NodeId::EMPTY_OBJECT
        );
        let text = arena.string("text");
        let error = apply_result_path(&mut arena, Some(&json!("$.x")), text, five).err();
        assert_eq!(
            error.map(|e| e.error),
            Some(STATES_RESULT_PATH_MATCH_FAILURE.to_string())
        );
        Ok(())
    }

    #[test]
    fn a_failed_evaluation_leaves_nothing_half_built() -> Result<(), StatesError> {
        let context = LazyContext::ready(json!({}));
        let variables = Variables::new();
        let env = Env::new(&context, &variables);
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
