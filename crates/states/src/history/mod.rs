#![doc = include_str!("../../docs/history.md")]

mod details;
mod json_text;
mod names;

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use details::Details;
pub(crate) use details::{Fields, Text};
pub(crate) use names::local as local_name;

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

impl EventType {
    /// The `<Type>StateEntered` event of a state type name (`Task`, `Pass` ...).
    pub(crate) fn entered(state_type: &str) -> EventType {
        match state_type {
            "Task" => EventType::TaskStateEntered,
            "Choice" => EventType::ChoiceStateEntered,
            "Wait" => EventType::WaitStateEntered,
            "Succeed" => EventType::SucceedStateEntered,
            "Fail" => EventType::FailStateEntered,
            "Parallel" => EventType::ParallelStateEntered,
            "Map" => EventType::MapStateEntered,
            _ => EventType::PassStateEntered,
        }
    }

    /// The `<Type>StateExited` event of a state type name; `None` for Fail.
    pub(crate) fn exited(state_type: &str) -> Option<EventType> {
        Some(match state_type {
            "Task" => EventType::TaskStateExited,
            "Choice" => EventType::ChoiceStateExited,
            "Wait" => EventType::WaitStateExited,
            "Succeed" => EventType::SucceedStateExited,
            "Parallel" => EventType::ParallelStateExited,
            "Map" => EventType::MapStateExited,
            "Pass" => EventType::PassStateExited,
            _ => return None,
        })
    }
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

/// Where a branch of the execution is in the history: the id of its last event.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    pub(crate) last: u64,
}

/// Collects events from every branch of one execution.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    events: Mutex<Vec<HistoryEvent>>,
}

impl Recorder {
    /// A recorder with room for `events` events before it grows.
    pub(crate) fn with_capacity(events: usize) -> Self {
        Recorder {
            events: Mutex::new(Vec::with_capacity(events)),
        }
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
        let details = details.into();
        let mut events = match self.events.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let id = events.len() as u64 + 1;
        events.push(HistoryEvent {
            id,
            previous_event_id: cursor.last,
            timestamp,
            event_type,
            details,
        });
        cursor.last = id;
        id
    }

    /// How many events have been recorded.
    pub(crate) fn len(&self) -> usize {
        match self.events.lock() {
            Ok(guard) => guard.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    /// The events recorded so far.
    pub(crate) fn into_events(self) -> Vec<HistoryEvent> {
        match self.events.into_inner() {
            Ok(events) => events,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// AWS serialises payloads in history events as JSON text.
pub(crate) fn payload(value: &Value) -> String {
    json_text::string(value)
}

/// [`payload`] as shared history [`Text`], written without an intermediate `String`.
pub(crate) fn payload_text(value: &Value) -> Text {
    json_text::text(value)
}

/// History [`Text`] made of `parts` one after the other (one allocation).
pub(crate) fn text_of_parts(parts: &[&str]) -> Text {
    text_with(|out| {
        for part in parts {
            out.push_str(part);
        }
    })
}

/// History [`Text`] of what `write` appends to an empty buffer (a reused
/// one, so the text costs one allocation).
pub(crate) fn text_with(write: impl FnOnce(&mut String)) -> Text {
    json_text::text_with(write)
}

/// Append [`payload`]'s text of `value` to `out`.
pub(crate) fn write_payload(out: &mut String, value: &Value) {
    json_text::write_value(out, value);
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
        let recorder = Recorder::default();
        let mut cursor = Cursor::default();
        recorder.record(&mut cursor, EventType::ExecutionStarted, json!({}));
        recorder.record(
            &mut cursor,
            EventType::TaskStateEntered,
            Fields::StateEntered {
                name: "A".into(),
                input: payload(&json!({"x": 1})).into(),
            },
        );
        let events = recorder.into_events();
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
