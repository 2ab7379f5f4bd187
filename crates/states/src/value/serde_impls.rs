//! serde for arena values: [`Json`] serialises like the value it views, and
//! text or any serde format deserialises straight into an [`Arena`]
//! (no `serde_json::Value` in between); `serde_json::Value`s convert both ways.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::arena::{Arena, Key, Node, NodeId};
use super::number::Number;
use super::view::Json;

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.arena().node(self.id()) {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(value) => serializer.serialize_bool(value),
            Node::Number(Number::PosInt(n)) => serializer.serialize_u64(n),
            Node::Number(Number::NegInt(n)) => serializer.serialize_i64(n),
            Node::Number(Number::Float(f)) => serializer.serialize_f64(f),
            Node::String(_) => serializer.serialize_str(self.as_str().unwrap_or("")),
            Node::Array(_) => {
                let mut seq = serializer.serialize_seq(Some(self.len()))?;
                for item in self.items() {
                    seq.serialize_element(&item)?;
                }
                seq.end()
            }
            Node::Object(_) => {
                let mut map = serializer.serialize_map(Some(self.len()))?;
                for (key, value) in self.fields() {
                    map.serialize_entry(key, &value)?;
                }
                map.end()
            }
        }
    }
}

impl Arena {
    /// Parse JSON text into this arena.
    ///
    /// # Errors
    ///
    /// serde_json's error for text that is not one JSON value (nesting
    /// deeper than serde_json's limit of 128 included).
    pub fn parse(&mut self, text: &str) -> Result<NodeId, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let id = self.deserialize_from(&mut deserializer)?;
        deserializer.end()?;
        Ok(id)
    }

    /// Deserialise one value from any serde format into this arena.
    ///
    /// # Errors
    ///
    /// The deserialiser's error.
    pub fn deserialize_from<'de, D: Deserializer<'de>>(
        &mut self,
        deserializer: D,
    ) -> Result<NodeId, D::Error> {
        let (fields, items) = (self.open_fields.len(), self.open_items.len());
        let parsed = ValueSeed(self).deserialize(deserializer);
        if parsed.is_err() {
            // Drop what the unfinished objects and arrays had gathered.
            self.open_fields.truncate(fields);
            self.open_items.truncate(items);
        }
        parsed
    }

    /// A copy of `value` in this arena.
    pub fn import(&mut self, value: &serde_json::Value) -> NodeId {
        use serde_json::Value;
        match value {
            Value::Null => NodeId::NULL,
            Value::Bool(value) => NodeId::bool(*value),
            Value::Number(number) => self.number(Number::from(number)),
            Value::String(text) => self.string(text),
            // Sizes known: built in place (`in_place.rs`).
            Value::Array(items) => {
                let slots = self.reserve_items(items.len());
                for (at, item) in items.iter().enumerate() {
                    let id = self.import(item);
                    self.set_item(&slots, at, id);
                }
                self.finish_items(slots)
            }
            Value::Object(map) => {
                // A serde_json map's keys are distinct.
                let slots = self.reserve_fields(map.len());
                for (at, (key, item)) in map.iter().enumerate() {
                    let key = self.key(key);
                    let id = self.import(item);
                    self.set_field(&slots, at, key, id);
                }
                self.finish_fields(slots)
            }
        }
    }
}

/// Deserialises one value into the arena it holds.
struct ValueSeed<'a>(&'a mut Arena);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = NodeId;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<NodeId, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = NodeId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<NodeId, E> {
        Ok(NodeId::bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<NodeId, E> {
        Ok(self.0.number(Number::from_i64(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<NodeId, E> {
        Ok(self.0.number(Number::PosInt(value)))
    }

    /// As serde_json's `Value`: a float JSON cannot write becomes `null`.
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<NodeId, E> {
        Ok(Number::from_f64(value).map_or(NodeId::NULL, |number| self.0.number(number)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<NodeId, E> {
        Ok(self.0.string(value))
    }

    fn visit_none<E: de::Error>(self) -> Result<NodeId, E> {
        Ok(NodeId::NULL)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<NodeId, D::Error> {
        ValueSeed(self.0).deserialize(deserializer)
    }

    fn visit_unit<E: de::Error>(self) -> Result<NodeId, E> {
        Ok(NodeId::NULL)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeId, A::Error> {
        let arena = self.0;
        let mark = arena.begin_array();
        while let Some(id) = seq.next_element_seed(ValueSeed(arena))? {
            arena.push_item(id);
        }
        Ok(arena.finish_array(mark))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeId, A::Error> {
        let arena = self.0;
        let mark = arena.begin_object();
        while let Some(key) = map.next_key_seed(KeySeed(arena))? {
            let id = map.next_value_seed(ValueSeed(arena))?;
            arena.push_field(key, id);
        }
        Ok(arena.finish_object(mark))
    }
}

/// Deserialises an object key into the arena's text.
struct KeySeed<'a>(&'a mut Arena);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(self.0.key(key))
    }
}
