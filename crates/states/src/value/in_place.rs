//! Objects and arrays whose number of entries is known before their values
//! are made (a copy of another arena's value, an imported
//! `serde_json::Value`, a compiled template with distinct keys).
//!
//! Their entries are reserved in the fields or items table first and
//! written in place as each value is made; nested values append their own
//! entries after the reserved ones. Nothing goes through the scratch
//! stacks of [`super::build`]: one copy fewer per entry, and an arena that
//! only builds such values (a Map iteration's, copying its item in) never
//! allocates those stacks. Entries reserved for a value whose building
//! fails stay unused (the tables only grow, as after a discarded object).

use super::arena::{Arena, Key, Node, NodeId, Span};

/// An object being built in place: its fields' entries in the table.
#[derive(Debug)]
#[must_use = "an object begun must be finished"]
pub(crate) struct FieldSlots {
    start: usize,
    len: usize,
}

/// An array being built in place: its items' entries in the table.
#[derive(Debug)]
#[must_use = "an array begun must be finished"]
pub(crate) struct ItemSlots {
    start: usize,
    len: usize,
}

impl Arena {
    /// Reserve the fields of an object of `len` fields with distinct keys;
    /// set each with [`Arena::set_field`].
    pub(crate) fn reserve_fields(&mut self, len: usize) -> FieldSlots {
        let start = self.fields.len();
        self.fields
            .resize(start + len, (Key::Static(""), NodeId::NULL));
        FieldSlots { start, len }
    }

    /// Set field `at` of the object `slots` reserved.
    pub(crate) fn set_field(&mut self, slots: &FieldSlots, at: usize, key: Key, value: NodeId) {
        if at < slots.len
            && let Some(field) = self.fields.get_mut(slots.start + at)
        {
            *field = (key, value);
        }
    }

    /// The object whose fields `slots` reserved, once all are set.
    pub(crate) fn finish_fields(&mut self, slots: FieldSlots) -> NodeId {
        if slots.len == 0 {
            return NodeId::EMPTY_OBJECT;
        }
        let span = self.reserved_span(slots.start, slots.len);
        self.push(Node::Object(span))
    }

    /// Reserve the items of an array of `len` items; set each with
    /// [`Arena::set_item`].
    pub(crate) fn reserve_items(&mut self, len: usize) -> ItemSlots {
        let start = self.items.len();
        self.items.resize(start + len, NodeId::NULL);
        ItemSlots { start, len }
    }

    /// Set item `at` of the array `slots` reserved.
    pub(crate) fn set_item(&mut self, slots: &ItemSlots, at: usize, value: NodeId) {
        if at < slots.len
            && let Some(item) = self.items.get_mut(slots.start + at)
        {
            *item = value;
        }
    }

    /// The array whose items `slots` reserved, once all are set.
    pub(crate) fn finish_items(&mut self, slots: ItemSlots) -> NodeId {
        if slots.len == 0 {
            return NodeId::EMPTY_ARRAY;
        }
        let span = self.reserved_span(slots.start, slots.len);
        self.push(Node::Array(span))
    }

    fn reserved_span(&mut self, start: usize, len: usize) -> Span {
        Span {
            start: self.index(start),
            len: self.index(len),
        }
    }

    /// A copy of `id` from `other` (a branch's arena joining its parent's).
    /// A copy's text bound is its original's: each node is added with it
    /// rather than working it out again from the node's children.
    pub fn copy_from(&mut self, other: &Arena, id: NodeId) -> NodeId {
        match other.node(id) {
            Node::Null => NodeId::NULL,
            Node::Bool(value) => NodeId::bool(value),
            Node::Number(number) => self.push_bounded(Node::Number(number), other.bound_of(id)),
            Node::String(span) if span.len == 0 => self.string(""),
            Node::String(span) => {
                let text = self.push_text(other.text_of(span));
                self.push_bounded(Node::String(text), other.bound_of(id))
            }
            Node::Array(span) => {
                let items = other.items_of(span);
                if items.is_empty() {
                    return NodeId::EMPTY_ARRAY;
                }
                let slots = self.reserve_items(items.len());
                for (at, &item) in items.iter().enumerate() {
                    let copy = self.copy_from(other, item);
                    self.set_item(&slots, at, copy);
                }
                let span = self.reserved_span(slots.start, slots.len);
                self.push_bounded(Node::Array(span), other.bound_of(id))
            }
            Node::Object(span) => {
                let fields = other.fields_of(span);
                if fields.is_empty() {
                    return NodeId::EMPTY_OBJECT;
                }
                let slots = self.reserve_fields(fields.len());
                for (at, &(key, value)) in fields.iter().enumerate() {
                    let key = match key {
                        Key::Static(text) => Key::Static(text),
                        Key::Text(_) => self.key(other.key_text(key)),
                    };
                    let copy = self.copy_from(other, value);
                    self.set_field(&slots, at, key, copy);
                }
                let span = self.reserved_span(slots.start, slots.len);
                self.push_bounded(Node::Object(span), other.bound_of(id))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_keeps_its_originals_text_bound() {
        let mut from = Arena::new();
        let original = from.import(&serde_json::json!(
            {"id": 7, "kind": "item", "xs": [1.5, "a\u{1}", [], {}, null, true], "o": {"k": -2}}
        ));
        let mut to = Arena::new();
        let copy = to.copy_from(&from, original);
        assert_eq!(to.get(copy).to_value(), from.get(original).to_value());
        assert_eq!(to.bound_of(copy), from.bound_of(original));
        // And the bound is what adding the copy's nodes afresh works out.
        let mut fresh = Arena::new();
        let imported = fresh.import(&from.get(original).to_value());
        assert_eq!(fresh.bound_of(imported), to.bound_of(copy));
    }
}
