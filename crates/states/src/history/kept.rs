//! The arenas of ended Map iterations, kept with the history so that their
//! events hold payloads as ids of their values (written as text only when
//! the history is first read) rather than as text written while they run.

use std::sync::{Mutex, MutexGuard};

use super::Recorder;
use crate::value::Arena;

/// The arenas events refer to by slot ([`super::Payload::Kept`]); a slot
/// stays `None` until its arena is given back.
#[derive(Debug, Default)]
pub(crate) struct KeptArenas(Mutex<Vec<Option<Arena>>>);

impl KeptArenas {
    fn lock(&self) -> MutexGuard<'_, Vec<Option<Arena>>> {
        match self.0.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The arenas, by slot.
    pub(crate) fn into_inner(self) -> Vec<Option<Arena>> {
        match self.0.into_inner() {
            Ok(arenas) => arenas,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// An arena whose values a branch's events refer to by id: when it is
/// dropped (the branch ended, or was cancelled) it goes to the recorder's
/// [`KeptArenas`] rather than being freed.
pub(crate) struct KeptArena<'r> {
    recorder: &'r Recorder,
    slot: Option<u32>,
    arena: Arena,
}

impl Recorder {
    /// Keep `arena` with the history once its branch ends, in the slot
    /// [`KeptArena::slot`] (none if the history holds too many to number
    /// another: that branch's events then hold text).
    pub(crate) fn keep(&self, arena: Arena) -> KeptArena<'_> {
        let mut arenas = self.kept.lock();
        let slot = u32::try_from(arenas.len()).ok();
        if slot.is_some() {
            arenas.push(None);
        }
        KeptArena {
            recorder: self,
            slot,
            arena,
        }
    }
}

impl Recorder {
    /// Room for `arenas` more kept arenas, so that a Map over many items
    /// does not grow the list by doubling (moving every arena each time).
    pub(crate) fn reserve_kept(&self, arenas: usize) {
        self.kept.lock().reserve(arenas);
    }
}

impl KeptArena<'_> {
    /// The slot events name this arena by, if it has one.
    pub(crate) fn slot(&self) -> Option<u32> {
        self.slot
    }
}

impl std::ops::Deref for KeptArena<'_> {
    type Target = Arena;

    fn deref(&self) -> &Arena {
        &self.arena
    }
}

impl std::ops::DerefMut for KeptArena<'_> {
    fn deref_mut(&mut self) -> &mut Arena {
        &mut self.arena
    }
}

impl Drop for KeptArena<'_> {
    fn drop(&mut self) {
        let Some(slot) = self.slot.and_then(|slot| usize::try_from(slot).ok()) else {
            return;
        };
        let arena = std::mem::replace(&mut self.arena, Arena::without_tables());
        if let Some(kept) = self.recorder.kept.lock().get_mut(slot) {
            *kept = Some(arena);
        }
    }
}
