//! [`Arena`]: where one execution's values live, and the ids and keys that
//! point into it.

use super::number::Number;

/// Default [`Arena`] limit: 1 GiB of nodes, fields, items and text.
pub const DEFAULT_LIMIT_BYTES: usize = 1 << 30;

/// How many constant nodes ([`NodeId::NULL`] … [`NodeId::EMPTY_ARRAY`])
/// every arena starts with.
const CONSTANTS: usize = 5;

/// Nodes a new arena has room for before it grows (a small execution's
/// worth, so that one does not reallocate as it goes).
const INITIAL_NODES: usize = 64;

/// Nodes an [`Arena::small`] has room for before it grows.
pub(super) const SMALL_NODES: usize = 24;

/// A value in an [`Arena`]: the index of its node. Copying one shares the
/// value. An id is only meaningful in the arena that made it (an id read in
/// another arena reads as `null` or as some other value of that arena, and
/// never panics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeId(pub(super) u32);

impl NodeId {
    /// `null`, present in every arena.
    pub const NULL: NodeId = NodeId(0);
    /// `true`, present in every arena.
    pub const TRUE: NodeId = NodeId(1);
    /// `false`, present in every arena.
    pub const FALSE: NodeId = NodeId(2);
    /// `{}`, present in every arena.
    pub const EMPTY_OBJECT: NodeId = NodeId(3);
    /// `[]`, present in every arena.
    pub const EMPTY_ARRAY: NodeId = NodeId(4);

    /// The id of `true` or `false`.
    pub fn bool(value: bool) -> NodeId {
        if value { NodeId::TRUE } else { NodeId::FALSE }
    }
}

/// A range of one of the arena's tables: `len` entries from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) start: u32,
    pub(super) len: u32,
}

impl Span {
    pub(super) const EMPTY: Span = Span { start: 0, len: 0 };

    pub(super) fn range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + self.len as usize
    }
}

/// An object key: a name from the definition, kept where it already lives,
/// or text copied into the arena.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// Text that lives for the whole process (an interned definition name).
    Static(&'static str),
    /// Text in the arena.
    Text(TextSpan),
}

impl Key {
    /// The length of the key's text in bytes.
    pub fn len(self) -> usize {
        match self {
            Key::Static(text) => text.len(),
            Key::Text(TextSpan(span)) => span.len as usize,
        }
    }

    /// Whether the key is the empty string.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// Where a [`Key::Text`] is in its arena's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSpan(pub(super) Span);

/// One node. Strings, arrays and objects are spans of the arena's text,
/// items and fields tables.
#[derive(Debug, Clone, Copy)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(Span),
    Array(Span),
    Object(Span),
}

/// The arena passed its byte limit: the values made since the last check
/// are kept, but the execution that owns it should stop.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the execution's values take {used} bytes, more than its limit of {limit} bytes")]
pub struct LimitExceeded {
    /// Bytes the arena holds.
    pub used: usize,
    /// Its limit.
    pub limit: usize,
}

/// A node and a bound on the length of its JSON text (saturating):
/// checking a payload against AWS's size limit reads one number instead of
/// walking the value. Shared children count once per use, as in the text.
/// Kept side by side, so that adding a node is one push and a new arena
/// allocates one table for both.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    node: Node,
    bound: u32,
}

/// The values of one execution (or of one Parallel branch or Map iteration,
/// whose futures run apart from their parent's). Nodes are only added;
/// [`Arena::clear`] empties it for the next execution and keeps its memory.
#[derive(Debug, Clone)]
pub struct Arena {
    /// The nodes, each with its text bound.
    pub(super) nodes: Vec<Entry>,
    pub(super) fields: Vec<(Key, NodeId)>,
    pub(super) items: Vec<NodeId>,
    pub(super) text: String,
    /// Scratch stacks for objects and arrays being built ([`super::build`]).
    pub(super) open_fields: Vec<(Key, NodeId)>,
    pub(super) open_items: Vec<NodeId>,
    pub(super) limit: usize,
    /// A table grew past `u32` indices: some spans are wrong, and
    /// [`Arena::check_limit`] fails from now on.
    pub(super) overflowed: bool,
}

impl Arena {
    /// An empty arena that reports [`LimitExceeded`] past `limit` bytes.
    pub fn with_limit(limit: usize) -> Arena {
        let mut arena = Arena {
            nodes: Vec::with_capacity(INITIAL_NODES),
            fields: Vec::with_capacity(INITIAL_NODES),
            items: Vec::with_capacity(INITIAL_NODES / 4),
            text: String::with_capacity(INITIAL_NODES * 4),
            open_fields: Vec::with_capacity(INITIAL_NODES / 4),
            open_items: Vec::with_capacity(INITIAL_NODES / 4),
            limit,
            overflowed: false,
        };
        arena.push_constants();
        arena
    }

    /// An empty arena with room for a few values only, and no scratch
    /// stacks until it builds something: for a Map iteration, whose arena
    /// the history keeps, so that a thousand small iterations do not
    /// allocate (and later free) a whole execution's tables each.
    /// [`Arena::small`] takes one that ended on this thread first.
    pub(super) fn new_small(limit: usize) -> Arena {
        let mut arena = Arena {
            nodes: Vec::with_capacity(SMALL_NODES),
            fields: Vec::with_capacity(SMALL_NODES / 2),
            items: Vec::new(),
            text: String::with_capacity(SMALL_NODES * 2),
            open_fields: Vec::new(),
            open_items: Vec::new(),
            limit,
            overflowed: false,
        };
        arena.push_constants();
        arena
    }

    /// Forget every value (ids made before are no longer meaningful) and
    /// keep the memory for the next execution.
    pub fn clear(&mut self) {
        if self.nodes.len() < CONSTANTS {
            self.nodes.clear();
            self.push_constants();
        }
        // The constants come first and refer to no table.
        self.nodes.truncate(CONSTANTS);
        self.fields.clear();
        self.items.clear();
        self.text.clear();
        self.open_fields.clear();
        self.open_items.clear();
        self.overflowed = false;
    }

    /// Add the constant nodes with their text bounds ([`Arena::text_bound`]),
    /// in one copy (every Map iteration's arena starts with them).
    fn push_constants(&mut self) {
        const fn entry(node: Node, bound: u32) -> Entry {
            Entry { node, bound }
        }
        const ENTRIES: [Entry; CONSTANTS] = [
            entry(Node::Null, 5),
            entry(Node::Bool(true), 5),
            entry(Node::Bool(false), 5),
            entry(Node::Object(Span::EMPTY), 2),
            entry(Node::Array(Span::EMPTY), 2),
        ];
        self.nodes.extend_from_slice(&ENTRIES);
    }

    /// Report [`LimitExceeded`] past `limit` bytes from now on.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Bytes held by the values (not counting spare capacity).
    pub fn bytes_used(&self) -> usize {
        self.nodes.len() * size_of::<Entry>()
            + self.fields.len() * size_of::<(Key, NodeId)>()
            + self.items.len() * size_of::<NodeId>()
            + self.text.len()
    }

    /// Whether the arena is still within its limit.
    ///
    /// # Errors
    ///
    /// [`LimitExceeded`] once the values take more than the limit.
    pub fn check_limit(&self) -> Result<(), LimitExceeded> {
        let used = self.bytes_used();
        if used > self.limit || self.overflowed {
            return Err(LimitExceeded {
                used,
                limit: self.limit,
            });
        }
        Ok(())
    }

    /// The node `id` (`null` for an id this arena did not make).
    pub(super) fn node(&self, id: NodeId) -> Node {
        self.nodes
            .get(id.0 as usize)
            .map_or(Node::Null, |entry| entry.node)
    }

    /// Add `node` and return its id.
    pub(super) fn push(&mut self, node: Node) -> NodeId {
        let id = self.index(self.nodes.len());
        let bound = self.text_bound(node);
        self.nodes.push(Entry { node, bound });
        NodeId(id)
    }

    /// Add `node`, whose text bound is already known to be `bound` (it
    /// copies a node of another arena, whose bound it shares), and return
    /// its id.
    pub(super) fn push_bounded(&mut self, node: Node, bound: u32) -> NodeId {
        let id = self.index(self.nodes.len());
        self.nodes.push(Entry { node, bound });
        NodeId(id)
    }

    /// A bound on the length of `node`'s JSON text: every byte of text
    /// takes at most 6 once escaped (`\u001f`), a number at most 24.
    fn text_bound(&self, node: Node) -> u32 {
        // Sums of u32s in a u64 cannot overflow (tables hold < 2^32 entries).
        let text = |len: usize| 6 * len as u64 + 2;
        let bound = match node {
            Node::Null | Node::Bool(_) => 5,
            Node::Number(_) => 24,
            Node::String(span) => text(span.len as usize),
            Node::Array(span) => self
                .items_of(span)
                .iter()
                .map(|item| 1 + u64::from(self.bound_of(*item)))
                .sum::<u64>()
                .saturating_add(2),
            Node::Object(span) => self
                .fields_of(span)
                .iter()
                .map(|(key, value)| 2 + text(key.len()) + u64::from(self.bound_of(*value)))
                .sum::<u64>()
                .saturating_add(2),
        };
        u32::try_from(bound).unwrap_or(u32::MAX)
    }

    /// The text bound of the value `id` ([`Arena::text_bound`]).
    pub(super) fn bound_of(&self, id: NodeId) -> u32 {
        self.nodes
            .get(id.0 as usize)
            .map_or(u32::MAX, |entry| entry.bound)
    }

    /// `at` as a table index, noting an overflow past `u32`.
    pub(super) fn index(&mut self, at: usize) -> u32 {
        u32::try_from(at).unwrap_or_else(|_| {
            self.overflowed = true;
            u32::MAX
        })
    }

    /// Copy `text` into the arena's text.
    pub(super) fn push_text(&mut self, text: &str) -> Span {
        let start = self.index(self.text.len());
        let len = self.index(text.len());
        self.text.push_str(text);
        Span { start, len }
    }

    /// The text of `span` (empty for a span this arena did not make).
    pub(super) fn text_of(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The text of `key`.
    pub fn key_text(&self, key: Key) -> &str {
        match key {
            Key::Static(text) => text,
            Key::Text(TextSpan(span)) => self.text_of(span),
        }
    }

    /// `text` as a key of this arena (copied into its text).
    pub fn key(&mut self, text: &str) -> Key {
        Key::Text(TextSpan(self.push_text(text)))
    }

    /// Whether two keys of this arena have the same text.
    pub(super) fn same_key(&self, a: Key, b: Key) -> bool {
        if a.len() != b.len() {
            return false;
        }
        match (a, b) {
            (Key::Static(a), Key::Static(b)) if std::ptr::eq(a, b) => true,
            (Key::Text(a), Key::Text(b)) if a == b => true,
            _ => self.key_text(a) == self.key_text(b),
        }
    }

    /// The fields of the object `span`.
    pub(super) fn fields_of(&self, span: Span) -> &[(Key, NodeId)] {
        self.fields.get(span.range()).unwrap_or(&[])
    }

    /// The items of the array `span`.
    pub(super) fn items_of(&self, span: Span) -> &[NodeId] {
        self.items.get(span.range()).unwrap_or(&[])
    }

    /// A string value.
    pub fn string(&mut self, text: &str) -> NodeId {
        if text.is_empty() {
            return self.push(Node::String(Span::EMPTY));
        }
        let span = self.push_text(text);
        self.push(Node::String(span))
    }

    /// A number value.
    pub fn number(&mut self, number: Number) -> NodeId {
        self.push(Node::Number(number))
    }
}
