//! A definition field kept as written beside a form compiled from it when
//! the definition is read: the JSONPath payload templates
//! ([`super::template::Template`]) and the JSONata templates
//! ([`crate::jsonata::JsonataTemplate`]).

use std::ops::Deref;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// What a field compiles to.
pub(crate) trait Compile {
    /// Compile the field as written.
    fn compile(raw: &Value) -> Self;
}

/// A field as written, with its compiled form. It dereferences to the
/// field as written (for validation, error messages and the other query
/// language).
#[derive(Debug, Clone)]
pub(crate) struct Compiled<C> {
    raw: Value,
    compiled: C,
}

impl<C: Compile> Compiled<C> {
    /// Compile `raw`.
    pub(crate) fn new(raw: Value) -> Self {
        let compiled = C::compile(&raw);
        Compiled { raw, compiled }
    }
}

impl<C> Compiled<C> {
    /// The compiled form.
    pub(crate) fn compiled(&self) -> &C {
        &self.compiled
    }
}

impl<C> Deref for Compiled<C> {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.raw
    }
}

impl<'de, C: Compile> Deserialize<'de> for Compiled<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Compiled::new)
    }
}

/// For `#[serde(deserialize_with)]`: a present field is `Some`, even when it
/// is `null` (serde's `Option` would read `null` as absent).
pub(crate) fn present_compiled<'de, D: Deserializer<'de>, C: Compile>(
    deserializer: D,
) -> Result<Option<Compiled<C>>, D::Error> {
    Compiled::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::template::Template;
    use crate::jsonata::JsonataTemplate;
    use serde_json::json;

    #[test]
    fn null_is_present() -> Result<(), serde_json::Error> {
        #[derive(Deserialize)]
        struct Fields {
            #[serde(default, deserialize_with = "present_compiled")]
            parameters: Option<Template>,
            #[serde(default, deserialize_with = "present_compiled")]
            output: Option<JsonataTemplate>,
        }
        let fields: Fields = serde_json::from_value(json!({"parameters": null, "output": null}))?;
        assert!(matches!(fields.parameters.as_deref(), Some(Value::Null)));
        assert!(matches!(fields.output.as_deref(), Some(Value::Null)));
        let absent: Fields = serde_json::from_value(json!({}))?;
        assert!(absent.parameters.is_none() && absent.output.is_none());
        Ok(())
    }
}
