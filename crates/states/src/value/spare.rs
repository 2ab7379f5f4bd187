//! The arenas a thread keeps for its next executions: an ended execution's
//! arena is emptied and kept (a few, when small), and [`Arena::new`] takes
//! one instead of allocating its tables again.

use std::cell::RefCell;

use super::arena::{Arena, DEFAULT_LIMIT_BYTES, Entry, Key, NodeId};

impl Default for Arena {
    fn default() -> Self {
        Arena::new()
    }
}

/// Most emptied arenas a thread keeps for its next executions.
const SPARE_ARENAS: usize = 4;

/// Arenas whose tables have room for more than this many bytes are freed
/// rather than kept.
const SPARE_ARENA_BYTES: usize = 256 * 1024;

thread_local! {
    /// Arenas whose executions ended on this thread, emptied: a new
    /// execution takes one instead of allocating its tables again.
    static SPARE: RefCell<Vec<Arena>> = const { RefCell::new(Vec::new()) };
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
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut()
                && spare.len() < SPARE_ARENAS
            {
                let mut kept = std::mem::replace(self, Arena::without_tables());
                kept.clear();
                spare.push(kept);
            }
        });
    }
}

impl Arena {
    /// An empty arena with the [`DEFAULT_LIMIT_BYTES`] limit (the tables of
    /// one that ended on this thread, when there is one).
    pub fn new() -> Arena {
        let spare = SPARE
            .try_with(|spare| {
                spare
                    .try_borrow_mut()
                    .ok()
                    .and_then(|mut spare| spare.pop())
            })
            .ok()
            .flatten();
        match spare {
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
