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
    /// Slots for `arenas` more kept arenas, numbered from the one returned,
    /// reserved at once so that each branch takes its own
    /// ([`Recorder::keep_in`]) without locking the list or growing it by
    /// doubling. `None` when the history holds too many to number them
    /// (those branches' events then hold text).
    pub(crate) fn reserve_kept(&self, arenas: usize) -> Option<u32> {
        let mut kept = self.kept.lock();
        let first = u32::try_from(kept.len()).ok()?;
        let end = kept.len().checked_add(arenas)?;
        u32::try_from(end).ok()?;
        kept.resize_with(end, || None);
        Some(first)
    }

    /// Keep `arena` with the history in `slot` (one [`Recorder::reserve_kept`]
    /// gave) once its branch ends; without a slot it is freed then.
    pub(crate) fn keep_in(&self, arena: Arena, slot: Option<u32>) -> KeptArena<'_> {
        KeptArena {
            recorder: self,
            slot,
            arena,
        }
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
