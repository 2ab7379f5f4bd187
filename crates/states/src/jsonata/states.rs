//! What a JSONata expression may read besides its literals: `$states`
//! (values of the state's arena, and the context object) and the scope
//! that carries it with the workflow's variables and parsed expressions.

use serde_json::{Map, Value};

use crate::context::LazyContext;
use crate::executor::env::Variables;
use crate::value::{Arena, NodeId};

/// What `$states` holds for one state's evaluations. It is built once per
/// state (or per Catch, or per Map item for an `ItemSelector`) and every
/// expression reads it in place: input, result and error output are values
/// of the state's arena, and `$states.input.x` reaches `x` by id.
#[derive(Debug, Clone)]
pub(crate) struct States<'c> {
    pub(crate) input: NodeId,
    pub(crate) context: StatesContext<'c>,
    pub(crate) result: Option<NodeId>,
    pub(crate) error_output: Option<NodeId>,
}

impl States<'_> {
    /// `$states` with only `input` (a value of the arena the expressions read).
    pub(crate) fn of_input(input: NodeId) -> Self {
        States {
            input,
            context: StatesContext::default(),
            result: None,
            error_output: None,
        }
    }
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
    pub(super) fn get(&self) -> &Value {
        match self {
            StatesContext::Lazy(context) => context.get(),
            StatesContext::Owned(value) => value,
        }
    }
}

/// A field of `$states`: a value of the arena, or the context object.
pub(super) enum StatesField<'s> {
    Node(NodeId),
    Context(&'s Value),
}

impl States<'_> {
    /// The field `name` of `$states`, if it has one.
    pub(super) fn field(&self, name: &str) -> Option<StatesField<'_>> {
        match name {
            "input" => Some(StatesField::Node(self.input)),
            "context" => Some(StatesField::Context(self.context.get())),
            "result" => self.result.map(StatesField::Node),
            "errorOutput" => self.error_output.map(StatesField::Node),
            _ => None,
        }
    }

    /// The whole `$states` object, for an expression that reads it whole.
    pub(super) fn to_value(&self, arena: &Arena) -> Value {
        let mut map = Map::new();
        for name in ["input", "context", "result", "errorOutput"] {
            let value = match self.field(name) {
                Some(StatesField::Node(id)) => arena.get(id).to_value(),
                Some(StatesField::Context(value)) => value.clone(),
                None => continue,
            };
            map.insert(name.into(), value);
        }
        Value::Object(map)
    }
}

/// What an expression may read besides its literals: `$states` and the
/// workflow's variables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'s, 'c> {
    pub(crate) states: &'s States<'c>,
    pub(crate) variables: &'s Variables,
}
