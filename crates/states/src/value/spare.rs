//! The arenas a thread keeps for its next executions: an ended execution's
//! arena is emptied and kept (a few, when small), and [`Arena::new`] takes
//! one instead of allocating its tables again. Map iterations' small
//! arenas ([`Arena::small`]) are kept apart, many more of them, as a Map
//! over many items makes (and its history drops) one per item.

use std::cell::RefCell;

use super::arena::{Arena, DEFAULT_LIMIT_BYTES, Entry, Key, NodeId, SMALL_NODES};

impl Default for Arena {
    fn default() -> Self {
        Arena::new()
    }
}

/// Most emptied arenas a thread keeps for its next executions.
const SPARE_ARENAS: usize = 4;

/// Arenas whose tables have room for more than this many bytes are freed
/// rather than kept (a Map over a thousand small items fills about 300 KiB).
const SPARE_ARENA_BYTES: usize = 512 * 1024;

/// Most emptied Map-iteration arenas a thread keeps: one per item of a
/// Map of this many items (about 1 KiB each).
const SPARE_SMALL_ARENAS: usize = 1024;

/// Small arenas whose tables have room for more than this many bytes (an
/// iteration that made larger values) are not kept as small ones.
const SPARE_SMALL_ARENA_BYTES: usize = 2 * 1024;

thread_local! {
    /// Arenas whose executions ended on this thread, emptied: a new
    /// execution takes one instead of allocating its tables again.
    static SPARE: RefCell<Vec<Arena>> = const { RefCell::new(Vec::new()) };
    /// Map iterations' arenas that ended on this thread (once their
    /// history was dropped), emptied: the next iteration takes one
    /// instead of allocating three tables, and freeing them later.
    static SPARE_SMALL: RefCell<Vec<Arena>> = const { RefCell::new(Vec::new()) };
}

impl Drop for Arena {
    /// Keep the tables for the thread's next arena, when they are small.
    fn drop(&mut self) {
        let capacity = self.nodes.capacity() * size_of::<Entry>()
            + self.fields.capacity() * size_of::<(Key, NodeId)>()
            + self.items.capacity() * size_of::<NodeId>()
            + self.text.capacity();
        // An arena without tables (the one left behind below) is not kept.
        if self.nodes.capacity() == 0 || capacity > SPARE_ARENA_BYTES {
            return;
        }
        // A small arena only builds with the scratch stacks when its
        // iteration made an object or array of unknown size.
        let scratch = self.open_fields.capacity() * size_of::<(Key, NodeId)>()
            + self.open_items.capacity() * size_of::<NodeId>();
        if self.nodes.capacity() <= SMALL_NODES
            && capacity + scratch <= SPARE_SMALL_ARENA_BYTES
            && keep(&SPARE_SMALL, SPARE_SMALL_ARENAS, self)
        {
            return;
        }
        keep(&SPARE, SPARE_ARENAS, self);
    }
}

/// Empty `arena` and keep its tables in `spare`, if it holds fewer than
/// `most`; whether it did.
fn keep(
    spare: &'static std::thread::LocalKey<RefCell<Vec<Arena>>>,
    most: usize,
    arena: &mut Arena,
) -> bool {
    spare
        .try_with(|spare| {
            let Ok(mut spare) = spare.try_borrow_mut() else {
                return false;
            };
            if spare.len() >= most {
                return false;
            }
            let mut kept = std::mem::replace(arena, Arena::without_tables());
            kept.clear();
            spare.push(kept);
            true
        })
        .unwrap_or(false)
}

/// An arena `spare` kept, if any.
fn take(spare: &'static std::thread::LocalKey<RefCell<Vec<Arena>>>) -> Option<Arena> {
    spare
        .try_with(|spare| {
            spare
                .try_borrow_mut()
                .ok()
                .and_then(|mut spare| spare.pop())
        })
        .ok()
        .flatten()
}

impl Arena {
    /// An empty arena with room for a few values, for a Map iteration:
    /// the tables of one that ended on this thread, when there is one.
    pub(crate) fn small(limit: usize) -> Arena {
        match take(&SPARE_SMALL) {
            Some(mut arena) => {
                arena.limit = limit;
                arena
            }
            None => Arena::new_small(limit),
        }
    }
}

impl Arena {
    /// An empty arena with the [`DEFAULT_LIMIT_BYTES`] limit (the tables of
    /// one that ended on this thread, when there is one).
    pub fn new() -> Arena {
        match take(&SPARE) {
            Some(mut arena) => {
                arena.limit = DEFAULT_LIMIT_BYTES;
                arena
            }
            None => Arena::with_limit(DEFAULT_LIMIT_BYTES),
        }
    }

    /// An arena with no tables at all (not even the constants): only to be
    /// dropped.
    pub(crate) fn without_tables() -> Arena {
        Arena {
            nodes: Vec::new(),
            fields: Vec::new(),
            items: Vec::new(),
            text: String::new(),
            open_fields: Vec::new(),
            open_items: Vec::new(),
            limit: 0,
            overflowed: false,
        }
    }
}
