//! Building arrays and objects in an [`Arena`].
//!
//! An array's items and an object's fields are contiguous in the arena's
//! tables, so a value under construction gathers them on a scratch stack
//! first: [`Arena::begin_object`] marks where it starts, nested values are
//! begun and finished on top of it (last begun, first finished), and
//! [`Arena::finish_object`] moves its entries into the table in one go.

use std::collections::HashSet;
use std::collections::hash_map::{Entry, HashMap};

use super::arena::{Arena, Key, Node, NodeId, Span};

/// An object being built: where its fields start on the scratch stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an object begun must be finished"]
pub struct ObjectMark(usize);

/// An array being built: where its items start on the scratch stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an array begun must be finished"]
pub struct ArrayMark(usize);

/// Objects with at most this many fields are checked for a repeated key
/// pair by pair; larger ones with a hash set.
const PAIRWISE_CHECK_FIELDS: usize = 16;

impl Arena {
    /// Start an object; add its fields with [`Arena::push_field`].
    pub fn begin_object(&mut self) -> ObjectMark {
        ObjectMark(self.open_fields.len())
    }

    /// Where the next field of the object being built goes on the scratch
    /// stack (for [`Arena::finish_merged`]).
    pub fn open_fields_end(&self) -> usize {
        self.open_fields.len()
    }

    /// Add a field to the object begun last.
    pub fn push_field(&mut self, key: Key, value: NodeId) {
        self.open_fields.push((key, value));
    }

    /// Finish the object `mark` began. A key given twice keeps its first
    /// position and its last value, as when serde_json parses such text.
    pub fn finish_object(&mut self, mark: ObjectMark) -> NodeId {
        let start = mark.0.min(self.open_fields.len());
        if let Some(kept) = self.deduplicated(&self.open_fields[start..]) {
            self.open_fields.truncate(start);
            self.open_fields.extend(kept);
        }
        self.finish_object_distinct(mark)
    }

    /// [`Arena::finish_object`] for fields whose keys are known to be
    /// distinct (a compiled template's, or a copy of an object's).
    pub fn finish_object_distinct(&mut self, mark: ObjectMark) -> NodeId {
        let start = mark.0.min(self.open_fields.len());
        if start == self.open_fields.len() {
            return NodeId::EMPTY_OBJECT;
        }
        let span = self.span_of_new(self.fields.len(), self.open_fields.len() - start);
        if let Some(open) = self.open_fields.get(start..) {
            self.fields.extend_from_slice(open);
        }
        self.open_fields.truncate(start);
        self.push(Node::Object(span))
    }

    /// Start an array; add its items with [`Arena::push_item`].
    pub fn begin_array(&mut self) -> ArrayMark {
        ArrayMark(self.open_items.len())
    }

    /// Add an item to the array begun last.
    pub fn push_item(&mut self, value: NodeId) {
        self.open_items.push(value);
    }

    /// Finish the array `mark` began.
    pub fn finish_array(&mut self, mark: ArrayMark) -> NodeId {
        let start = mark.0.min(self.open_items.len());
        if start == self.open_items.len() {
            return NodeId::EMPTY_ARRAY;
        }
        let span = self.span_of_new(self.items.len(), self.open_items.len() - start);
        if let Some(open) = self.open_items.get(start..) {
            self.items.extend_from_slice(open);
        }
        self.open_items.truncate(start);
        self.push(Node::Array(span))
    }

    /// An object of `fields`, in order ([`Arena::finish_object`]'s rule for
    /// a repeated key).
    pub fn object(&mut self, fields: impl IntoIterator<Item = (Key, NodeId)>) -> NodeId {
        let mark = self.begin_object();
        self.open_fields.extend(fields);
        self.finish_object(mark)
    }

    /// An array of `items`, in order.
    pub fn array(&mut self, items: impl IntoIterator<Item = NodeId>) -> NodeId {
        let mark = self.begin_array();
        self.open_items.extend(items);
        self.finish_array(mark)
    }

    /// A new object: `object`'s fields with `key` set to `value` (in its
    /// place when `object` has it, last otherwise). `object` itself does not
    /// change; the new one shares its values. `None` when `object` is not an
    /// object.
    pub fn with_field(&mut self, object: NodeId, key: Key, value: NodeId) -> Option<NodeId> {
        let Node::Object(span) = self.node(object) else {
            return None;
        };
        // Copied straight into the fields table: the old fields are there already.
        let start = self.fields.len();
        if span.range().end > start {
            return None;
        }
        self.fields.extend_from_within(span.range());
        let existing = self.fields[start..]
            .iter()
            .position(|&(old, _)| self.same_key(old, key));
        match existing.and_then(|at| self.fields.get_mut(start + at)) {
            Some(field) => field.1 = value,
            None => self.fields.push((key, value)),
        }
        let span = self.span_of_new(start, self.fields.len() - start);
        Some(self.push(Node::Object(span)))
    }

    /// A new array: `array`'s items with the one at `index` replaced by
    /// `value`. `None` when `array` is not an array or has no such item.
    pub fn with_item(&mut self, array: NodeId, index: usize, value: NodeId) -> Option<NodeId> {
        let Node::Array(span) = self.node(array) else {
            return None;
        };
        if index >= span.len as usize {
            return None;
        }
        let mark = self.begin_array();
        for (at, table_at) in span.range().enumerate() {
            let item = if at == index {
                value
            } else {
                self.items.get(table_at).copied().unwrap_or(NodeId::NULL)
            };
            self.open_items.push(item);
        }
        Some(self.finish_array(mark))
    }

    /// A new object with the fields of `objects` (an array of objects, or
    /// one object) in order; a key given again keeps its first place and
    /// takes the later value, as JSONata's `$merge` does. The values are
    /// shared, not copied. `Err` holds the first value that is not an object.
    pub fn merged_objects(&mut self, objects: NodeId) -> Result<NodeId, NodeId> {
        // Where the members are in the items table (`None`: `objects` is
        // the one member), and how many.
        let (start, count) = match self.node(objects) {
            Node::Array(span) => (Some(span.start as usize), span.len as usize),
            Node::Object(_) => (None, 1),
            _ => return Err(objects),
        };
        let mark = self.begin_object();
        let mut first_end = None;
        for at in 0..count {
            let member = match start {
                Some(start) => self.items.get(start + at).copied().unwrap_or(NodeId::NULL),
                None => objects,
            };
            if !self.gather_fields(member) {
                self.discard_object(mark);
                return Err(member);
            }
            first_end.get_or_insert(self.open_fields.len());
        }
        Ok(self.finish_merged(mark, first_end))
    }

    /// [`Arena::merged_objects`] of the objects `members`.
    pub fn merged(&mut self, members: &[NodeId]) -> Result<NodeId, NodeId> {
        let mark = self.begin_object();
        let mut first_end = None;
        for &member in members {
            if !self.gather_fields(member) {
                self.discard_object(mark);
                return Err(member);
            }
            first_end.get_or_insert(self.open_fields.len());
        }
        Ok(self.finish_merged(mark, first_end))
    }

    /// Finish a merged object (begun with `mark`, its members added with
    /// [`Arena::gather_fields`] or [`Arena::push_field`]) whose fields
    /// before `first_end` on the scratch stack came from one object (so are
    /// distinct): only the later fields' keys are compared with the ones
    /// before them. `None`: no prefix is known to be distinct.
    pub fn finish_merged(&mut self, mark: ObjectMark, first_end: Option<usize>) -> NodeId {
        let start = mark.0.min(self.open_fields.len());
        let first_end = first_end
            .unwrap_or(start)
            .clamp(start, self.open_fields.len());
        let fields = &self.open_fields[start..];
        let repeats = (first_end - start..fields.len()).any(|at| {
            let key = fields[at].0;
            fields[..at]
                .iter()
                .any(|&(earlier, _)| self.same_key(earlier, key))
        });
        if repeats {
            self.finish_object(mark)
        } else {
            self.finish_object_distinct(mark)
        }
    }

    /// Add the fields of `member` to the object being built (a `$merge`
    /// member); `false` when it is not an object.
    pub fn gather_fields(&mut self, member: NodeId) -> bool {
        let Node::Object(span) = self.node(member) else {
            return false;
        };
        if let Some(fields) = self.fields.get(span.range()) {
            self.open_fields.extend_from_slice(fields);
        }
        true
    }

    /// Drop an object begun with `mark` and not finished (an error while
    /// evaluating one of its fields), with everything gathered since.
    pub fn discard_object(&mut self, mark: ObjectMark) {
        self.open_fields.truncate(mark.0);
    }

    /// Drop an array begun with `mark` and not finished.
    pub fn discard_array(&mut self, mark: ArrayMark) {
        self.open_items.truncate(mark.0);
    }

    /// Whether an object or array is begun and not yet finished or discarded.
    pub fn is_building(&self) -> bool {
        !self.open_fields.is_empty() || !self.open_items.is_empty()
    }

    /// The span of `len` entries appended to a table now `table_len` long.
    fn span_of_new(&mut self, table_len: usize, len: usize) -> Span {
        Span {
            start: self.index(table_len),
            len: self.index(len),
        }
    }

    /// `fields` with each repeated key once (first position, last value),
    /// or `None` when no key repeats.
    fn deduplicated(&self, fields: &[(Key, NodeId)]) -> Option<Vec<(Key, NodeId)>> {
        if !self.has_repeated_key(fields) {
            return None;
        }
        let mut kept: Vec<(Key, NodeId)> = Vec::with_capacity(fields.len());
        let mut position: HashMap<&str, usize> = HashMap::new();
        for &(key, value) in fields {
            match position.entry(self.key_text(key)) {
                Entry::Occupied(at) => {
                    if let Some(field) = kept.get_mut(*at.get()) {
                        field.1 = value;
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(kept.len());
                    kept.push((key, value));
                }
            }
        }
        Some(kept)
    }

    fn has_repeated_key(&self, fields: &[(Key, NodeId)]) -> bool {
        if fields.len() <= PAIRWISE_CHECK_FIELDS {
            return fields.iter().enumerate().any(|(at, &(key, _))| {
                fields[..at]
                    .iter()
                    .any(|&(earlier, _)| self.same_key(earlier, key))
            });
        }
        let mut seen = HashSet::with_capacity(fields.len());
        !fields
            .iter()
            .all(|&(key, _)| seen.insert(self.key_text(key)))
    }
}
