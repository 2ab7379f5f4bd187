//! Intrinsic functions (`States.Format(...)` and friends): a tokenizer
//! ([`lexer`]), a parser ([`parser`]), a registry of declared signatures
//! ([`registry`]) and one small module per function under `functions/`.
//!
//! Every failure of an intrinsic function is a `States.Runtime` error, as
//! AWS reports it: neither retryable nor catchable, with the cause
//! `Invalid arguments in States.<Name>` for a function that refuses its
//! arguments. `States.IntrinsicFailure` is the ASL spec's name, which AWS
//! is not observed to raise (see `docs/feature-support.md`, "Intrinsic
//! functions: limits and error names", for the sources).

mod functions;
pub(crate) mod lexer;
pub(crate) mod parser;
pub(crate) mod registry;

use serde_json::Value;

use crate::errors::StatesError;
use parser::Expr;
use registry::Arg;

/// Resolves a path argument (`$.x`, `$$.x`, `$var`) to its value.
pub(crate) type Resolve<'a> = dyn Fn(&str) -> Result<Value, StatesError> + 'a;

/// Evaluate an intrinsic function call such as `States.Format('{}', $.a)`.
pub(crate) fn evaluate(expression: &str, resolve: &Resolve<'_>) -> Result<Value, StatesError> {
    let expr = parser::parse(expression).map_err(|e| {
        StatesError::runtime(format!("Invalid intrinsic function '{expression}': {e}"))
    })?;
    eval(&expr, resolve)
}

fn eval(expr: &Expr, resolve: &Resolve<'_>) -> Result<Value, StatesError> {
    match expr {
        Expr::Literal(v) => Ok(v.clone()),
        Expr::Str { text, .. } => Ok(Value::String(text.clone())),
        Expr::Path(path) => resolve(path),
        Expr::Call { name, args } => {
            if !registry::is_known(name) {
                return Err(StatesError::runtime(format!(
                    "Unsupported intrinsic function: {name}"
                )));
            }
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
            registry::call(name, &values).map_err(|_| invalid_arguments(name))
        }
    }
}

/// The error AWS reports when an intrinsic function refuses its arguments
/// (wrong count or types, or values outside its documented limits): the
/// function's own reason stays internal, as AWS shows only this cause.
fn invalid_arguments(name: &str) -> StatesError {
    StatesError::runtime(format!("Invalid arguments in {name}"))
}

#[cfg(test)]
mod tests;
