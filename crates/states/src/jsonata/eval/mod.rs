//! Evaluate a [`Node`] tree against bindings.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::Value;

use crate::executor::env::Variables;
use crate::value::{Arena, NodeId};

mod arena;
mod operators;
mod reach;

use super::functions;
use super::parser::{Lambda, Node};
use super::states::States;
use super::value::{Caller, Val, field, wildcard};

/// Deepest call nesting (user lambdas may recurse) before evaluation stops.
const MAX_CALL_DEPTH: usize = 100;
/// Deepest evaluation recursion (long path chains nest to the left).
const MAX_EVAL_DEPTH: usize = 400;
/// Most field steps a path may take to be followed by reference (a longer
/// one is evaluated step by step; finding each step walks down the path).
const MAX_REACH_STEPS: usize = 8;
/// The error for a function given as an object constructor's value.
const FUNCTION_AS_OBJECT_VALUE: &str = "functions cannot be object values";
/// Most items a `[a..b]` range may produce.
const MAX_RANGE_ITEMS: i64 = 1_000_000;

/// The arena `$states` lives in, as the evaluator may use it.
pub(crate) enum Values<'a> {
    /// Read only: arrays and objects an expression builds are JSON.
    Read(&'a Arena),
    /// Read and add to: arrays and objects that hold values of the arena
    /// are built there, so what an expression passes on is shared by id.
    Build(&'a mut Arena),
}

impl Values<'_> {
    fn arena(&self) -> &Arena {
        match self {
            Values::Read(arena) => arena,
            Values::Build(arena) => arena,
        }
    }
}

/// Evaluation state: the arena, `$states` and the workflow's variables
/// (borrowed, read in place), frames of local bindings, and the
/// root/context value. Values reached in the arena stay there
/// (`Val::Node`) until an operation needs them as JSON.
pub(crate) struct Evaluator<'g, 'c> {
    values: Values<'g>,
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
    /// A value of the arena.
    Node(NodeId),
    /// `$states` itself, which is read field by field.
    States,
    Undefined,
}

impl<'g, 'c> Evaluator<'g, 'c> {
    /// Start with `states` (whose values are in `values`) and `variables`
    /// in scope and `root` as `$`/`$$`.
    pub(crate) fn new(
        values: Values<'g>,
        states: &'g States<'c>,
        variables: &'g Variables,
        root: Val,
    ) -> Self {
        Evaluator {
            values,
            states,
            variables,
            // The outermost frame, for the expression's own `$x := ...`,
            // is made by its first binding.
            frames: Vec::new(),
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
            return Val::Json(self.states.to_value(self.values.arena()));
        }
        if let Some(v) = self.variables.get(name) {
            return Val::Json(v.clone());
        }
        functions::builtin(name).map_or(Val::Undefined, Val::Builtin)
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
            Node::Name(name) => match context {
                Val::Node(id) => field(&self.to_json(Val::Node(*id)), name),
                context => field(context, name),
            },
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
                Reach::Node(id) => Val::Node(id),
                Reach::States => Val::Json(self.states.to_value(self.values.arena())),
                Reach::Undefined => Val::Undefined,
            },
            Node::Path(lhs, rhs) => {
                let base = self.eval(lhs, context)?;
                let base = self.to_json(base);
                match base {
                    Val::Undefined => Val::Undefined,
                    Val::Json(Value::Array(items)) => {
                        let mut out = Vec::new();
                        for item in items {
                            match self.eval_json(rhs, &Val::Json(item))? {
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
                if let (Val::Builtin("merge"), [Node::Array(items)]) = (&function, args.as_slice())
                    && !items.iter().any(|item| matches!(item, Node::Range(..)))
                {
                    return self.merge_constructed(items, context);
                }
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(self.eval(arg, context)?);
                }
                self.apply(&function, values)?
            }
            Node::Lambda(lambda) => Val::Lambda(Arc::clone(lambda)),
            Node::Binary(op, lhs, rhs) => self.binary(op, lhs, rhs, context)?,
            Node::Neg(inner) => match self.eval_json(inner, context)? {
                Val::Undefined => Val::Undefined,
                Val::Json(Value::Number(n)) => Val::number(-n.as_f64().unwrap_or(0.0))?,
                _ => return Err("Cannot negate a non-numeric value".into()),
            },
            Node::Cond(test, then, otherwise) => {
                if self.eval_json(test, context)?.truthy() {
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
                match self.frames.last_mut() {
                    Some(frame) => {
                        frame.insert(name.clone(), v.clone());
                    }
                    None => self.frames.push(HashMap::from([(name.clone(), v.clone())])),
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
                        out.extend((a..=b).map(|n| Val::Json(Value::from(n))));
                        continue;
                    }
                    match self.eval(item, context)? {
                        Val::Undefined => {}
                        value @ (Val::Json(_) | Val::Node(_)) => out.push(value),
                        _ => return Err("functions cannot be array items".into()),
                    }
                }
                self.array(out)
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
                        self.apply(&function, values)?
                    }
                    other => {
                        let function = self.eval(other, context)?;
                        self.apply(&function, vec![value])?
                    }
                }
            }
            Node::Object(pairs) if let Values::Build(arena) = &mut self.values => {
                let mark = arena.begin_object();
                self.object_in_arena(mark, pairs, context)?
            }
            Node::Object(pairs) => {
                let mut fields = Vec::with_capacity(pairs.len());
                for (key, value) in pairs {
                    let key = self.object_key(key, context)?;
                    match self.eval(value, context)? {
                        Val::Undefined => {}
                        value @ (Val::Json(_) | Val::Node(_)) => fields.push((key, value)),
                        _ => return Err(FUNCTION_AS_OBJECT_VALUE.into()),
                    }
                }
                self.json_object(fields)
            }
        })
    }

    fn integer(&mut self, node: &Node, context: &Val) -> Result<i64, String> {
        match self.eval_json(node, context)? {
            Val::Json(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| "range bounds must be integers".to_string()),
            _ => Err("range bounds must be integers".into()),
        }
    }

    fn filter(&mut self, lhs: &Node, predicate: &Node, context: &Val) -> Result<Val, String> {
        let items = match self.eval_json(lhs, context)? {
            Val::Undefined => return Ok(Val::Undefined),
            Val::Json(Value::Array(items)) => items,
            Val::Json(v) => vec![v],
            _ => return Err("cannot filter a function".into()),
        };
        let len = items.len() as i64;
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let keep = match self.eval_json(predicate, &Val::Json(item.clone()))? {
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
}

impl Caller for Evaluator<'_, '_> {
    /// Call a built-in or a lambda for a built-in (`$map`, `$sort`…),
    /// which works on JSON.
    fn call(&mut self, function: &Val, args: Vec<Val>) -> Result<Val, String> {
        let result = self.apply(function, args)?;
        Ok(self.to_json(result))
    }
}
