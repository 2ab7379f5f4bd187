//! [`BufferedCursor`]: the cursor of a Map iteration, which keeps its
//! events and appends them to the recorder's shared list all at once when
//! it ends (or is cancelled).
//!
//! An iteration records about nine events; taking the shared list's lock
//! for each cost two atomic instructions and the lock's bookkeeping per
//! event. Buffered, each event takes its id without the lock (ids are
//! given in the order events happen; see `Recorder::take_id`), and the
//! iteration takes the lock once. The shared list may then be out of
//! id order, when an iteration that recorded earlier ends later; the
//! recorder notes it and sorts the list once, when the history is handed
//! out ([`Recorder::into_events`]).

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::sync::MutexGuard;
use std::sync::atomic::Ordering;

use super::{Cursor, HistoryEvent, KeptArena, Recorder};

/// Most emptied event buffers a thread keeps for its next branches.
const SPARE_BUFFERS: usize = 4;

thread_local! {
    /// Buffers of branches that ended on this thread, emptied: the next
    /// branch takes one instead of allocating its own.
    static SPARE: RefCell<Vec<Vec<HistoryEvent>>> = const { RefCell::new(Vec::new()) };
}

/// A branch's [`Cursor`] whose events wait in it until it is dropped.
pub(crate) struct BufferedCursor<'r> {
    recorder: &'r Recorder,
    cursor: Cursor,
}

impl Recorder {
    /// The cursor of a branch that starts after the event `last`, runs in
    /// the kept arena `arena`, and records about `events` events, keeping
    /// them until it is dropped.
    pub(crate) fn buffered_branch(
        &self,
        last: u64,
        arena: &KeptArena<'_>,
        events: usize,
    ) -> BufferedCursor<'_> {
        let spare = SPARE
            .try_with(|spare| spare.try_borrow_mut().ok()?.pop())
            .ok()
            .flatten();
        let mut buffer = spare.unwrap_or_default();
        buffer.reserve(events);
        let mut cursor = Cursor::branch_in(last, arena);
        cursor.pending = Some(buffer);
        BufferedCursor {
            recorder: self,
            cursor,
        }
    }

    /// The next event id, for a branch that buffers its events.
    ///
    /// A load and a store, not an atomic add: every event of an execution
    /// is recorded from inside its one future (Parallel branches and Map
    /// iterations are polled by `executor::join` in that future, never
    /// spawned, and the recorder never leaves it), and a future is polled
    /// by one thread at a time, so no two threads ever take an id at once.
    /// The count is atomic only so that the recorder is `Sync`, as the
    /// branches' `Send` futures need. An atomic add is a locked
    /// instruction, which each of a Map's nine events per item would pay.
    pub(super) fn take_id(&self) -> u64 {
        let id = self.next_id.load(Ordering::Relaxed);
        self.next_id.store(id + 1, Ordering::Relaxed);
        id
    }

    /// Append `event` to the locked shared list `shared`, noting when it
    /// does not come after the list's last event.
    pub(super) fn append(
        &self,
        shared: &mut MutexGuard<'_, Vec<HistoryEvent>>,
        event: HistoryEvent,
    ) {
        if shared.last().is_some_and(|last| last.id > event.id) {
            self.in_order.store(false, Ordering::Relaxed);
        }
        shared.push(event);
    }

    /// Append a buffered branch's `events` (in id order) to the shared list.
    fn append_all(&self, events: &mut Vec<HistoryEvent>) {
        let Some(first) = events.first().map(|event| event.id) else {
            return;
        };
        let mut shared = self.lock_shared();
        if shared.last().is_some_and(|last| last.id > first) {
            self.in_order.store(false, Ordering::Relaxed);
        }
        shared.append(events);
    }
}

impl Deref for BufferedCursor<'_> {
    type Target = Cursor;

    fn deref(&self) -> &Cursor {
        &self.cursor
    }
}

impl DerefMut for BufferedCursor<'_> {
    fn deref_mut(&mut self) -> &mut Cursor {
        &mut self.cursor
    }
}

impl Drop for BufferedCursor<'_> {
    fn drop(&mut self) {
        let Some(mut events) = self.cursor.pending.take() else {
            return;
        };
        self.recorder.append_all(&mut events);
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut()
                && spare.len() < SPARE_BUFFERS
            {
                spare.push(events);
            }
        });
    }
}
