//! The shapes of expression that Step Functions templates use most,
//! planned when the definition is read and evaluated straight on the
//! arena: `$states.input.x`, literals, `{'k': …}`, `$merge([…])` and
//! `a = b`. A plan gives the value the general evaluator would give, or
//! declines (`None`) whenever the case is not plainly one of these (an
//! array on a path, a `$merge` variable, a value that is not an object
//! in `$merge`, an expression that yields nothing); the general evaluator
//! then evaluates the expression and reports any error as it always does.

use serde_json::Value;

use super::parser::Node;
use super::states::{Scope, States};
use super::value::{Val, json_equal};
use crate::executor::env::Variables;
use crate::history::Name;
use crate::value::{Arena, Kind, NodeId};

/// Most field steps a planned path takes, as the general evaluator follows
/// by reference (a longer path is evaluated step by step there).
const MAX_STEPS: usize = 8;

/// An expression's plan.
#[derive(Debug, Clone)]
pub(crate) enum Direct {
    /// `$states.input.a.b…` (or `.result`, `.errorOutput`): field steps
    /// from a value of the arena.
    Path { root: Root, steps: Box<[Box<str>]> },
    /// A string, number, boolean or `null` literal, as JSON.
    Literal(Value),
    /// `{'key': value, …}` with literal keys, built in the arena.
    Object(Box<[(Name, Direct)]>),
    /// `$merge([a, b, …])` of objects, merged in the arena by id.
    Merge(Box<[Direct]>),
    /// `a = b` (`equal`) or `a != b`.
    Compare {
        lhs: Box<Direct>,
        rhs: Box<Direct>,
        equal: bool,
    },
}

/// The field of `$states` a planned path starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    Input,
    Result,
    ErrorOutput,
}

/// What a plan yields.
enum Out<'p> {
    /// A value of the arena.
    Node(NodeId),
    /// A literal of the plan.
    Literal(&'p Value),
    /// The result of a comparison.
    Bool(bool),
    /// Nothing (a missing field).
    Undefined,
}

/// The plan of `node`, if it has one of the planned shapes throughout.
pub(crate) fn plan(node: &Node) -> Option<Direct> {
    match node {
        Node::Str(text) => Some(Direct::Literal(Value::String(text.clone()))),
        Node::Bool(b) => Some(Direct::Literal(Value::Bool(*b))),
        Node::Null => Some(Direct::Literal(Value::Null)),
        Node::Num(n) => match Val::number(*n) {
            Ok(Val::Json(value)) => Some(Direct::Literal(value)),
            _ => None,
        },
        Node::Path(..) => states_path(node),
        Node::Object(pairs) => pairs
            .iter()
            .map(|(key, value)| match key {
                Node::Str(key) => Some((Name::new(key), plan(value)?)),
                _ => None,
            })
            .collect::<Option<Box<[_]>>>()
            .map(Direct::Object),
        Node::Call(target, args) => match (target.as_ref(), args.as_slice()) {
            (Node::Var(name), [Node::Array(items)]) if name == "merge" => items
                .iter()
                .map(plan)
                .collect::<Option<Box<[_]>>>()
                .map(Direct::Merge),
            _ => None,
        },
        Node::Binary(op @ ("=" | "!="), lhs, rhs) => Some(Direct::Compare {
            lhs: Box::new(plan(lhs)?),
            rhs: Box::new(plan(rhs)?),
            equal: *op == "=",
        }),
        _ => None,
    }
}

/// `$states.<root>.<key>…` as a planned path.
fn states_path(node: &Node) -> Option<Direct> {
    let mut keys = Vec::new();
    let mut at = node;
    loop {
        match at {
            Node::Path(lhs, rhs) => match rhs.as_ref() {
                Node::Name(key) if keys.len() <= MAX_STEPS => {
                    keys.push(key.as_str());
                    at = lhs;
                }
                _ => return None,
            },
            Node::Var(name) if name == "states" => break,
            _ => return None,
        }
    }
    // Collected from the last step back to the first.
    let root = match keys.pop()? {
        "input" => Root::Input,
        "result" => Root::Result,
        "errorOutput" => Root::ErrorOutput,
        _ => return None,
    };
    if keys.len() >= MAX_STEPS {
        return None;
    }
    let steps = keys.into_iter().rev().map(Box::from).collect();
    Some(Direct::Path { root, steps })
}

impl Direct {
    /// Evaluate without adding to `arena`: paths, literals and comparisons
    /// (an object or a `$merge` declines).
    fn read<'p>(&'p self, arena: &Arena, states: &States<'_>) -> Option<Out<'p>> {
        match self {
            Direct::Path { root, steps } => {
                let start = match root {
                    Root::Input => Some(states.input),
                    Root::Result => states.result,
                    Root::ErrorOutput => states.error_output,
                };
                let Some(mut id) = start else {
                    return Some(Out::Undefined);
                };
                for key in steps {
                    let value = arena.get(id);
                    match value.kind() {
                        Kind::Object => match value.get(key) {
                            Some(found) => id = found.id(),
                            None => return Some(Out::Undefined),
                        },
                        // A path over an array maps over its items.
                        Kind::Array => return None,
                        _ => return Some(Out::Undefined),
                    }
                }
                Some(Out::Node(id))
            }
            Direct::Literal(value) => Some(Out::Literal(value)),
            Direct::Compare { lhs, rhs, equal } => {
                let lhs = lhs.read(arena, states)?;
                let rhs = rhs.read(arena, states)?;
                let (Some(a), Some(b)) = (json_of(arena, lhs), json_of(arena, rhs)) else {
                    return Some(Out::Bool(false));
                };
                Some(Out::Bool(json_equal(&a, &b) == *equal))
            }
            Direct::Object(_) | Direct::Merge(_) => None,
        }
    }

    /// Evaluate, building objects and `$merge` results in `arena`.
    fn build<'p>(
        &'p self,
        arena: &mut Arena,
        states: &States<'_>,
        variables: &Variables,
    ) -> Option<Out<'p>> {
        match self {
            Direct::Object(pairs) => {
                let mark = arena.begin_object();
                if !push_pairs(pairs, arena, states, variables) {
                    arena.discard_object(mark);
                    return None;
                }
                Some(Out::Node(arena.finish_object(mark)))
            }
            // A variable named `merge` hides the function.
            Direct::Merge(_) if variables.contains_key("merge") => None,
            Direct::Merge(items) => {
                let mark = arena.begin_object();
                // The end of the first member's fields, which are distinct
                // when it is an object of the arena.
                let mut first_end = None;
                for item in items {
                    let gathered = match item {
                        // An object constructor's pairs join the merged
                        // object: the same fields, with no object between.
                        Direct::Object(pairs) => {
                            let start = arena.open_fields_end();
                            first_end.get_or_insert(start);
                            push_pairs(pairs, arena, states, variables)
                        }
                        item => match item.build(arena, states, variables) {
                            Some(Out::Undefined) => continue,
                            Some(Out::Node(id)) => arena.gather_fields(id),
                            _ => false,
                        },
                    };
                    if !gathered {
                        arena.discard_object(mark);
                        return None;
                    }
                    first_end.get_or_insert(arena.open_fields_end());
                }
                Some(Out::Node(arena.finish_merged(mark, first_end)))
            }
            other => other.read(arena, states),
        }
    }
}

/// The value of `plan` built in `arena`, or `None` when the general
/// evaluator is to evaluate the expression (no plan, or the plan declined
/// or found nothing, which is an error the evaluator reports).
pub(super) fn built(
    plan: Option<&Direct>,
    arena: &mut Arena,
    scope: Scope<'_, '_>,
) -> Option<NodeId> {
    match plan?.build(arena, scope.states, scope.variables)? {
        Out::Undefined => None,
        out => Some(node_of(arena, out)),
    }
}

/// The value of `plan` as JSON, read from `arena`, or `None` as for [`built`].
pub(super) fn read_json(
    plan: Option<&Direct>,
    arena: &Arena,
    scope: Scope<'_, '_>,
) -> Option<Value> {
    json_of(arena, plan?.read(arena, scope.states)?)
}

/// Evaluate `pairs` and add each defined one to the object being built;
/// `false` when a value declines.
fn push_pairs(
    pairs: &[(Name, Direct)],
    arena: &mut Arena,
    states: &States<'_>,
    variables: &Variables,
) -> bool {
    for (key, value) in pairs {
        let id = match value.build(arena, states, variables) {
            Some(Out::Undefined) => continue,
            Some(out) => node_of(arena, out),
            None => return false,
        };
        let key = key.arena_key(arena);
        arena.push_field(key, id);
    }
    true
}

/// `out` as a value of `arena`.
fn node_of(arena: &mut Arena, out: Out<'_>) -> NodeId {
    match out {
        Out::Node(id) => id,
        Out::Literal(value) => arena.import(value),
        Out::Bool(b) => arena.import(&Value::Bool(b)),
        Out::Undefined => NodeId::NULL,
    }
}

/// `out` as JSON (`None` when undefined).
fn json_of(arena: &Arena, out: Out<'_>) -> Option<Value> {
    match out {
        Out::Node(id) => Some(arena.get(id).to_value()),
        Out::Literal(value) => Some(value.clone()),
        Out::Bool(b) => Some(Value::Bool(b)),
        Out::Undefined => None,
    }
}
