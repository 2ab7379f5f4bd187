//! Recorded history events in `GetExecutionHistory`'s shape, and their pages.
//!
//! The engine keeps an event's `…EventDetails` under `details`; AWS puts
//! them at the top level of the event, beside `timestamp`, `type`, `id` and
//! `previousEventId`, with the timestamp in epoch seconds.

use serde_json::{Map, Value};

use super::error::SfnError;
use super::protocol::stored_epoch_seconds;

/// Members of the top-level event, never overwritten by details.
const EVENT_MEMBERS: [&str; 4] = ["timestamp", "type", "id", "previousEventId"];
/// Detail members that carry execution data, left out without `includeExecutionData`.
const DATA_MEMBERS: [&str; 3] = ["input", "output", "parameters"];

/// One stored event as AWS's `HistoryEvent`.
///
/// # Errors
/// [`SfnError::Internal`] when the stored event is not the engine's shape.
pub(crate) fn to_aws_event(stored: &Value, include_data: bool) -> Result<Value, SfnError> {
    let corrupt = |why: &str| SfnError::Internal(format!("stored history event {stored}: {why}"));
    let object = stored.as_object().ok_or_else(|| corrupt("not an object"))?;
    let timestamp = object
        .get("timestamp")
        .and_then(Value::as_str)
        .ok_or_else(|| corrupt("no timestamp"))?;
    let mut event = Map::new();
    event.insert("timestamp".into(), stored_epoch_seconds(timestamp)?.into());
    for member in ["type", "id", "previousEventId"] {
        let value = object
            .get(member)
            .ok_or_else(|| corrupt(&format!("no {member}")))?;
        event.insert(member.into(), value.clone());
    }
    if let Some(details) = object.get("details").and_then(Value::as_object) {
        for (key, value) in details {
            if EVENT_MEMBERS.contains(&key.as_str()) {
                continue;
            }
            let mut value = value.clone();
            if !include_data && let Some(inner) = value.as_object_mut() {
                for member in DATA_MEMBERS {
                    inner.remove(member);
                }
            }
            event.insert(key.clone(), value);
        }
    }
    Ok(Value::Object(event))
}

/// One page of `events` from the offset in `token`, and the next page's token.
///
/// # Errors
/// [`SfnError::InvalidToken`] when the token is not an offset into this history.
pub(crate) fn page<T: Clone>(
    events: &[T],
    token: Option<&str>,
    size: u32,
) -> Result<(Vec<T>, Option<String>), SfnError> {
    let start = match token {
        None => 0,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0 && *n < events.len())
            .ok_or_else(|| SfnError::InvalidToken(format!("Invalid Token: '{text}'")))?,
    };
    let end = start.saturating_add(size as usize).min(events.len());
    let next = (end < events.len()).then(|| end.to_string());
    Ok((events[start..end].to_vec(), next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored() -> Value {
        json!({
            "id": 2, "previousEventId": 1, "timestamp": "2026-11-30T12:00:00.500000Z",
            "type": "TaskStateEntered",
            "details": {"stateEnteredEventDetails": {"name": "LoadMessage", "input": "{}"}}
        })
    }

    #[test]
    fn details_move_to_the_top_level_and_time_to_epoch_seconds() {
        let event = to_aws_event(&stored(), true).ok();
        assert_eq!(
            event,
            Some(json!({
                "timestamp": 1_796_040_000.5, "type": "TaskStateEntered", "id": 2,
                "previousEventId": 1,
                "stateEnteredEventDetails": {"name": "LoadMessage", "input": "{}"}
            }))
        );
    }

    #[test]
    fn without_execution_data_inputs_and_outputs_are_left_out() {
        let event = to_aws_event(&stored(), false).ok();
        assert_eq!(
            event.map(|e| e["stateEnteredEventDetails"].clone()),
            Some(json!({"name": "LoadMessage"}))
        );
    }

    #[test]
    fn an_event_without_a_timestamp_is_a_server_fault() {
        let broken = json!({"id": 1, "type": "ExecutionStarted"});
        assert!(matches!(
            to_aws_event(&broken, true),
            Err(SfnError::Internal(_))
        ));
    }

    #[test]
    fn pages_walk_the_events_and_refuse_foreign_tokens() {
        let events: Vec<u32> = (1..=5).collect();
        assert_eq!(
            page(&events, None, 2).ok(),
            Some((vec![1, 2], Some("2".into())))
        );
        assert_eq!(page(&events, Some("4"), 2).ok(), Some((vec![5], None)));
        for bad in ["0", "5", "x", "-1"] {
            assert!(
                matches!(page(&events, Some(bad), 2), Err(SfnError::InvalidToken(_))),
                "{bad}"
            );
        }
    }
}
