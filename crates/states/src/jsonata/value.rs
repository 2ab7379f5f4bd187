//! Values during JSONata evaluation: JSON, `undefined`, functions and regexes.

use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Number, Value};

use super::parser::Lambda;
use crate::value::NodeId;

/// What a built-in function calls a function argument through (`$map`,
/// `$filter`, `$sort`, `$reduce`): the evaluator, which implements it.
pub(crate) trait Caller {
    /// Call `function` (a lambda or a built-in) with `args`.
    fn call(&mut self, function: &Val, args: Vec<Val>) -> Result<Val, String>;
}

/// A JSONata value.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    /// No value (JSONata's `undefined`), e.g. a missing field.
    Undefined,
    Json(Value),
    /// A value of the arena `$states` lives in, not yet copied out.
    Node(NodeId),
    Lambda(Arc<Lambda>),
    /// A built-in function, by name (without `$`).
    Builtin(&'static str),
    Regex(Rc<regex::Regex>),
}

impl Val {
    /// A number as JSON: integral values become integers.
    pub(crate) fn number(n: f64) -> Result<Val, String> {
        if !n.is_finite() {
            return Err("Number out of range".into());
        }
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            return Ok(Val::Json(Value::Number(Number::from(n as i64))));
        }
        Number::from_f64(n)
            .map(|n| Val::Json(Value::Number(n)))
            .ok_or_else(|| "Number out of range".into())
    }

    pub(crate) fn json(&self) -> Option<&Value> {
        match self {
            Val::Json(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn is_undefined(&self) -> bool {
        matches!(self, Val::Undefined)
    }

    /// JSONata's `$boolean` casting.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Val::Undefined => false,
            Val::Json(v) => json_truthy(v),
            // The evaluator copies arena values out before it casts them.
            Val::Node(_) => false,
            Val::Lambda(_) | Val::Builtin(_) | Val::Regex(_) => false,
        }
    }

    /// A sequence of results: empty → undefined, one → that value, more → an array.
    pub(crate) fn from_sequence(mut items: Vec<Value>) -> Val {
        match items.len() {
            0 => Val::Undefined,
            1 => items.pop().map_or(Val::Undefined, Val::Json),
            _ => Val::Json(Value::Array(items)),
        }
    }
}

impl Val {
    /// Results of a function that returns an array even for one item.
    pub(crate) fn from_sequence_keep_array(items: Vec<Value>) -> Val {
        if items.is_empty() {
            Val::Undefined
        } else {
            Val::Json(Value::Array(items))
        }
    }
}

fn json_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(json_truthy),
        Value::Object(map) => !map.is_empty(),
    }
}

/// JSONata's `$string`: strings as-is, everything else as compact JSON.
pub(crate) fn stringify(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Deep equality with numbers compared by value.
pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// JSONata's type name of a value (for error messages).
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `*`: every value of an object, mapped (and flattened) over arrays.
pub(crate) fn wildcard(context: &Val) -> Val {
    let mut out = Vec::new();
    let mut push = |v: &Value| match v {
        Value::Array(inner) => out.extend(inner.iter().cloned()),
        v => out.push(v.clone()),
    };
    match context {
        Val::Json(Value::Object(map)) => map.values().for_each(&mut push),
        Val::Json(Value::Array(items)) => {
            for item in items {
                if let Value::Object(map) = item {
                    map.values().for_each(&mut push);
                }
            }
        }
        _ => {}
    }
    Val::from_sequence(out)
}

/// A field of an object, mapped over arrays.
pub(crate) fn field(context: &Val, name: &str) -> Val {
    match context {
        Val::Json(Value::Object(map)) => map.get(name).cloned().map_or(Val::Undefined, Val::Json),
        Val::Json(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                if let Val::Json(v) = field(&Val::Json(item.clone()), name) {
                    match v {
                        Value::Array(inner) => out.extend(inner),
                        v => out.push(v),
                    }
                }
            }
            Val::from_sequence(out)
        }
        _ => Val::Undefined,
    }
}
