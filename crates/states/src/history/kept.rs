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
    slot: u32,
    arena: Arena,
}

impl Recorder {
    /// Keep `arena` with the history once its branch ends; its slot is
    /// [`KeptArena::slot`]. `Err(arena)` if the history holds too many
    /// slots to number another (its events then hold text).
    pub(crate) fn keep(&self, arena: Arena) -> Result<KeptArena<'_>, Arena> {
        let mut arenas = self.kept.lock();
        let Ok(slot) = u32::try_from(arenas.len()) else {
            return Err(arena);
        };
        arenas.push(None);
        Ok(KeptArena {
            recorder: self,
            slot,
            arena,
        })
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
    /// The slot events name this arena by.
    pub(crate) fn slot(&self) -> u32 {
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
        let arena = std::mem::replace(&mut self.arena, Arena::without_tables());
        let mut arenas = self.recorder.kept.lock();
        if let Some(slot) = usize::try_from(self.slot)
            .ok()
            .and_then(|slot| arenas.get_mut(slot))
        {
            *slot = Some(arena);
        }
    }
}
