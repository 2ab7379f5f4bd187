//! Compiled templates (objects and arrays with `{% %}` strings) evaluated
//! to JSON or built into the arena.

use serde_json::{Map, Value};

use super::direct;
use super::eval;
use super::evaluate::{Evaluated, Field, evaluate_parsed, invalid_expression};
use super::states::Scope;
use super::template::{JsonataTemplate, Part};
use crate::errors::StatesError;
use crate::value::{Arena, NodeId};

/// A compiled template evaluated to JSON: each `{% %}` string replaced by
/// its value; `arena` holds the values `$states` names.
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

/// A compiled template built into `arena`: objects and arrays are built
/// there directly, what an expression reaches in the arena is shared by
/// id, and only the JSON an expression computes is copied in.
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
