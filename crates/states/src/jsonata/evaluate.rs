//! Evaluating one expression of a template, and the errors AWS reports
//! for it (named by the template field it sits in).

use std::fmt;

use serde_json::Value;

use super::eval;
use super::parser;
use super::states::Scope;
use super::value::Val;
use crate::errors::{STATES_QUERY_EVALUATION_ERROR, StatesError};
use crate::value::NodeId;

/// Where a template value sits (`Output/result/0`), for error messages;
/// written out only when an expression fails.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field<'a> {
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

pub(super) fn query_error(message: String) -> StatesError {
    StatesError::prefixed(STATES_QUERY_EVALUATION_ERROR, message)
}

/// What an expression yields: JSON it computed, or a value of the arena
/// it reached (or built there).
pub(super) enum Evaluated {
    Json(Value),
    Node(NodeId),
}

/// The error for an expression that does not parse.
pub(super) fn invalid_expression(
    expression: &str,
    field: &Field<'_>,
    message: &str,
) -> StatesError {
    query_error(format!(
        "The JSONata expression '{expression}' specified for the field '{field}' is invalid: {message}"
    ))
}

/// Evaluate `node`, the parse of `expression`.
pub(super) fn evaluate_parsed(
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
