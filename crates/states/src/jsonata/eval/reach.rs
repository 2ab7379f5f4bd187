//! Following `$name.field.field…` to a value by reference: a local
//! binding, `$states` (whose input, result and error output are values of
//! the arena) or a workflow variable, then each field step through objects.

use serde_json::Value;

use super::super::parser::Node;
use super::super::states::StatesField;
use super::super::value::Val;
use super::{Evaluator, MAX_REACH_STEPS, Reach};
use crate::value::Kind;

impl Evaluator<'_, '_> {
    /// Follow `node` by reference when it is `$name` followed by field
    /// steps through objects, so `$states.input.id` copies only `id`.
    /// `None` when it is anything else (an array on the way maps the rest
    /// of the path over its items), which [`Evaluator::eval`] handles.
    pub(super) fn reach(&self, node: &Node) -> Option<Reach<'_>> {
        // How many field steps lead down to the `$name` they start from.
        let mut steps = 0;
        let mut at = node;
        let root = loop {
            match at {
                Node::Var(name) if !name.is_empty() && name != "$" => break name.as_str(),
                Node::Path(lhs, rhs) if matches!(rhs.as_ref(), Node::Name(_)) => {
                    steps += 1;
                    at = lhs;
                }
                _ => return None,
            }
        };
        if steps > MAX_REACH_STEPS {
            return None;
        }
        let mut reached = self.reach_name(root)?;
        // The first step is the innermost path: `steps - 1` levels down.
        for depth in (0..steps).rev() {
            let key = step_key(node, depth)?;
            reached = match reached {
                Reach::States => match self.states.field(key) {
                    Some(StatesField::Node(id)) => Reach::Node(id),
                    Some(StatesField::Context(value)) => Reach::Value(value),
                    None => Reach::Undefined,
                },
                Reach::Value(Value::Object(map)) => {
                    map.get(key).map_or(Reach::Undefined, Reach::Value)
                }
                Reach::Value(Value::Array(_)) => return None,
                Reach::Node(id) => {
                    let value = self.values.arena().get(id);
                    match value.kind() {
                        Kind::Object => value
                            .get(key)
                            .map_or(Reach::Undefined, |v| Reach::Node(v.id())),
                        Kind::Array => return None,
                        _ => Reach::Undefined,
                    }
                }
                Reach::Value(_) | Reach::Undefined => Reach::Undefined,
            };
        }
        Some(reached)
    }

    /// What `$name` is bound to: a local binding, `$states`, or a variable
    /// of the workflow. `None` for anything else (a function), which
    /// [`Evaluator::eval`] looks up.
    fn reach_name(&self, name: &str) -> Option<Reach<'_>> {
        for frame in self.frames.iter().rev() {
            if let Some(v) = frame.get(name) {
                return match v {
                    Val::Json(v) => Some(Reach::Value(v)),
                    Val::Node(id) => Some(Reach::Node(*id)),
                    Val::Undefined => Some(Reach::Undefined),
                    _ => None,
                };
            }
        }
        if name == "states" {
            return Some(Reach::States);
        }
        self.variables.get(name).map(Reach::Value)
    }
}

/// The field name of the path step `depth` levels below `node` (0: its
/// own last step).
fn step_key(node: &Node, depth: usize) -> Option<&str> {
    let mut at = node;
    for _ in 0..depth {
        let Node::Path(lhs, _) = at else {
            return None;
        };
        at = lhs;
    }
    match at {
        Node::Path(_, rhs) => match rhs.as_ref() {
            Node::Name(key) => Some(key.as_str()),
            _ => None,
        },
        _ => None,
    }
}
