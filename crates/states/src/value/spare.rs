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

impl Arena {
    /// Bytes the tables have room for, not counting the scratch stacks.
    fn capacity_bytes(&self) -> usize {
        self.nodes.capacity() * size_of::<Entry>()
            + self.fields.capacity() * size_of::<(Key, NodeId)>()
            + self.items.capacity() * size_of::<NodeId>()
            + self.text.capacity()
    }

    /// Whether this is a Map iteration's small arena, to be kept as one.
    fn is_small(&self) -> bool {
        // A small arena only builds with the scratch stacks when its
        // iteration made an object or array of unknown size.
        let scratch = self.open_fields.capacity() * size_of::<(Key, NodeId)>()
            + self.open_items.capacity() * size_of::<NodeId>();
        self.nodes.capacity() > 0
            && self.nodes.capacity() <= SMALL_NODES
            && self.capacity_bytes() + scratch <= SPARE_SMALL_ARENA_BYTES
    }

    /// Drop `arenas` (a history's kept iteration arenas), keeping the
    /// small ones' tables for the thread's next iterations: one look at
    /// the thread's spares for them all, rather than one as each is
    /// dropped.
    pub(crate) fn recycle(arenas: impl IntoIterator<Item = Arena>) {
        let mut arenas = arenas.into_iter();
        let _ = SPARE_SMALL.try_with(|spare| {
            let Ok(mut spare) = spare.try_borrow_mut() else {
                return;
            };
            while spare.len() < SPARE_SMALL_ARENAS {
                let Some(mut arena) = arenas.next() else {
                    break;
                };
                if arena.is_small() {
                    arena.clear();
                    spare.push(arena);
                }
            }
        });
        // Those left (the thread's spares are full) are dropped one by one.
        arenas.for_each(drop);
    }
}

impl Drop for Arena {
    /// Keep the tables for the thread's next arena, when they are small.
    fn drop(&mut self) {
        // An arena without tables (the one left behind below) is not kept.
        if self.nodes.capacity() == 0 || self.capacity_bytes() > SPARE_ARENA_BYTES {
            return;
        }
        // A small arena is never an execution's spare: the execution
        // would grow it by doubling.
        if self.is_small() {
            keep(&SPARE_SMALL, SPARE_SMALL_ARENAS, self);
        } else {
            keep(&SPARE, SPARE_ARENAS, self);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_arenas_are_kept_for_iterations_and_never_given_to_executions() {
        let mut small = Arena::small(DEFAULT_LIMIT_BYTES);
        let id = small.string("x");
        Arena::recycle([small]);
        // An execution does not get the small arena's tables...
        assert!(Arena::new().nodes.capacity() > SMALL_NODES);
        // ...the next iteration does, emptied down to the constants.
        let reused = Arena::small(7);
        assert_eq!(reused.limit, 7);
        assert_eq!(reused.get(id).to_value(), serde_json::Value::Null);
        assert_eq!(reused.get(NodeId::TRUE).to_value(), serde_json::json!(true));
        assert!(reused.text.is_empty());
    }
}
