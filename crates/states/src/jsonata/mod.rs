//! JSONata for `QueryLanguage: JSONata` states: a tokenizer ([`lexer`]),
//! a Pratt parser ([`parser`]), an evaluator ([`eval`]) and built-in
//! functions (`functions/`), covering the commonly used core of the
//! language plus Step Functions' additions.
//!
//! In a JSONata state, a string field is an expression only when it is
//! exactly `{% ... %}`; templates (objects and arrays) are walked and each
//! such string replaced by its value.

mod eval;
mod expressions;
mod functions;
pub(crate) mod lexer;
pub(crate) mod parser;
mod template;
mod value;

use std::fmt;

use serde_json::{Map, Value};

use crate::context::LazyContext;
use crate::errors::{STATES_QUERY_EVALUATION_ERROR, StatesError};
use crate::executor::env::Variables;
use crate::value::{Arena, NodeId};
pub(crate) use expressions::Expressions;
use template::Part;
pub(crate) use template::{JsonataTemplate, expression_text};
use value::Val;
pub(crate) use value::type_name;

/// What `$states` holds for one state's evaluations. It is built once per
/// state (or per Catch, or per Map item for an `ItemSelector`) and every
/// expression reads it in place: input, result and error output are values
/// of the state's arena, and `$states.input.x` reaches `x` by id.
#[derive(Debug, Clone)]
pub(crate) struct States<'c> {
    pub(crate) input: NodeId,
    pub(crate) context: StatesContext<'c>,
    pub(crate) result: Option<NodeId>,
    pub(crate) error_output: Option<NodeId>,
}

impl States<'_> {
    /// `$states` with only `input` (a value of the arena the expressions read).
    pub(crate) fn of_input(input: NodeId) -> Self {
        States {
            input,
            context: StatesContext::default(),
            result: None,
            error_output: None,
        }
    }
}

/// `$states.context`: the attempt's context object, built only when an
/// expression reads it, or one made for a Map item.
#[derive(Debug, Clone)]
pub(crate) enum StatesContext<'c> {
    /// The attempt's context object, built when first read.
    Lazy(&'c LazyContext<'c>),
    /// A context object made for this evaluation.
    Owned(Value),
}

impl Default for StatesContext<'_> {
    fn default() -> Self {
        StatesContext::Owned(Value::Null)
    }
}

impl StatesContext<'_> {
    fn get(&self) -> &Value {
        match self {
            StatesContext::Lazy(context) => context.get(),
            StatesContext::Owned(value) => value,
        }
    }
}

/// A field of `$states`: a value of the arena, or the context object.
enum StatesField<'s> {
    Node(NodeId),
    Context(&'s Value),
}

impl States<'_> {
    /// The field `name` of `$states`, if it has one.
    fn field(&self, name: &str) -> Option<StatesField<'_>> {
        match name {
            "input" => Some(StatesField::Node(self.input)),
            "context" => Some(StatesField::Context(self.context.get())),
            "result" => self.result.map(StatesField::Node),
            "errorOutput" => self.error_output.map(StatesField::Node),
            _ => None,
        }
    }

    /// The whole `$states` object, for an expression that reads it whole.
    fn to_value(&self, arena: &Arena) -> Value {
        let mut map = Map::new();
        for name in ["input", "context", "result", "errorOutput"] {
            let value = match self.field(name) {
                Some(StatesField::Node(id)) => arena.get(id).to_value(),
                Some(StatesField::Context(value)) => value.clone(),
                None => continue,
            };
            map.insert(name.into(), value);
        }
        Value::Object(map)
    }
}

/// What an expression may read besides its literals: `$states`, the
/// workflow's variables, and the definition's parsed expressions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'s, 'c> {
    pub(crate) states: &'s States<'c>,
    pub(crate) variables: &'s Variables,
    pub(crate) expressions: &'s Expressions,
}

/// Where a template value sits (`Output/result/0`), for error messages;
/// written out only when an expression fails.
#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Root(&'a str),
    Key(&'a Field<'a>, &'a str),
    Index(&'a Field<'a>, usize),
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Root(name) => f.write_str(name),
            Field::Key(parent, key) => write!(f, "{parent}/{key}"),
            Field::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

fn query_error(message: String) -> StatesError {
    StatesError::prefixed(STATES_QUERY_EVALUATION_ERROR, message)
}

/// What an expression yields: JSON it computed, or a value of the arena
/// it reached (or built there).
enum Evaluated {
    Json(Value),
    Node(NodeId),
}

/// Evaluate one expression; `field` names it in error messages (`Output/result`).
/// An expression that yields nothing is an error, as in AWS. The value is
/// JSON or a value of the arena.
fn evaluate_at(
    arena: eval::Values<'_>,
    expression: &str,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<Evaluated, StatesError> {
    let parsed;
    let node = match scope.expressions.get(expression) {
        Some(node) => node,
        None => {
            parsed =
                parser::parse(expression).map_err(|e| invalid_expression(expression, field, &e))?;
            &parsed
        }
    };
    evaluate_parsed(arena, expression, node, field, scope)
}

/// The error for an expression that does not parse.
fn invalid_expression(expression: &str, field: &Field<'_>, message: &str) -> StatesError {
    query_error(format!(
        "The JSONata expression '{expression}' specified for the field '{field}' is invalid: {message}"
    ))
}

/// Evaluate `node`, the parse of `expression`.
fn evaluate_parsed(
    arena: eval::Values<'_>,
    expression: &str,
    node: &parser::Node,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<Evaluated, StatesError> {
    let mut evaluator = eval::Evaluator::new(arena, scope.states, scope.variables, Val::Undefined);
    match evaluator.eval(node, &Val::Undefined) {
        Ok(Val::Json(value)) => Ok(Evaluated::Json(value)),
        Ok(Val::Node(id)) => Ok(Evaluated::Node(id)),
        Ok(Val::Undefined) => Err(query_error(format!(
            "The JSONata expression '{expression}' specified for the field '{field}' returned nothing (undefined)."
        ))),
        Ok(_) => Err(query_error(format!(
            "The JSONata expression '{expression}' specified for the field '{field}' returned an unsupported result type."
        ))),
        Err(e) => Err(query_error(format!(
            "The JSONata expression '{expression}' specified for the field '{field}' threw an error during evaluation: {e}"
        ))),
    }
}

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
        Part::Expression { text, parsed } => {
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
        Part::Expression { text, parsed } => {
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

#[cfg(test)]
mod tests;
