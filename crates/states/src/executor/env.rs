//! What paths can see besides the state input: the context object (`$$`),
//! the item a Map state's `ItemSelector` is evaluated for
//! (`$$.Map.Item`), and the workflow variables (`$name`).

use serde_json::{Map, Value};

use crate::context::{LazyContext, with_map_item};
use crate::errors::StatesError;
use crate::paths;
use crate::value::{Arena, NodeId};

/// Workflow variables visible in a scope (ASL "Variables": a Map iteration
/// or Parallel branch starts with a copy of its parent's variables).
pub(crate) type Variables = Map<String, Value>;

/// A Parallel branch's or Map iteration's copy of its parent's variables;
/// a new empty map, cheaper to make than a copy of one, when there are
/// none (as in most definitions).
pub(crate) fn branch_variables(parent: &Variables) -> Variables {
    if parent.is_empty() {
        Variables::new()
    } else {
        parent.clone()
    }
}

/// The item a Map state's `ItemSelector` is evaluated for: `$$.Map.Item.Index`
/// and `$$.Map.Item.Value` (a value of the state's arena).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MapItem {
    pub(crate) index: usize,
    pub(crate) value: NodeId,
}

/// The context object and variables a path may read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    pub(crate) context: &'a LazyContext<'a>,
    pub(crate) variables: &'a Variables,
    /// The Map item, inside an `ItemSelector`.
    pub(crate) map_item: Option<MapItem>,
}

impl<'a> Env<'a> {
    /// An environment without a Map item.
    pub(crate) fn new(context: &'a LazyContext<'a>, variables: &'a Variables) -> Self {
        Env {
            context,
            variables,
            map_item: None,
        }
    }

    /// The same environment inside an `ItemSelector`, for `item`.
    pub(crate) fn with_map_item(&self, item: MapItem) -> Env<'a> {
        Env {
            map_item: Some(item),
            ..*self
        }
    }

    /// The context object as this environment's paths see it: with
    /// `Map.Item` inside an `ItemSelector` (then built afresh, converting
    /// the item; [`super::io`] reads `$$.Map.Item…` paths from the arena
    /// without this).
    pub(crate) fn context_value(&self, arena: &Arena) -> std::borrow::Cow<'_, Value> {
        match self.map_item {
            Some(item) => std::borrow::Cow::Owned(with_map_item(
                self.context.get(),
                item.index,
                &arena.get(item.value).to_value(),
            )),
            None => std::borrow::Cow::Borrowed(self.context.get()),
        }
    }

    /// Read `path` from `$$` (`$$.…`, with `arena` holding the Map item),
    /// from a variable (`$name…`) or from `input`.
    pub(crate) fn read(
        &self,
        arena: &Arena,
        path: &str,
        input: &Value,
    ) -> Result<Value, StatesError> {
        let result = match path.strip_prefix('$') {
            Some(rest) if rest.starts_with('$') => paths::select(rest, &self.context_value(arena)),
            Some(rest) if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let (name, tail) = rest.split_at(end);
                match self.variables.get(name) {
                    Some(value) => paths::select(&format!("${tail}"), value),
                    None => Err(paths::PathError {
                        message: format!(
                            "Invalid path '{path}' : the variable '{name}' is not defined"
                        ),
                    }),
                }
            }
            _ => paths::select(path, input),
        };
        result.map_err(|e| StatesError::runtime(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_input_context_and_variables() -> Result<(), StatesError> {
        let context = LazyContext::ready(json!({"State": {"Name": "S"}}));
        let mut variables = Variables::new();
        variables.insert("answer".into(), json!({"n": [42]}));
        let env = Env::new(&context, &variables);
        let input = json!({"a": 1});
        let arena = Arena::new();
        assert_eq!(env.read(&arena, "$.a", &input)?, json!(1));
        assert_eq!(env.read(&arena, "$$.State.Name", &input)?, json!("S"));
        assert_eq!(env.read(&arena, "$answer.n[0]", &input)?, json!(42));
        assert_eq!(env.read(&arena, "$answer", &input)?, json!({"n": [42]}));
        assert!(env.read(&arena, "$missing", &input).is_err());
        Ok(())
    }
}
