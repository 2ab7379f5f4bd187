//! Every `{% %}` expression of a definition, parsed once when the
//! definition is loaded, so evaluating one is a table lookup and a walk of
//! its tree instead of tokenising and parsing its text again.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::expression_text;
use super::parser::{Node, parse};
use crate::fnv::FnvBuild;

/// The parsed expressions of one definition (nested machines included),
/// keyed by their text. An expression that does not parse is left out: it
/// is parsed again when it runs, and fails then with the parser's message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expressions {
    parsed: HashMap<Box<str>, Arc<Node>, FnvBuild>,
}

impl Expressions {
    /// Parse every `{% %}` string anywhere in `definition`.
    pub(crate) fn collect(definition: &Value) -> Self {
        let mut expressions = Expressions::default();
        expressions.add(definition);
        expressions
    }

    fn add(&mut self, value: &Value) {
        match value {
            Value::String(_) => {
                if let Some(text) = expression_text(value)
                    && !self.parsed.contains_key(text)
                    && let Ok(node) = parse(text)
                {
                    self.parsed.insert(text.into(), Arc::new(node));
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.add(item)),
            Value::Object(map) => map.values().for_each(|item| self.add(item)),
            _ => {}
        }
    }

    /// The tree of `text` (the expression inside `{% %}`), if the
    /// definition has it.
    pub(crate) fn get(&self, text: &str) -> Option<&Node> {
        self.parsed.get(text).map(Arc::as_ref)
    }
}
