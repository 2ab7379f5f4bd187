//! [`Json`]: a borrowed view of one value in an [`Arena`], read like a
//! `serde_json::Value`.

use std::fmt;

use super::arena::{Arena, Key, Node, NodeId};
use super::number::Number;

impl Arena {
    /// A view of the value `id`.
    pub fn get(&self, id: NodeId) -> Json<'_> {
        Json::new(self, id)
    }
}

/// What kind of JSON value a [`Json`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// One value of an [`Arena`], with the arena to read it in. `Copy`: pass it
/// by value.
#[derive(Clone, Copy)]
pub struct Json<'a> {
    arena: &'a Arena,
    id: NodeId,
}

impl<'a> Json<'a> {
    pub(super) fn new(arena: &'a Arena, id: NodeId) -> Json<'a> {
        Json { arena, id }
    }

    /// The value's id in its arena.
    pub fn id(self) -> NodeId {
        self.id
    }

    /// The arena the value lives in.
    pub fn arena(self) -> &'a Arena {
        self.arena
    }

    fn node(self) -> Node {
        self.arena.node(self.id)
    }

    fn at(self, id: NodeId) -> Json<'a> {
        Json::new(self.arena, id)
    }

    /// The value's kind.
    pub fn kind(self) -> Kind {
        match self.node() {
            Node::Null => Kind::Null,
            Node::Bool(_) => Kind::Bool,
            Node::Number(_) => Kind::Number,
            Node::String(_) => Kind::String,
            Node::Array(_) => Kind::Array,
            Node::Object(_) => Kind::Object,
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(self) -> bool {
        matches!(self.node(), Node::Null)
    }

    /// The boolean, if the value is one.
    pub fn as_bool(self) -> Option<bool> {
        match self.node() {
            Node::Bool(value) => Some(value),
            _ => None,
        }
    }

    /// The number, if the value is one.
    pub fn as_number(self) -> Option<Number> {
        match self.node() {
            Node::Number(number) => Some(number),
            _ => None,
        }
    }

    /// The number as an `f64`, if the value is a number.
    pub fn as_f64(self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// The number as an `i64`, if the value is an integer that fits.
    pub fn as_i64(self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as a `u64`, if the value is a non-negative integer.
    pub fn as_u64(self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The string's text, if the value is a string.
    pub fn as_str(self) -> Option<&'a str> {
        match self.node() {
            Node::String(span) => Some(self.arena.text_of(span)),
            _ => None,
        }
    }

    /// How many items or fields the array or object has (0 for other kinds).
    pub fn len(self) -> usize {
        match self.node() {
            Node::Array(span) | Node::Object(span) => span.len as usize,
            _ => 0,
        }
    }

    /// Whether the value is an empty array or object, or not a container.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The array's items in order (none for other kinds).
    pub fn items(self) -> impl ExactSizeIterator<Item = Json<'a>> + 'a {
        let items = match self.node() {
            Node::Array(span) => self.arena.items_of(span),
            _ => &[],
        };
        let arena = self.arena;
        items.iter().map(move |&id| Json::new(arena, id))
    }

    /// The item at `index`, if the value is an array that long.
    pub fn index(self, index: usize) -> Option<Json<'a>> {
        match self.node() {
            Node::Array(span) => self.arena.items_of(span).get(index).map(|&id| self.at(id)),
            _ => None,
        }
    }

    /// The object's fields in order, as key text and value (none for other
    /// kinds).
    pub fn fields(self) -> impl ExactSizeIterator<Item = (&'a str, Json<'a>)> + 'a {
        self.keyed_fields()
            .map(move |(key, value)| (self.arena.key_text(key), value))
    }

    /// The object's fields in order, with their [`Key`]s (none for other kinds).
    pub fn keyed_fields(self) -> impl ExactSizeIterator<Item = (Key, Json<'a>)> + 'a {
        let fields = match self.node() {
            Node::Object(span) => self.arena.fields_of(span),
            _ => &[],
        };
        let arena = self.arena;
        fields
            .iter()
            .map(move |&(key, id)| (key, Json::new(arena, id)))
    }

    /// The value of field `key`, if the value is an object that has it.
    pub fn get(self, key: &str) -> Option<Json<'a>> {
        let Node::Object(span) = self.node() else {
            return None;
        };
        // Lengths first: most keys that differ differ in length, and a key's
        // length is read without finding its text. A key from the
        // definition read with the same interned text matches by address.
        self.arena
            .fields_of(span)
            .iter()
            .find(|&&(field, _)| {
                field.len() == key.len()
                    && match field {
                        Key::Static(text) => {
                            std::ptr::eq(text.as_ptr(), key.as_ptr()) || text == key
                        }
                        Key::Text(_) => self.arena.key_text(field) == key,
                    }
            })
            .map(|&(_, id)| self.at(id))
    }

    /// The value as a `serde_json::Value` (a deep copy).
    pub fn to_value(self) -> serde_json::Value {
        use serde_json::Value;
        match self.node() {
            Node::Null => Value::Null,
            Node::Bool(value) => Value::Bool(value),
            Node::Number(number) => Value::Number(number.into()),
            Node::String(span) => Value::String(self.arena.text_of(span).to_owned()),
            Node::Array(_) => Value::Array(self.items().map(Json::to_value).collect()),
            Node::Object(_) => {
                let mut map = serde_json::Map::with_capacity(self.len());
                for (key, value) in self.fields() {
                    map.insert(key.to_owned(), value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl PartialEq for Json<'_> {
    /// Equal as JSON: objects with the same keys and values in any order,
    /// numbers as serde_json compares them (`1` is not `1.0`).
    fn eq(&self, other: &Json<'_>) -> bool {
        if std::ptr::eq(self.arena, other.arena) && self.id == other.id {
            return true;
        }
        match (self.node(), other.node()) {
            (Node::Null, Node::Null) => true,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Number(a), Node::Number(b)) => a == b,
            (Node::String(_), Node::String(_)) => self.as_str() == other.as_str(),
            (Node::Array(_), Node::Array(_)) => {
                self.len() == other.len() && self.items().zip(other.items()).all(|(a, b)| a == b)
            }
            (Node::Object(_), Node::Object(_)) => {
                self.len() == other.len()
                    && self
                        .fields()
                        .all(|(key, value)| other.get(key).is_some_and(|theirs| value == theirs))
            }
            _ => false,
        }
    }
}

impl PartialEq<serde_json::Value> for Json<'_> {
    /// Equal as JSON, by the rules of `Json == Json`.
    fn eq(&self, other: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self.node(), other) {
            (Node::Null, Value::Null) => true,
            (Node::Bool(a), Value::Bool(b)) => a == *b,
            (Node::Number(a), Value::Number(b)) => a == Number::from(b),
            (Node::String(_), Value::String(b)) => self.as_str() == Some(b.as_str()),
            (Node::Array(_), Value::Array(b)) => {
                self.len() == b.len() && self.items().zip(b).all(|(a, b)| a == *b)
            }
            (Node::Object(_), Value::Object(b)) => {
                self.len() == b.len()
                    && self
                        .fields()
                        .all(|(key, value)| b.get(key).is_some_and(|theirs| value == *theirs))
            }
            _ => false,
        }
    }
}

impl fmt::Display for Json<'_> {
    /// The value's JSON text, as `serde_json::to_string` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_text(&mut text);
        f.write_str(&text)
    }
}

impl fmt::Debug for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
