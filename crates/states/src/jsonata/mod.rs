//! JSONata for `QueryLanguage: JSONata` states: a tokenizer ([`lexer`]),
//! a Pratt parser ([`parser`]), an evaluator ([`eval`]) and built-in
//! functions (`functions/`), covering the commonly used core of the
//! language plus Step Functions' additions.
//!
//! In a JSONata state, a string field is an expression only when it is
//! exactly `{% ... %}`; templates (objects and arrays) are walked and each
//! such string replaced by its value.

mod eval;
mod functions;
pub(crate) mod lexer;
pub(crate) mod parser;
mod value;

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::errors::{STATES_QUERY_EVALUATION_ERROR, StatesError};
use crate::executor::env::Variables;
use value::Val;
pub(crate) use value::type_name;

/// What `$states` holds for one evaluation.
#[derive(Debug, Clone, Default)]
pub(crate) struct States {
    pub(crate) input: Value,
    pub(crate) context: Value,
    pub(crate) result: Option<Value>,
    pub(crate) error_output: Option<Value>,
}

impl States {
    fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("input".into(), self.input.clone());
        map.insert("context".into(), self.context.clone());
        if let Some(result) = &self.result {
            map.insert("result".into(), result.clone());
        }
        if let Some(error) = &self.error_output {
            map.insert("errorOutput".into(), error.clone());
        }
        Value::Object(map)
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
pub(crate) fn evaluate(
    expression: &str,
    field: &str,
    states: &States,
    variables: &Variables,
) -> Result<Value, StatesError> {
    let node = parser::parse(expression).map_err(|e| {
        query_error(format!("The JSONata expression '{expression}' specified for the field '{field}' is invalid: {e}"))
    })?;
    let mut bindings: HashMap<String, Val> = variables
        .iter()
        .map(|(k, v)| (k.clone(), Val::Json(v.clone())))
        .collect();
    bindings.insert("states".into(), Val::Json(states.to_value()));
    let mut evaluator = eval::Evaluator::new(bindings, Val::Undefined);
    match evaluator.eval(&node, &Val::Undefined) {
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
    states: &States,
    variables: &Variables,
) -> Result<Value, StatesError> {
    if let Some(expression) = expression_text(value) {
        return evaluate(expression, field, states, variables);
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                out.insert(
                    key.clone(),
                    template(item, &format!("{field}/{key}"), states, variables)?,
                );
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| template(item, &format!("{field}/{i}"), states, variables))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
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
        evaluate(expression, "Output", &states, &variables)
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
        assert_eq!(
            template(&value, "Output", &states, &Variables::new())?,
            json!({"x": 1, "y": " {% $states.input.a %} ", "z": [2]})
        );
        Ok(())
    }
}
