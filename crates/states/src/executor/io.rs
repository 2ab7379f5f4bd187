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
use crate::definition::result_path::ResultTarget;
use crate::definition::template::{Node, Template};
use crate::definition::{QueryTemplate, ResultFields};
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
    template: Option<&QueryTemplate>,
    source: NodeId,
    env: &Env<'_>,
) -> Result<Option<Map<String, Value>>, StatesError> {
    match template {
        Some(template) => assign_object(arena, template.jsonpath(), source, env),
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
mod tests;
