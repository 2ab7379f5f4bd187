//! Values of the arena inside an evaluation: when they turn into JSON, and
//! the arrays, objects and `$merge` results that are built in the arena
//! instead, so that `$merge([$states.input, {'r': $states.result}])`
//! shares the input's fields by id rather than copying them twice.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::super::functions;
use super::super::value::Val;
use super::{Evaluator, Values};
use crate::value::{Arena, Kind, NodeId, ObjectMark};

/// Most objects a `$merge([…])` merges without building its array.
const MERGED_IN_PLACE: usize = 8;

/// The JSONata type name of an arena value's kind (for error messages).
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Null => "null",
        Kind::Bool => "boolean",
        Kind::Number => "number",
        Kind::String => "string",
        Kind::Array => "array",
        Kind::Object => "object",
    }
}

impl Evaluator<'_, '_> {
    /// `value` as JSON: a value of the arena is copied out, anything else is
    /// returned as it is.
    pub(super) fn to_json(&self, value: Val) -> Val {
        match value {
            Val::Node(id) => Val::Json(self.values.arena().get(id).to_value()),
            other => other,
        }
    }

    /// Evaluate `node` for an operation that reads JSON.
    pub(super) fn eval_json(&mut self, node: &super::Node, context: &Val) -> Result<Val, String> {
        let value = self.eval(node, context)?;
        Ok(self.to_json(value))
    }

    /// The id of `value` in the arena, importing JSON.
    fn node_of(arena: &mut Arena, value: Val) -> NodeId {
        match value {
            Val::Node(id) => id,
            Val::Json(json) => arena.import(&json),
            _ => NodeId::NULL,
        }
    }

    /// An array of `items` (JSON or arena values, never functions): built in
    /// the arena when one of them is there and the arena may grow, else JSON.
    pub(super) fn array(&mut self, items: Vec<Val>) -> Val {
        let holds_node = items.iter().any(|item| matches!(item, Val::Node(_)));
        match &mut self.values {
            Values::Build(arena) if holds_node => {
                let mark = arena.begin_array();
                for item in items {
                    let id = Self::node_of(arena, item);
                    arena.push_item(id);
                }
                Val::Node(arena.finish_array(mark))
            }
            _ => Val::Json(Value::Array(
                items
                    .into_iter()
                    .filter_map(|item| match self.to_json(item) {
                        Val::Json(json) => Some(json),
                        _ => None,
                    })
                    .collect(),
            )),
        }
    }

    /// An object of `fields` as JSON (a key given twice keeps its first
    /// place and its last value): what a read-only evaluation builds.
    pub(super) fn json_object(&self, fields: Vec<(Cow<'_, str>, Val)>) -> Val {
        let mut map = Map::with_capacity(fields.len());
        for (key, value) in fields {
            if let Val::Json(json) = self.to_json(value) {
                map.insert(key.into_owned(), json);
            }
        }
        Val::Json(Value::Object(map))
    }

    /// The key of an object constructor's pair: its literal text, or what
    /// its expression yields, which must be a string.
    pub(super) fn object_key<'n>(
        &mut self,
        key: &'n super::Node,
        context: &Val,
    ) -> Result<Cow<'n, str>, String> {
        match key {
            super::Node::Str(text) => Ok(Cow::Borrowed(text.as_str())),
            key => match self.eval_json(key, context)? {
                Val::Json(Value::String(s)) => Ok(Cow::Owned(s)),
                _ => Err("Key in object structure must evaluate to a string".into()),
            },
        }
    }

    /// An object constructor built straight into the arena: `mark` began
    /// it there, each pair's value is added as it is evaluated, and a
    /// failing pair drops what was gathered.
    pub(super) fn object_in_arena(
        &mut self,
        mark: ObjectMark,
        pairs: &[(super::Node, super::Node)],
        context: &Val,
    ) -> Result<Val, String> {
        let gathered = self.gather_pairs(pairs, context);
        match (&mut self.values, gathered) {
            (Values::Build(arena), Ok(())) => Ok(Val::Node(arena.finish_object(mark))),
            (Values::Build(arena), Err(e)) => {
                arena.discard_object(mark);
                Err(e)
            }
            // `values` does not change during an evaluation: only a
            // `Build` evaluator begins an object in the arena.
            (Values::Read(_), gathered) => gathered.map(|()| Val::Undefined),
        }
    }

    /// Evaluate `pairs` and add each defined one to the object being built.
    fn gather_pairs(
        &mut self,
        pairs: &[(super::Node, super::Node)],
        context: &Val,
    ) -> Result<(), String> {
        for (key, value) in pairs {
            let key = self.object_key(key, context)?;
            let value = match self.eval(value, context)? {
                Val::Undefined => continue,
                value @ (Val::Json(_) | Val::Node(_)) => value,
                _ => return Err(super::FUNCTION_AS_OBJECT_VALUE.into()),
            };
            if let Values::Build(arena) = &mut self.values {
                let id = Self::node_of(arena, value);
                let key = arena.key(&key);
                arena.push_field(key, id);
            }
        }
        Ok(())
    }

    /// Call a built-in or a lambda. Built-ins work on JSON, except `$merge`
    /// of arena values, which merges their fields by id.
    pub(super) fn apply(&mut self, function: &Val, args: Vec<Val>) -> Result<Val, String> {
        match function {
            Val::Builtin("merge") if matches!(args.first(), Some(Val::Node(_))) => {
                self.merge_in_arena(args)
            }
            Val::Builtin(name) => {
                let args = args.into_iter().map(|arg| self.to_json(arg)).collect();
                functions::call(self, name, args)
            }
            Val::Lambda(lambda) => self.call_lambda(lambda, args),
            _ => Err("Attempted to invoke a non-function".into()),
        }
    }

    /// `$merge([a, b, …])`: when every item is an object of the arena, their
    /// fields merged without building the array; otherwise the array built
    /// and merged as any other argument.
    pub(super) fn merge_constructed(
        &mut self,
        items: &[super::Node],
        context: &Val,
    ) -> Result<Val, String> {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            match self.eval(item, context)? {
                Val::Undefined => {}
                value @ (Val::Json(_) | Val::Node(_)) => values.push(value),
                _ => return Err("functions cannot be array items".into()),
            }
        }
        let mut members = [NodeId::NULL; MERGED_IN_PLACE];
        let all_nodes = values.len() <= MERGED_IN_PLACE
            && values
                .iter()
                .zip(members.iter_mut())
                .all(|(value, member)| match value {
                    Val::Node(id) => {
                        *member = *id;
                        true
                    }
                    _ => false,
                });
        match &mut self.values {
            Values::Build(arena) if all_nodes => {
                let members = members.get(..values.len()).unwrap_or(&[]);
                arena.merged(members).map(Val::Node).map_err(|other| {
                    format!(
                        "Argument 1 of function $merge must be an array of objects, not {}",
                        kind_name(arena.get(other).kind())
                    )
                })
            }
            _ => {
                let argument = self.array(values);
                self.apply(&Val::Builtin("merge"), vec![argument])
            }
        }
    }

    /// `$merge` of an arena array of objects (or one object): a new object
    /// whose fields are the objects' fields in order, a later object's value
    /// replacing an earlier one's in its place, as the JSON `$merge` does.
    fn merge_in_arena(&mut self, args: Vec<Val>) -> Result<Val, String> {
        let Some(Val::Node(argument)) = args.into_iter().next() else {
            return Ok(Val::Undefined);
        };
        let Values::Build(arena) = &mut self.values else {
            let json = self.to_json(Val::Node(argument));
            return functions::call(self, "merge", vec![json]);
        };
        arena
            .merged_objects(argument)
            .map(Val::Node)
            .map_err(|other| {
                format!(
                    "Argument 1 of function $merge must be an array of objects, not {}",
                    kind_name(arena.get(other).kind())
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::kind_name;
    use crate::jsonata::value::type_name;
    use crate::value::Arena;
    use serde_json::json;

    #[test]
    fn kind_names_are_the_json_type_names() {
        let mut arena = Arena::default();
        for value in [
            json!(null),
            json!(true),
            json!(1),
            json!("s"),
            json!([]),
            json!({}),
        ] {
            let id = arena.import(&value);
            assert_eq!(kind_name(arena.get(id).kind()), type_name(&value));
        }
    }
}
