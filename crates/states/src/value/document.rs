//! [`Document`]: a value together with the arena it lives in, for handing a
//! value out of the execution that made it (an execution's output).

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::arena::{Arena, NodeId};
use super::view::Json;

/// A JSON value that owns (a share of) its arena. [`Document::json`] reads it
/// in place; it also dereferences to a `serde_json::Value`, built the first
/// time that is asked for, so code written for `Value`s keeps working and
/// pays for the conversion only when it uses it.
#[derive(Clone)]
pub struct Document {
    arena: Arc<Arena>,
    root: NodeId,
    value: OnceLock<Value>,
}

impl Document {
    /// The value `root` of `arena`.
    pub fn new(arena: Arc<Arena>, root: NodeId) -> Document {
        Document {
            arena,
            root,
            value: OnceLock::new(),
        }
    }

    /// A view of the value, read without building a `serde_json::Value`.
    pub fn json(&self) -> Json<'_> {
        self.arena.get(self.root)
    }

    /// The value as a `serde_json::Value` (built on first use, then kept).
    pub fn value(&self) -> &Value {
        self.value.get_or_init(|| self.json().to_value())
    }

    /// The value as an owned `serde_json::Value`.
    pub fn into_value(self) -> Value {
        match self.value.into_inner() {
            Some(value) => value,
            None => self.arena.get(self.root).to_value(),
        }
    }
}

impl Deref for Document {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.value()
    }
}

impl From<Value> for Document {
    fn from(value: Value) -> Document {
        let mut arena = Arena::new();
        let root = arena.import(&value);
        Document {
            arena: Arc::new(arena),
            root,
            value: OnceLock::from(value),
        }
    }
}

impl From<Document> for Value {
    fn from(document: Document) -> Value {
        document.into_value()
    }
}

impl PartialEq for Document {
    fn eq(&self, other: &Document) -> bool {
        self.json() == other.json()
    }
}

impl PartialEq<Value> for Document {
    fn eq(&self, other: &Value) -> bool {
        self.json() == *other
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.json(), f)
    }
}

impl fmt::Display for Document {
    /// The value's JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.json(), f)
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Document, D::Error> {
        let mut arena = Arena::new();
        let root = arena.deserialize_from(deserializer)?;
        Ok(Document::new(Arc::new(arena), root))
    }
}
