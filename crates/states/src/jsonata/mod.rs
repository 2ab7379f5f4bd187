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
mod value;

use std::fmt;

use serde_json::{Map, Value};

use crate::context::LazyContext;
use crate::errors::{STATES_QUERY_EVALUATION_ERROR, StatesError};
use crate::executor::env::Variables;
use crate::value::{Arena, NodeId};
pub(crate) use expressions::Expressions;
use value::Val;
pub(crate) use value::type_name;

/// What `$states` holds for one state's evaluations. It is built once per
/// state (or per Catch, or per Map item for an `ItemSelector`) and every
/// expression reads it in place: `$states.input.x` borrows its way to `x`.
#[derive(Debug, Clone, Default)]
pub(crate) struct States<'c> {
    pub(crate) input: Value,
    pub(crate) context: StatesContext<'c>,
    pub(crate) result: Option<Value>,
    pub(crate) error_output: Option<Value>,
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

impl States<'_> {
    /// The field `name` of `$states`, borrowed.
    fn field(&self, name: &str) -> Option<&Value> {
        match name {
            "input" => Some(&self.input),
            "context" => Some(self.context.get()),
            "result" => self.result.as_ref(),
            "errorOutput" => self.error_output.as_ref(),
            _ => None,
        }
    }

    /// The whole `$states` object, for an expression that reads it whole.
    fn to_value(&self) -> Value {
        let mut map = Map::new();
        for name in ["input", "context", "result", "errorOutput"] {
            if let Some(value) = self.field(name) {
                map.insert(name.into(), value.clone());
            }
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

/// The expression inside a `{% ... %}` string, if `value` is one.
pub(crate) fn expression_text(value: &Value) -> Option<&str> {
    value
        .as_str()?
        .strip_prefix("{%")?
        .strip_suffix("%}")
        .map(str::trim)
}

fn query_error(message: String) -> StatesError {
    StatesError::prefixed(STATES_QUERY_EVALUATION_ERROR, message)
}

/// Evaluate one expression; `field` names it in error messages (`Output/result`).
/// An expression that yields nothing is an error, as in AWS.
fn evaluate_at(
    expression: &str,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    let parsed;
    let node = match scope.expressions.get(expression) {
        Some(node) => node,
        None => {
            parsed = parser::parse(expression).map_err(|e| {
                query_error(format!("The JSONata expression '{expression}' specified for the field '{field}' is invalid: {e}"))
            })?;
            &parsed
        }
    };
    let mut evaluator = eval::Evaluator::new(scope.states, scope.variables, Val::Undefined);
    match evaluator.eval(node, &Val::Undefined) {
        Ok(Val::Json(v)) => Ok(v),
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
pub(crate) fn template(
    value: &Value,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    template_at(value, &Field::Root(field), scope)
}

fn template_at(
    value: &Value,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<Value, StatesError> {
    if let Some(expression) = expression_text(value) {
        return evaluate_at(expression, field, scope);
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                out.insert(
                    key.clone(),
                    template_at(item, &Field::Key(field, key), scope)?,
                );
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| template_at(item, &Field::Index(field, i), scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// [`template`] into `arena`: objects and arrays are built there directly
/// and only what each expression yields is copied in.
pub(crate) fn template_in(
    arena: &mut Arena,
    value: &Value,
    field: &str,
    scope: Scope<'_, '_>,
) -> Result<NodeId, StatesError> {
    template_in_at(arena, value, &Field::Root(field), scope)
}

fn template_in_at(
    arena: &mut Arena,
    value: &Value,
    field: &Field<'_>,
    scope: Scope<'_, '_>,
) -> Result<NodeId, StatesError> {
    if let Some(expression) = expression_text(value) {
        return Ok(arena.import(&evaluate_at(expression, field, scope)?));
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
mod tests {
    use super::*;
    use serde_json::json;

    fn run(expression: &str, input: Value) -> Result<Value, StatesError> {
        let states = States {
            input,
            ..States::default()
        };
        let mut variables = Variables::new();
        variables.insert("bias".into(), json!(1));
        let scope = Scope {
            states: &states,
            variables: &variables,
            expressions: &Expressions::default(),
        };
        evaluate_at(expression, &Field::Root("Output"), scope)
    }

    #[test]
    fn evaluates_the_core_language() -> Result<(), StatesError> {
        let input = json!({"xs": [1, 2, 3], "v": 25, "t": "Public", "o": [{"a": 1}, {"b": 2}]});
        let cases = [
            ("$sum($states.input.xs) + $bias", json!(7)),
            (
                "$states.input.v >= 20 and $states.input.v < 30",
                json!(true),
            ),
            ("$not($states.input.t = 'Private')", json!(true)),
            ("$merge($states.input.o)", json!({"a": 1, "b": 2})),
            ("$states.input.xs[1]", json!(2)),
            ("$states.input.xs[$ > 1]", json!([2, 3])),
            ("$count($states.input.xs) & ' items'", json!("3 items")),
            ("($x := 2; $x * 3)", json!(6)),
            ("$contains('hello$world', /^hello\\$/)", json!(true)),
            ("$partition([1,2,3], 2)", json!([[1, 2], [3]])),
            ("$range(0, 4, 2)", json!([0, 2, 4])),
            ("$parse('{\"a\": [1]}')", json!({"a": [1]})),
            (
                "{'k': [1, 'two', $number('3')]}",
                json!({"k": [1, "two", 3]}),
            ),
            ("$states.input.v > 10 ? 'big' : 'small'", json!("big")),
            ("$map([1, 2], function($x){ $x * 10 })", json!([10, 20])),
            ("$states.input.o.*", json!([1, 2])),
            ("$states.input.xs ~> $sum()", json!(6)),
            ("$sort([3, 1, 2])", json!([1, 2, 3])),
            (
                "$sort($states.input.xs, function($a, $b){ $a < $b })",
                json!([3, 2, 1]),
            ),
            (
                "$reduce($states.input.xs, function($acc, $v){ $acc + $v })",
                json!(6),
            ),
            ("$replace('a-b-c', '-', '+')", json!("a+b+c")),
            ("$replace('a1b22', /[0-9]+/, '#')", json!("a#b#")),
            (
                "$fromMillis($toMillis('2020-01-01T00:00:00Z') + 1000)",
                json!("2020-01-01T00:00:01.000Z"),
            ),
        ];
        for (expression, expected) in cases {
            assert_eq!(run(expression, input.clone())?, expected, "{expression}");
        }
        Ok(())
    }

    #[test]
    fn undefined_results_and_functions_are_query_errors() {
        let err = run("$doesNotExist", json!({}))
            .err()
            .and_then(|e| e.cause)
            .unwrap_or_default();
        assert!(err.ends_with("The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."));
        let err = run("$fn := function($x){$x}", json!({}))
            .err()
            .and_then(|e| e.cause)
            .unwrap_or_default();
        assert!(err.ends_with("returned an unsupported result type."));
    }

    #[test]
    fn templates_only_treat_exact_markers_as_expressions() -> Result<(), StatesError> {
        let states = States {
            input: json!({"a": 1}),
            ..States::default()
        };
        let value =
            json!({"x": "{% $states.input.a %}", "y": " {% $states.input.a %} ", "z": ["{% 2 %}"]});
        let scope = Scope {
            states: &states,
            variables: &Variables::new(),
            expressions: &Expressions::collect(&value),
        };
        assert_eq!(
            template(&value, "Output", scope)?,
            json!({"x": 1, "y": " {% $states.input.a %} ", "z": [2]})
        );
        Ok(())
    }
}
