//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`,
//! `Assign`) compiled once, when the definition is read.
//!
//! Every execution evaluates the same templates, so the work that depends
//! only on the template is done here: which keys end in `.$`, the output key
//! without it, the output keys as interned text, and the parse of each path
//! into the state input. Evaluation (`executor::io::payload_template`, into
//! the execution's arena) then walks a ready tree. The template as
//! written stays available (a [`Template`] dereferences to it) for JSONata
//! mode, validation and error messages.

use std::sync::Arc;

use serde_json::Value;

use super::compiled::{Compile, Compiled};
use crate::history;
use crate::paths::{self, Parsed};
use crate::value::{Arena, Key};

/// A payload template as written, with its compiled form.
pub(crate) type Template = Compiled<Node>;

/// One node of a compiled template.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// An object: each output key (`.$` removed) with its node, in order.
    Object(Vec<(String, Node)>, Shape),
    /// An array, each item a template of its own.
    Array(Vec<Node>),
    /// A value copied as it is.
    Literal {
        /// The value.
        value: Value,
    },
    /// A `key.$` field whose value is a path into the state input (`$`,
    /// `$.…`, `$[…]`), parsed here.
    InputPath {
        /// The key as written, `.$` included (for error messages).
        key: Box<str>,
        /// The path as written.
        expression: Box<str>,
        /// Its parse.
        path: Arc<Parsed>,
    },
    /// Any other `key.$` field: a context path, a variable, an intrinsic
    /// function, or a value that is not a string (a runtime error when
    /// evaluated, as on AWS).
    Dynamic {
        /// The key as written, `.$` included.
        key: Box<str>,
        /// The value as written.
        value: Value,
    },
}

/// What a [`Node::Object`]'s output looks like before its values are known.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    /// Whether the output keys are distinct (`"a"` and `"a.$"` in one
    /// template name the same output key).
    distinct: bool,
    /// Each output key as an arena key: interned text, so that building the
    /// object in an execution's arena copies no key (a key past the
    /// interning budget is copied into the arena instead).
    keys: Vec<Option<&'static str>>,
}

impl Shape {
    fn of(fields: &[(String, Node)]) -> Shape {
        let names: std::collections::HashSet<&str> =
            fields.iter().map(|(name, _)| name.as_str()).collect();
        let keys = fields
            .iter()
            .map(|(name, _)| match history::Name::new(name) {
                history::Name::Interned(text) => Some(text),
                history::Name::Counted(_) => None,
            })
            .collect();
        Shape {
            distinct: names.len() == fields.len(),
            keys,
        }
    }

    /// Whether the output keys are distinct (`"a"` and `"a.$"` are not).
    pub(crate) fn has_distinct_keys(&self) -> bool {
        self.distinct
    }

    /// The `at`th output key as an arena key.
    pub(crate) fn arena_key(&self, arena: &mut Arena, at: usize, name: &str) -> Key {
        match self.keys.get(at) {
            Some(Some(text)) => Key::Static(text),
            _ => arena.key(name),
        }
    }
}

impl Compile for Node {
    fn compile(raw: &Value) -> Node {
        compile(raw)
    }
}

fn compile(value: &Value) -> Node {
    match value {
        Value::Object(map) => {
            let fields: Vec<(String, Node)> = map
                .iter()
                .map(|(key, value)| match key.strip_suffix(".$") {
                    Some(name) => (name.to_string(), compile_dynamic(key, value)),
                    None => (key.clone(), compile(value)),
                })
                .collect();
            let shape = Shape::of(&fields);
            Node::Object(fields, shape)
        }
        Value::Array(items) => Node::Array(items.iter().map(compile).collect()),
        other => Node::Literal {
            value: other.clone(),
        },
    }
}

fn compile_dynamic(key: &str, value: &Value) -> Node {
    match value.as_str() {
        Some(expression) if reads_input(expression) => Node::InputPath {
            key: key.into(),
            expression: expression.into(),
            path: Arc::new(paths::parse(expression)),
        },
        _ => Node::Dynamic {
            key: key.into(),
            value: value.clone(),
        },
    }
}

/// Whether a `.$` value is a path into the state input, rather than `$$…`
/// (the context object), `$name…` (a variable) or an intrinsic function.
pub(crate) fn reads_input(expression: &str) -> bool {
    expression == "$" || expression.starts_with("$.") || expression.starts_with("$[")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_lose_their_suffix_and_input_paths_are_parsed() {
        let template = Template::new(json!({
            "a.$": "$.x", "b": {"c.$": "$$.State.Name"}, "d.$": "States.UUID()", "e": [1, {"f.$": "$"}]
        }));
        let Node::Object(fields, _) = template.compiled() else {
            panic!("not an object: {:?}", template.compiled());
        };
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["a", "b", "d", "e"]);
        assert!(matches!(&fields[0].1, Node::InputPath { key, .. } if &**key == "a.$"));
        assert!(
            matches!(&fields[1].1, Node::Object(inner, _) if matches!(inner[0].1, Node::Dynamic { .. }))
        );
        assert!(matches!(fields[2].1, Node::Dynamic { .. }));
        assert!(
            matches!(&fields[3].1, Node::Array(items) if matches!(&items[1], Node::Object(f, _) if matches!(f[0].1, Node::InputPath { .. })))
        );
        assert_eq!(
            *template,
            json!({"a.$": "$.x", "b": {"c.$": "$$.State.Name"}, "d.$": "States.UUID()", "e": [1, {"f.$": "$"}]})
        );
    }
}
