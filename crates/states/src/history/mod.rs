#![doc = include_str!("../../docs/history.md")]

mod buffered;
mod details;
mod events;
pub(crate) mod json_text;
mod kept;
mod names;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::value::{Arena, NodeId};

pub use details::Details;
pub(crate) use details::{ExecutionStarted, Fields, Payload, TaskLimits};
pub use events::History;
pub(crate) use kept::{KeptArena, KeptArenas};
pub(crate) use names::Name;

/// Most events one execution may record (AWS Step Functions quota for
/// Standard workflows, "Maximum execution history size": 25,000 events);
/// it also stops definitions that loop forever.
pub const MAX_HISTORY_EVENTS: usize = 25_000;

/// The type of a [`HistoryEvent`], serialised with AWS's names.
#[allow(missing_docs)] // the variant names are AWS's event types, documented there
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,
    ExecutionAborted,
    TaskStateEntered,
    TaskStateExited,
    TaskScheduled,
    TaskStarted,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    ChoiceStateEntered,
    ChoiceStateExited,
    PassStateEntered,
    PassStateExited,
    WaitStateEntered,
    WaitStateExited,
    SucceedStateEntered,
    SucceedStateExited,
    FailStateEntered,
    ParallelStateEntered,
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    ParallelStateExited,
    MapStateEntered,
    MapStateStarted,
    MapStateSucceeded,
    MapStateFailed,
    MapStateExited,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapIterationAborted,
}

/// One entry of an execution's history, shaped like AWS's `HistoryEvent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEvent {
    /// 1-based position in the history.
    pub id: u64,
    /// The event this one follows in the same branch (0 for the first).
    pub previous_event_id: u64,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// What happened.
    #[serde(rename = "type", alias = "eventType")]
    pub event_type: EventType,
    /// AWS-shaped details, e.g. `{"stateEnteredEventDetails": {"name": .., "input": ..}}`;
    /// they dereference to a [`Value`] built when first read.
    pub details: Details,
}

/// Where a branch of the execution is in the history: the id of its last
/// event and, on the execution's main path, the events that path recorded.
///
/// The main path keeps its events itself, so recording them takes no lock
/// and no atomic operation: an uncontended lock costs two atomic
/// instructions, and in the engine benchmark the lock's were about a
/// twentieth of a notification execution's time. Parallel branches and Map iterations run
/// concurrently (and may be cancelled) and record into the [`Recorder`]'s
/// shared list; while they run, the main path records there too
/// ([`Recorder::fork`] / [`Recorder::join`]).
#[derive(Debug, Default)]
pub(crate) struct Cursor {
    pub(crate) last: u64,
    /// The main path's own events; `None` on a branch.
    own: Option<OwnEvents>,
    /// On a branch whose arena is kept with the history, its slot there.
    kept: Option<u32>,
    /// On a branch whose events wait to be appended to the shared list
    /// all at once ([`buffered::BufferedCursor`]), those events.
    pending: Option<Vec<HistoryEvent>>,
}

/// The events the execution's main path recorded without locking.
#[derive(Debug)]
struct OwnEvents {
    events: Vec<HistoryEvent>,
    /// The id the next event gets, while no branch runs.
    next_id: u64,
    /// Whether branches are running (ids then come from the [`Recorder`]).
    forked: bool,
}

impl Cursor {
    /// The cursor of a branch (Parallel branch, Map iteration) that starts
    /// after the event `last`.
    pub(crate) fn branch(last: u64) -> Self {
        Cursor {
            last,
            own: None,
            kept: None,
            pending: None,
        }
    }

    /// The cursor of a branch that starts after the event `last` and runs
    /// in the arena [`KeptArena`] `arena`, which outlives it.
    pub(crate) fn branch_in(last: u64, arena: &KeptArena<'_>) -> Self {
        Cursor {
            last,
            own: None,
            kept: arena.slot(),
            pending: None,
        }
    }
}

/// Collects the events of one execution: the main path's are kept in its
/// [`Cursor`], the concurrent branches' here.
#[derive(Debug)]
pub(crate) struct Recorder {
    /// Events recorded by branches (and by the main path while they run).
    shared: Mutex<Vec<HistoryEvent>>,
    /// The id the next shared event gets (kept up to date only while
    /// branches run: [`Recorder::fork`] publishes the main path's count).
    next_id: AtomicU64,
    /// Whether the shared list is in id order: a buffered branch
    /// ([`buffered::BufferedCursor`]) appends its events when it ends, after those of
    /// any branch that recorded later and ended first.
    in_order: AtomicBool,
    /// The arenas of ended branches whose events hold their values' ids.
    kept: KeptArenas,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            shared: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            in_order: AtomicBool::new(true),
            kept: KeptArenas::default(),
        }
    }
}

impl Recorder {
    /// A recorder and the cursor of the execution's main path, with room
    /// for `events` events before it grows.
    pub(crate) fn main(events: usize) -> (Self, Cursor) {
        let cursor = Cursor {
            last: 0,
            own: Some(OwnEvents {
                events: Vec::with_capacity(events),
                next_id: 1,
                forked: false,
            }),
            kept: None,
            pending: None,
        };
        (Recorder::default(), cursor)
    }

    /// Append an event after `cursor`'s last one and move the cursor to it.
    pub(crate) fn record(
        &self,
        cursor: &mut Cursor,
        event_type: EventType,
        details: impl Into<Details>,
    ) -> u64 {
        self.record_at(cursor, event_type, details, crate::clock::now())
    }

    /// [`Recorder::record`] with the time the caller has just read (events
    /// recorded together, with nothing awaited between them, share it).
    pub(crate) fn record_at(
        &self,
        cursor: &mut Cursor,
        event_type: EventType,
        details: impl Into<Details>,
        timestamp: DateTime<Utc>,
    ) -> u64 {
        let previous_event_id = cursor.last;
        let event = |id| HistoryEvent {
            id,
            previous_event_id,
            timestamp,
            event_type,
            details: details.into(),
        };
        let id = match &mut cursor.own {
            Some(own) if !own.forked => {
                let id = own.next_id;
                own.next_id += 1;
                own.events.push(event(id));
                id
            }
            _ => match &mut cursor.pending {
                Some(pending) => {
                    let id = self.take_id();
                    pending.push(event(id));
                    id
                }
                None => {
                    let mut shared = self.lock_shared();
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    self.append(&mut shared, event(id));
                    id
                }
            },
        };
        cursor.last = id;
        id
    }

    /// The shared list (a panic elsewhere while it was held leaves the
    /// events as they were; recording goes on).
    fn lock_shared(&self) -> std::sync::MutexGuard<'_, Vec<HistoryEvent>> {
        match self.shared.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Branches are about to run: `main`'s events so far move to the
    /// shared list (so it stays in id order), and from now on its events
    /// take their ids from the shared count too. Nothing to do on a
    /// branch's cursor.
    pub(crate) fn fork(&self, main: &mut Cursor) {
        if let Some(own) = &mut main.own
            && !own.forked
        {
            let mut shared = self.lock_shared();
            shared.append(&mut own.events);
            self.next_id.store(own.next_id, Ordering::Relaxed);
            own.forked = true;
        }
    }

    /// Room for `events` more branch events (at most the history's
    /// limit), so a Map over many items does not grow the list by
    /// doubling, copying every event each time; and for a few of the main
    /// path's after them, so that appending those at the end
    /// ([`Recorder::into_events`]) does not move the whole list.
    pub(crate) fn reserve(&self, events: usize) {
        /// Events the main path records after a Map or Parallel (its
        /// exit, the execution's end, a few more states) without moving
        /// the list.
        const MAIN_PATH_AFTER: usize = 64;
        let mut shared = self.lock_shared();
        let room = events.min(MAX_HISTORY_EVENTS.saturating_sub(shared.len()));
        shared.reserve(room + MAIN_PATH_AFTER);
    }

    /// The branches [`Recorder::fork`] was called for are done: `main`
    /// counts its events itself again.
    pub(crate) fn join(&self, main: &mut Cursor) {
        if let Some(own) = &mut main.own
            && own.forked
        {
            own.next_id = self.next_id.load(Ordering::Relaxed);
            own.forked = false;
        }
    }

    /// How many events have been recorded, as `cursor`'s path sees them.
    pub(crate) fn len(&self, cursor: &Cursor) -> usize {
        let next_id = match &cursor.own {
            Some(own) if !own.forked => own.next_id,
            _ => self.next_id.load(Ordering::Relaxed),
        };
        usize::try_from(next_id.saturating_sub(1)).unwrap_or(usize::MAX)
    }

    /// Every event recorded, the main path's (`main`) and the branches',
    /// in id order, and the kept arenas their payloads may refer to.
    pub(crate) fn into_parts(mut self, main: Cursor) -> (Vec<HistoryEvent>, Vec<Option<Arena>>) {
        let kept = std::mem::take(&mut self.kept).into_inner();
        (self.into_events(main), kept)
    }

    /// Every event recorded, the main path's (`main`) and the branches',
    /// in id order.
    pub(crate) fn into_events(self, main: Cursor) -> Vec<HistoryEvent> {
        let in_order = self.in_order.load(Ordering::Relaxed);
        let mut events = match self.shared.into_inner() {
            Ok(events) => events,
            Err(poisoned) => poisoned.into_inner(),
        };
        if !in_order {
            events.sort_by_key(|event| event.id);
        }
        let Some(own) = main.own else {
            return events;
        };
        // Everything the main path recorded before a fork was moved to the
        // shared list then, and everything it keeps came after the last join.
        if events.is_empty() {
            return own.events;
        }
        events.extend(own.events);
        events
    }
}

/// AWS serialises payloads in history events as JSON text.
pub(crate) fn payload(value: &Value) -> String {
    json_text::string(value)
}

/// The payload of an event recorded at `cursor` for the value `id` of
/// `arena`: the value itself on the main path and in a branch whose arena
/// is kept ([`KeptArena`]), its text in any other branch.
pub(crate) fn payload_of(cursor: &Cursor, arena: &Arena, id: NodeId) -> Payload {
    match (&cursor.own, cursor.kept) {
        (Some(_), _) => Payload::Node(id),
        (None, Some(slot)) => Payload::Kept(slot, id),
        (None, None) => Payload::Text(json_text::of_value(arena.get(id))),
    }
}

/// Whether `payload`'s JSON text (of a value of `arena`) is longer than
/// `limit` bytes; a value's text is counted, not written.
pub(crate) fn payload_exceeds(arena: &Arena, payload: &Payload, limit: usize) -> bool {
    match payload {
        Payload::Text(text) => text.len() > limit,
        Payload::Node(id) | Payload::Kept(_, id) => arena.get(*id).text_longer_than(limit),
    }
}

/// `{"<key>": {"error": .., "cause": ..}}` for a failure event.
pub(crate) fn failure(key: &str, error: &str, cause: Option<&str>) -> Value {
    let mut inner = serde_json::Map::new();
    inner.insert("error".into(), error.into());
    if let Some(cause) = cause {
        inner.insert("cause".into(), cause.into());
    }
    let mut outer = serde_json::Map::new();
    outer.insert(key.into(), Value::Object(inner));
    Value::Object(outer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_serialise_with_aws_names_and_camel_case() -> Result<(), serde_json::Error> {
        let (recorder, mut cursor) = Recorder::main(2);
        recorder.record(&mut cursor, EventType::ExecutionStarted, json!({}));
        recorder.record(
            &mut cursor,
            EventType::TaskStateEntered,
            Fields::StateEntered {
                name: "A".into(),
                input: payload(&json!({"x": 1})).as_str().into(),
            },
        );
        let events = recorder.into_events(cursor);
        let text = serde_json::to_value(&events)?;
        assert_eq!(text[1]["type"], "TaskStateEntered");
        assert_eq!(text[1]["previousEventId"], 1);
        assert_eq!(
            text[1]["details"]["stateEnteredEventDetails"]["input"],
            "{\"x\":1}"
        );
        Ok(())
    }
}
