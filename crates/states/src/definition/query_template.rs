//! A template that either query language may hold (`Assign`, a Map's
//! `ItemSelector`): the state's language is known only when it runs, so
//! the field is compiled both ways when the definition is read.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::template::Template;
use crate::jsonata::JsonataTemplate;

/// A template compiled as a JSONPath payload template and as a JSONata
/// template.
#[derive(Debug, Clone)]
pub(crate) struct QueryTemplate {
    jsonpath: Template,
    jsonata: JsonataTemplate,
}

impl QueryTemplate {
    /// Compile `raw` both ways.
    pub(crate) fn new(raw: Value) -> Self {
        QueryTemplate {
            jsonpath: Template::new(raw.clone()),
            jsonata: JsonataTemplate::new(raw),
        }
    }

    /// The template as a JSONPath state reads it (`.$` keys).
    pub(crate) fn jsonpath(&self) -> &Template {
        &self.jsonpath
    }

    /// The template as a JSONata state reads it (`{% %}` strings).
    pub(crate) fn jsonata(&self) -> &JsonataTemplate {
        &self.jsonata
    }
}

impl<'de> Deserialize<'de> for QueryTemplate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(QueryTemplate::new)
    }
}
