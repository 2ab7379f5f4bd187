//! Templates (objects and arrays with `{% %}` strings) evaluated to JSON or
//! built into the arena, from their text or from their compiled form.

use serde_json::{Map, Value};

use super::direct;
use super::eval;
use super::evaluate::{Evaluated, Field, evaluate_at, evaluate_parsed, invalid_expression};
use super::expressions::expression_text;
use super::states::Scope;
use super::template::{JsonataTemplate, Part};
use crate::errors::StatesError;
use crate::value::{Arena, NodeId};

/// Evaluate a template: `{% %}` strings anywhere inside objects and arrays.
/// `arena` holds the values `$states` names.
pub(crate) fn template(
    arena: &Arena,
    value: &Value,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    template_at(arena, value, &Field::Root(field), scope)
}

fn template_at(
    arena: &Arena,
    value: &Value,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    if let Some(expression) = expression_text(value) {
        return match evaluate_at(eval::Values::Read(arena), expression, field, scope)? {
            Evaluated::Node(id) => Ok(arena.get(id).to_value()),
            Evaluated::Json(value) => Ok(value),
        };
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                out.insert(
                    key.clone(),
                    template_at(arena, item, &Field::Key(field, key), scope)?,
                );
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| template_at(arena, item, &Field::Index(field, i), scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// [`template`] into `arena`: objects and arrays are built there directly,
/// what an expression reaches in the arena is shared by id, and only the
/// JSON an expression computes is copied in.
pub(crate) fn template_in(
    arena: &mut Arena,
    value: &Value,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<NodeId, StatesError> {
    template_in_at(arena, value, &Field::Root(field), scope)
}

/// A compiled template evaluated to JSON, as [`template`] evaluates one
/// from its text; `arena` holds the values `$states` names.
pub(crate) fn compiled(
    arena: &Arena,
    template: &JsonataTemplate,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    part_value(arena, template.compiled(), &Field::Root(field), scope)
}

fn part_value(
    arena: &Arena,
    part: &Part,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    match part {
        Part::Expression {
            text,
            parsed,
            direct,
        } => {
            if let Some(value) = direct::read_json(direct.as_ref(), arena, scope) {
                return Ok(value);
            }
            let node = parsed
                .as_ref()
                .map_err(|e| invalid_expression(text, field, e))?;
            match evaluate_parsed(eval::Values::Read(arena), text, node, field, scope)? {
                Evaluated::Node(id) => Ok(arena.get(id).to_value()),
                Evaluated::Json(value) => Ok(value),
            }
        }
        Part::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (key, item) in fields {
                let value = part_value(arena, item, &Field::Key(field, key), scope)?;
                out.insert(key.to_string(), value);
            }
            Ok(Value::Object(out))
        }
        Part::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| part_value(arena, item, &Field::Index(field, i), scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Part::Literal(value) => Ok(value.clone()),
    }
}

/// A compiled template into `arena`, as [`template_in`] builds one from
/// its text.
pub(crate) fn compiled_in(
    arena: &mut Arena,
    template: &JsonataTemplate,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<NodeId, StatesError> {
    part_in(arena, template.compiled(), &Field::Root(field), scope)
}

fn part_in(
    arena: &mut Arena,
    part: &Part,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<NodeId, StatesError> {
    match part {
        Part::Expression {
            text,
            parsed,
            direct,
        } => {
            if let Some(id) = direct::built(direct.as_ref(), arena, scope) {
                return Ok(id);
            }
            let node = parsed
                .as_ref()
                .map_err(|e| invalid_expression(text, field, e))?;
            match evaluate_parsed(eval::Values::Build(arena), text, node, field, scope)? {
                Evaluated::Node(id) => Ok(id),
                Evaluated::Json(value) => Ok(arena.import(&value)),
            }
        }
        Part::Object(fields) => {
            let mark = arena.begin_object();
            for (key, item) in fields {
                match part_in(arena, item, &Field::Key(field, key), scope) {
                    Ok(id) => {
                        let key = key.arena_key(arena);
                        arena.push_field(key, id);
                    }
                    Err(e) => {
                        arena.discard_object(mark);
                        return Err(e);
                    }
                }
            }
            // A JSON object's keys are distinct.
            Ok(arena.finish_object_distinct(mark))
        }
        Part::Array(items) => {
            let mark = arena.begin_array();
            for (i, item) in items.iter().enumerate() {
                match part_in(arena, item, &Field::Index(field, i), scope) {
                    Ok(id) => arena.push_item(id),
                    Err(e) => {
                        arena.discard_array(mark);
                        return Err(e);
                    }
                }
            }
            Ok(arena.finish_array(mark))
        }
        Part::Literal(value) => Ok(arena.import(value)),
    }
}

fn template_in_at(
    arena: &mut Arena,
    value: &Value,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<NodeId, StatesError> {
    if let Some(expression) = expression_text(value) {
        return match evaluate_at(eval::Values::Build(arena), expression, field, scope)? {
            Evaluated::Node(id) => Ok(id),
            Evaluated::Json(value) => Ok(arena.import(&value)),
        };
    }
    match value {
        Value::Object(map) => {
            let mark = arena.begin_object();
            for (key, item) in map {
                match template_in_at(arena, item, &Field::Key(field, key), scope) {
                    Ok(id) => {
                        let key = arena.key(key);
                        arena.push_field(key, id);
                    }
                    Err(e) => {
                        arena.discard_object(mark);
                        return Err(e);
                    }
                }
            }
            // A JSON object's keys are distinct.
            Ok(arena.finish_object_distinct(mark))
        }
        Value::Array(items) => {
            let mark = arena.begin_array();
            for (i, item) in items.iter().enumerate() {
                match template_in_at(arena, item, &Field::Index(field, i), scope) {
                    Ok(id) => arena.push_item(id),
                    Err(e) => {
                        arena.discard_array(mark);
                        return Err(e);
                    }
                }
            }
            Ok(arena.finish_array(mark))
        }
        other => Ok(arena.import(other)),
    }
}
