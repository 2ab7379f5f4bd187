//! Intrinsic functions (`States.Format(...)` and friends): a tokenizer
//! ([`lexer`]), a parser ([`parser`]), a registry of declared signatures
//! ([`registry`]) and one small module per function under `functions/`.

mod functions;
pub(crate) mod lexer;
pub(crate) mod parser;
pub(crate) mod registry;

use serde_json::Value;

use crate::errors::{STATES_INTRINSIC_FAILURE, StatesError};
use parser::Expr;
use registry::Arg;

/// Resolves a path argument (`$.x`, `$$.x`, `$var`) to its value.
pub(crate) type Resolve<'a> = dyn Fn(&str) -> Result<Value, StatesError> + 'a;

/// Evaluate an intrinsic function call such as `States.Format('{}', $.a)`.
pub(crate) fn evaluate(expression: &str, resolve: &Resolve<'_>) -> Result<Value, StatesError> {
    let expr = parser::parse(expression).map_err(|e| {
        StatesError::prefixed(
            STATES_INTRINSIC_FAILURE,
            format!("Invalid intrinsic function '{expression}': {e}"),
        )
    })?;
    eval(&expr, resolve)
}

fn eval(expr: &Expr, resolve: &Resolve<'_>) -> Result<Value, StatesError> {
    match expr {
        Expr::Literal(v) => Ok(v.clone()),
        Expr::Str { text, .. } => Ok(Value::String(text.clone())),
        Expr::Path(path) => resolve(path),
        Expr::Call { name, args } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                let raw = match arg {
                    Expr::Str { raw, .. } => Some(raw.clone()),
                    _ => None,
                };
                values.push(Arg {
                    value: eval(arg, resolve)?,
                    raw,
                });
            }
            registry::call(name, &values)
                .map_err(|e| StatesError::prefixed(STATES_INTRINSIC_FAILURE, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(expression: &str, input: Value) -> Result<Value, StatesError> {
        evaluate(expression, &|path: &str| {
            crate::paths::select(path, &input).map_err(|e| StatesError::runtime(e.message))
        })
    }

    #[test]
    fn nested_calls_and_paths_evaluate_inside_out() -> Result<(), StatesError> {
        assert_eq!(
            run("States.MathAdd(States.MathAdd($.a, 1), 2)", json!({"a": 3}))?,
            json!(6)
        );
        assert_eq!(
            run(
                "States.JsonMerge(States.StringToJson('{\"a\": 1}'), $.b, false)",
                json!({"b": {"c": 2}})
            )?,
            json!({"a": 1, "c": 2})
        );
        Ok(())
    }

    #[test]
    fn unknown_functions_and_bad_syntax_are_intrinsic_failures() {
        assert!(
            matches!(run("States.Nope()", json!({})), Err(e) if e.error == STATES_INTRINSIC_FAILURE)
        );
        assert!(
            matches!(run("States.Format('x'", json!({})), Err(e) if e.error == STATES_INTRINSIC_FAILURE)
        );
    }
}
