//! Evaluate a [`Node`] tree against bindings.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::executor::env::Variables;

use super::States;
use super::functions;
use super::parser::{Lambda, Node};
use super::value::{Caller, Val, field, json_equal, stringify, wildcard};

/// Deepest call nesting (user lambdas may recurse) before evaluation stops.
const MAX_CALL_DEPTH: usize = 100;
/// Deepest evaluation recursion (long path chains nest to the left).
const MAX_EVAL_DEPTH: usize = 400;
/// Most items a `[a..b]` range may produce.
const MAX_RANGE_ITEMS: i64 = 1_000_000;

/// Evaluation state: `$states` and the workflow's variables (borrowed,
/// read in place), frames of local bindings, and the root/context value.
pub(crate) struct Evaluator<'g, 'c> {
    states: &'g States<'c>,
    variables: &'g Variables,
    frames: Vec<HashMap<String, Val>>,
    root: Val,
    calls: usize,
    depth: usize,
}

/// What a chain of `$name` and field steps reaches without copying.
enum Reach<'v> {
    Value(&'v Value),
    /// `$states` itself, which is read field by field.
    States,
    Undefined,
}

impl<'g, 'c> Evaluator<'g, 'c> {
    /// Start with `states` and `variables` in scope and `root` as `$`/`$$`.
    pub(crate) fn new(states: &'g States<'c>, variables: &'g Variables, root: Val) -> Self {
        Evaluator {
            states,
            variables,
            // The outermost frame takes the expression's own `$x := ...`.
            frames: vec![HashMap::new()],
            root,
            calls: 0,
            depth: 0,
        }
    }

    fn lookup(&self, name: &str) -> Val {
        for frame in self.frames.iter().rev() {
            if let Some(v) = frame.get(name) {
                return v.clone();
            }
        }
        if name == "states" {
            return Val::Json(self.states.to_value());
        }
        if let Some(v) = self.variables.get(name) {
            return Val::Json(v.clone());
        }
        functions::builtin(name).map_or(Val::Undefined, Val::Builtin)
    }

    /// Follow `node` by reference when it is `$name` followed by field
    /// steps through objects, so `$states.input.id` copies only `id`.
    /// `None` when it is anything else (an array on the way maps the rest
    /// of the path over its items), which [`Evaluator::eval`] handles.
    fn reach(&self, node: &Node) -> Option<Reach<'_>> {
        match node {
            Node::Var(name) if !name.is_empty() && name != "$" => {
                for frame in self.frames.iter().rev() {
                    if let Some(v) = frame.get(name.as_str()) {
                        return match v {
                            Val::Json(v) => Some(Reach::Value(v)),
                            Val::Undefined => Some(Reach::Undefined),
                            _ => None,
                        };
                    }
                }
                if name == "states" {
                    return Some(Reach::States);
                }
                self.variables.get(name.as_str()).map(Reach::Value)
            }
            Node::Path(lhs, rhs) => {
                let Node::Name(key) = rhs.as_ref() else {
                    return None;
                };
                let found = match self.reach(lhs)? {
                    Reach::States => self.states.field(key),
                    Reach::Value(Value::Object(map)) => map.get(key.as_str()),
                    Reach::Value(Value::Array(_)) => return None,
                    Reach::Value(_) | Reach::Undefined => None,
                };
                Some(found.map_or(Reach::Undefined, Reach::Value))
            }
            _ => None,
        }
    }

    /// Evaluate `node` with `context` as the current `$`.
    pub(crate) fn eval(&mut self, node: &Node, context: &Val) -> Result<Val, String> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Err("expression nested too deeply".into());
        }
        self.depth += 1;
        let result = self.eval_node(node, context);
        self.depth -= 1;
        result
    }

    fn eval_node(&mut self, node: &Node, context: &Val) -> Result<Val, String> {
        Ok(match node {
            Node::Num(n) => Val::number(*n)?,
            Node::Str(s) => Val::Json(Value::String(s.clone())),
            Node::Bool(b) => Val::Json(Value::Bool(*b)),
            Node::Null => Val::Json(Value::Null),
            Node::Var(name) if name.is_empty() => context.clone(),
            Node::Var(name) if name == "$" => self.root.clone(),
            Node::Var(name) => self.lookup(name),
            Node::Name(name) => field(context, name),
            Node::Regex(pattern, flags) => {
                let mut builder = regex::RegexBuilder::new(pattern);
                builder
                    .case_insensitive(flags.contains('i'))
                    .multi_line(flags.contains('m'));
                Val::Regex(Rc::new(
                    builder
                        .build()
                        .map_err(|e| format!("invalid regular expression: {e}"))?,
                ))
            }
            Node::Path(..) if let Some(reach) = self.reach(node) => match reach {
                Reach::Value(v) => Val::Json(v.clone()),
                Reach::States => Val::Json(self.states.to_value()),
                Reach::Undefined => Val::Undefined,
            },
            Node::Path(lhs, rhs) => {
                let base = self.eval(lhs, context)?;
                match base {
                    Val::Undefined => Val::Undefined,
                    Val::Json(Value::Array(items)) => {
                        let mut out = Vec::new();
                        for item in items {
                            match self.eval(rhs, &Val::Json(item))? {
                                Val::Json(Value::Array(inner)) => out.extend(inner),
                                Val::Json(v) => out.push(v),
                                _ => {}
                            }
                        }
                        Val::from_sequence(out)
                    }
                    other => self.eval(rhs, &other)?,
                }
            }
            Node::Filter(lhs, predicate) => self.filter(lhs, predicate, context)?,
            Node::Call(target, args) => {
                let function = self.eval(target, context)?;
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(self.eval(arg, context)?);
                }
                self.call(&function, values)?
            }
            Node::Lambda(lambda) => Val::Lambda(Arc::clone(lambda)),
            Node::Binary(op, lhs, rhs) => self.binary(op, lhs, rhs, context)?,
            Node::Neg(inner) => match self.eval(inner, context)? {
                Val::Undefined => Val::Undefined,
                Val::Json(Value::Number(n)) => Val::number(-n.as_f64().unwrap_or(0.0))?,
                _ => return Err("Cannot negate a non-numeric value".into()),
            },
            Node::Cond(test, then, otherwise) => {
                if self.eval(test, context)?.truthy() {
                    self.eval(then, context)?
                } else {
                    match otherwise {
                        Some(e) => self.eval(e, context)?,
                        None => Val::Undefined,
                    }
                }
            }
            Node::Bind(name, value) => {
                let v = self.eval(value, context)?;
                if let Some(frame) = self.frames.last_mut() {
                    frame.insert(name.clone(), v.clone());
                }
                v
            }
            Node::Block(items) => {
                self.frames.push(HashMap::new());
                let mut last = Ok(Val::Undefined);
                for item in items {
                    last = self.eval(item, context);
                    if last.is_err() {
                        break;
                    }
                }
                self.frames.pop();
                last?
            }
            Node::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    if let Node::Range(from, to) = item {
                        let (a, b) = (self.integer(from, context)?, self.integer(to, context)?);
                        if b.saturating_sub(a) >= MAX_RANGE_ITEMS {
                            return Err("range too large".into());
                        }
                        out.extend((a..=b).map(Value::from));
                        continue;
                    }
                    match self.eval(item, context)? {
                        Val::Undefined => {}
                        Val::Json(v) => out.push(v),
                        _ => return Err("functions cannot be array items".into()),
                    }
                }
                Val::Json(Value::Array(out))
            }
            Node::Range(..) => return Err("a range is only allowed inside [ ]".into()),
            Node::Wildcard => wildcard(context),
            Node::Chain(lhs, rhs) => {
                let value = self.eval(lhs, context)?;
                match rhs.as_ref() {
                    Node::Call(target, args) => {
                        let function = self.eval(target, context)?;
                        let mut values = vec![value];
                        for arg in args {
                            values.push(self.eval(arg, context)?);
                        }
                        self.call(&function, values)?
                    }
                    other => {
                        let function = self.eval(other, context)?;
                        self.call(&function, vec![value])?
                    }
                }
            }
            Node::Object(pairs) => {
                let mut map = Map::new();
                for (key, value) in pairs {
                    let key = match self.eval(key, context)? {
                        Val::Json(Value::String(s)) => s,
                        _ => return Err("Key in object structure must evaluate to a string".into()),
                    };
                    match self.eval(value, context)? {
                        Val::Undefined => {}
                        Val::Json(v) => {
                            map.insert(key, v);
                        }
                        _ => return Err("functions cannot be object values".into()),
                    }
                }
                Val::Json(Value::Object(map))
            }
        })
    }

    fn integer(&mut self, node: &Node, context: &Val) -> Result<i64, String> {
        match self.eval(node, context)? {
            Val::Json(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| "range bounds must be integers".to_string()),
            _ => Err("range bounds must be integers".into()),
        }
    }

    fn filter(&mut self, lhs: &Node, predicate: &Node, context: &Val) -> Result<Val, String> {
        let items = match self.eval(lhs, context)? {
            Val::Undefined => return Ok(Val::Undefined),
            Val::Json(Value::Array(items)) => items,
            Val::Json(v) => vec![v],
            _ => return Err("cannot filter a function".into()),
        };
        let len = items.len() as i64;
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let keep = match self.eval(predicate, &Val::Json(item.clone()))? {
                Val::Json(Value::Number(n)) => {
                    let index = n.as_f64().unwrap_or(0.0).floor() as i64;
                    let index = if index < 0 { len + index } else { index };
                    index == i as i64
                }
                other => other.truthy(),
            };
            if keep {
                out.push(item);
            }
        }
        Ok(Val::from_sequence(out))
    }

    fn call_lambda(&mut self, lambda: &Lambda, args: Vec<Val>) -> Result<Val, String> {
        if self.calls >= MAX_CALL_DEPTH {
            return Err("Stack overflow: too many nested function calls".into());
        }
        let mut frame = HashMap::new();
        let mut args = args.into_iter();
        for param in &lambda.params {
            frame.insert(param.clone(), args.next().unwrap_or(Val::Undefined));
        }
        self.calls += 1;
        self.frames.push(frame);
        let result = self.eval(&lambda.body, &Val::Undefined);
        self.frames.pop();
        self.calls -= 1;
        result
    }

    fn binary(&mut self, op: &str, lhs: &Node, rhs: &Node, context: &Val) -> Result<Val, String> {
        if op == "and" {
            return Ok(Val::Json(Value::Bool(
                self.eval(lhs, context)?.truthy() && self.eval(rhs, context)?.truthy(),
            )));
        }
        if op == "or" {
            return Ok(Val::Json(Value::Bool(
                self.eval(lhs, context)?.truthy() || self.eval(rhs, context)?.truthy(),
            )));
        }
        let (a, b) = (self.eval(lhs, context)?, self.eval(rhs, context)?);
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

impl Caller for Evaluator<'_, '_> {
    /// Call a built-in or a lambda.
    fn call(&mut self, function: &Val, args: Vec<Val>) -> Result<Val, String> {
        match function {
            Val::Builtin(name) => functions::call(self, name, args),
            Val::Lambda(lambda) => self.call_lambda(lambda, args),
            _ => Err("Attempted to invoke a non-function".into()),
        }
    }
}
