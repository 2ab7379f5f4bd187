//! Binary operators: `and`, `or`, `&`, comparisons, `in` and arithmetic.

use serde_json::Value;

use super::super::parser::Node;
use super::super::value::{Val, json_equal, stringify};
use super::Evaluator;

impl Evaluator<'_, '_> {
    pub(super) fn binary(
        &mut self,
        op: &str,
        lhs: &Node,
        rhs: &Node,
        context: &Val,
    ) -> Result<Val, String> {
        if op == "and" {
            return Ok(Val::Json(Value::Bool(
                self.eval_json(lhs, context)?.truthy() && self.eval_json(rhs, context)?.truthy(),
            )));
        }
        if op == "or" {
            return Ok(Val::Json(Value::Bool(
                self.eval_json(lhs, context)?.truthy() || self.eval_json(rhs, context)?.truthy(),
            )));
        }
        let (a, b) = (self.eval_json(lhs, context)?, self.eval_json(rhs, context)?);
        match op {
            "&" => {
                let text = |v: &Val| v.json().map(stringify).unwrap_or_default();
                Ok(Val::Json(Value::String(text(&a) + &text(&b))))
            }
            "=" | "!=" => {
                let equal = match (a.json(), b.json()) {
                    (Some(x), Some(y)) => json_equal(x, y),
                    _ => false,
                };
                let defined = !a.is_undefined() && !b.is_undefined();
                Ok(Val::Json(Value::Bool(defined && (equal == (op == "=")))))
            }
            "in" => {
                let (Some(x), Some(y)) = (a.json(), b.json()) else {
                    return Ok(Val::Json(Value::Bool(false)));
                };
                let found = match y {
                    Value::Array(items) => items.iter().any(|i| json_equal(i, x)),
                    other => json_equal(other, x),
                };
                Ok(Val::Json(Value::Bool(found)))
            }
            "<" | "<=" | ">" | ">=" => {
                let (Some(x), Some(y)) = (a.json(), b.json()) else {
                    return Ok(Val::Undefined);
                };
                let ordering = match (x, y) {
                    (Value::Number(p), Value::Number(q)) => p.as_f64().partial_cmp(&q.as_f64()),
                    (Value::String(p), Value::String(q)) => Some(p.cmp(q)),
                    _ => {
                        return Err(format!(
                            "The expressions either side of operator \"{op}\" must be both numbers or both strings"
                        ));
                    }
                };
                let Some(ordering) = ordering else {
                    return Ok(Val::Json(Value::Bool(false)));
                };
                let holds = match op {
                    "<" => ordering.is_lt(),
                    "<=" => ordering.is_le(),
                    ">" => ordering.is_gt(),
                    _ => ordering.is_ge(),
                };
                Ok(Val::Json(Value::Bool(holds)))
            }
            _ => {
                if a.is_undefined() || b.is_undefined() {
                    return Ok(Val::Undefined);
                }
                let number = |v: &Val| v.json().and_then(Value::as_f64);
                let (Some(x), Some(y)) = (number(&a), number(&b)) else {
                    return Err(format!(
                        "The expressions either side of operator \"{op}\" must evaluate to numeric values"
                    ));
                };
                Val::number(match op {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "/" => x / y,
                    _ => x % y,
                })
            }
        }
    }
}
