//! An Express execution's history, read from the state machine's CloudWatch
//! Logs group.
//!
//! Step Functions keeps no history of Express executions
//! (`GetExecutionHistory` refuses their ARNs); a state machine logging at
//! level `ALL` with execution data writes every history event to its log
//! group instead, one JSON log event each:
//!
//! ```json
//! {"id": "3", "type": "TaskScheduled", "details": {"resource": "…", …},
//!  "previous_event_id": "2", "event_timestamp": "1765101600123",
//!  "execution_arn": "arn:aws:states:…:express:…", "redrive_count": "0"}
//! ```
//!
//! [`ExecutionLogGroup`] finds one execution's events with `FilterLogEvents`
//! (the ARN as a quoted term, within the execution's start and stop) and
//! [`history_event`] turns each into the `GetExecutionHistory` shape that
//! the local API serves. AWS delivers these logs best-effort and after a
//! delay, so a history read soon after the execution, or one whose events
//! were lost, is short or empty.

use aws_sdk_cloudwatchlogs::error::SdkError;
use chrono::{DateTime, SecondsFormat, Utc};
use rez_core::StoreError;
use serde_json::{Map, Value, json};

use crate::error::describe;

/// Most `FilterLogEvents` pages one history read takes.
const MAX_PAGES: usize = 20;
/// How far outside the execution's start and stop its events are looked for
/// (the log event's timestamp is the history event's own).
const MARGIN_MS: i64 = 1_000;

/// The state machine's log group, read for one execution's history at a time.
#[derive(Debug, Clone)]
pub struct ExecutionLogGroup {
    client: aws_sdk_cloudwatchlogs::Client,
    log_group: String,
}

impl ExecutionLogGroup {
    /// Reads `log_group` (its name, e.g. `/aws/vendedlogs/states/<machine>`).
    pub fn new(client: aws_sdk_cloudwatchlogs::Client, log_group: impl Into<String>) -> Self {
        Self {
            client,
            log_group: log_group.into(),
        }
    }

    /// The history events of `execution_arn`, in event order, from the log
    /// events written between `start` and `stop`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when CloudWatch Logs does not answer;
    /// [`StoreError::Corrupt`] when an event of the execution is not the
    /// shape Step Functions writes.
    pub async fn history(
        &self,
        execution_arn: &str,
        start: DateTime<Utc>,
        stop: DateTime<Utc>,
    ) -> Result<Vec<Value>, StoreError> {
        let mut events = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .client
                .filter_log_events()
                .log_group_name(&self.log_group)
                .filter_pattern(quoted_term(execution_arn))
                .start_time(start.timestamp_millis() - MARGIN_MS)
                .end_time(stop.timestamp_millis() + MARGIN_MS)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.unavailable(&e))?;
            for event in page.events() {
                let Some(message) = event.message() else {
                    continue;
                };
                let parsed = parse_log_event(message)?;
                // The quoted term also matches an event that merely mentions
                // the ARN (in an input, say): keep the execution's own.
                if parsed.execution_arn == execution_arn {
                    events.push(parsed);
                }
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        events.sort_by_key(|event| event.id);
        events.dedup_by_key(|event| event.id);
        Ok(events.into_iter().map(|event| event.history).collect())
    }

    fn unavailable<E, R>(&self, error: &SdkError<E, R>) -> StoreError
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::Unavailable(format!(
            "logs FilterLogEvents on {}: {}",
            self.log_group,
            describe(error)
        ))
    }
}

/// A filter pattern matching `text` as one term: CloudWatch Logs wants
/// terms with characters other than letters and digits in double quotes.
fn quoted_term(text: &str) -> String {
    format!("\"{}\"", text.replace('"', ""))
}

/// One log event of an execution, turned into a history event.
#[derive(Debug)]
struct LoggedEvent {
    id: u64,
    execution_arn: String,
    history: Value,
}

fn parse_log_event(message: &str) -> Result<LoggedEvent, StoreError> {
    let corrupt = |why: &str| {
        StoreError::Corrupt(format!(
            "a state machine log event {why}: {}",
            message.chars().take(200).collect::<String>()
        ))
    };
    let record: Value = serde_json::from_str(message).map_err(|_| corrupt("is not JSON"))?;
    let execution_arn = record
        .get("execution_arn")
        .and_then(Value::as_str)
        .ok_or_else(|| corrupt("names no execution_arn"))?
        .to_owned();
    let history = history_event(&record).map_err(|why| corrupt(&why))?;
    let id = history
        .get("id")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    Ok(LoggedEvent {
        id,
        execution_arn,
        history,
    })
}

/// An Express log record as a `GetExecutionHistory` event: `id`,
/// `previousEventId`, `timestamp` (RFC 3339), `type`, and `details` holding
/// the one `…EventDetails` member AWS names for the type.
///
/// # Errors
/// What is missing or malformed in `record`.
pub fn history_event(record: &Value) -> Result<Value, String> {
    let number = |name: &str| -> Result<u64, String> {
        match record.get(name) {
            Some(Value::String(text)) => text
                .parse()
                .map_err(|_| format!("{name} '{text}' is not a number")),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| format!("{name} is not a count")),
            _ => Err(format!("has no {name}")),
        }
    };
    let event_type = record
        .get("type")
        .and_then(Value::as_str)
        .ok_or("has no type")?;
    let millis = i64::try_from(number("event_timestamp")?)
        .map_err(|_| "event_timestamp is out of range".to_owned())?;
    let timestamp =
        DateTime::<Utc>::from_timestamp_millis(millis).ok_or("event_timestamp is out of range")?;
    let details = match record.get("details") {
        Some(Value::Object(fields)) if !fields.is_empty() => {
            json!({ details_member(event_type): fields })
        }
        _ => Value::Object(Map::new()),
    };
    Ok(json!({
        "id": number("id")?,
        "previousEventId": number("previous_event_id").unwrap_or(0),
        "timestamp": timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        "type": event_type,
        "details": details,
    }))
}

/// The member of `HistoryEvent` that holds the details of `event_type`:
/// every `…StateEntered` shares `stateEnteredEventDetails` and every
/// `…StateExited` `stateExitedEventDetails`; the others are the type's
/// name in lower camel case (`TaskScheduled` → `taskScheduledEventDetails`).
pub fn details_member(event_type: &str) -> String {
    if event_type.ends_with("StateEntered") {
        return "stateEnteredEventDetails".to_owned();
    }
    if event_type.ends_with("StateExited") {
        return "stateExitedEventDetails".to_owned();
    }
    let mut chars = event_type.chars();
    let first = chars.next().map(|c| c.to_ascii_lowercase());
    first
        .into_iter()
        .chain(chars)
        .chain("EventDetails".chars())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log records as Step Functions writes them for an Express execution
    /// (level ALL, execution data included).
    const ARN: &str =
        "arn:aws:states:us-east-1:123456789012:express:rez-agent-notification-dev:m-1-ab:0f1e";

    fn record(id: u64, previous: u64, event_type: &str, details: Value) -> String {
        json!({
            "id": id.to_string(),
            "type": event_type,
            "details": details,
            "previous_event_id": previous.to_string(),
            "event_timestamp": (1_765_101_600_000 + id).to_string(),
            "execution_arn": ARN,
            "redrive_count": "0",
        })
        .to_string()
    }

    #[test]
    fn log_records_become_history_events_in_the_api_shape() {
        let entered = parse_log_event(&record(
            2,
            1,
            "TaskStateEntered",
            json!({"input": "{\"message_id\":\"m-1\"}", "inputDetails": {"truncated": false}, "name": "LoadMessage"}),
        ))
        .unwrap();
        assert_eq!(entered.id, 2);
        assert_eq!(entered.execution_arn, ARN);
        assert_eq!(
            entered.history,
            json!({
                "id": 2,
                "previousEventId": 1,
                "timestamp": "2025-12-07T10:00:00.002Z",
                "type": "TaskStateEntered",
                "details": {"stateEnteredEventDetails": {
                    "input": "{\"message_id\":\"m-1\"}",
                    "inputDetails": {"truncated": false},
                    "name": "LoadMessage",
                }},
            })
        );
        let failed = parse_log_event(&record(
            5,
            4,
            "TaskFailed",
            json!({"error": "Ntfy.ServerError", "cause": "503", "resource": "invoke", "resourceType": "lambda"}),
        ))
        .unwrap();
        assert_eq!(
            failed.history["details"]["taskFailedEventDetails"]["error"],
            "Ntfy.ServerError"
        );
        let aborted = parse_log_event(&record(6, 5, "TaskStateAborted", json!({}))).unwrap();
        assert_eq!(aborted.history["details"], json!({}));
    }

    #[test]
    fn a_record_that_is_not_a_step_functions_event_is_named_corrupt() {
        for bad in [
            "not json".to_owned(),
            json!({"id": "1", "type": "ExecutionStarted"}).to_string(),
            json!({"id": "x", "type": "ExecutionStarted", "event_timestamp": "1", "execution_arn": ARN}).to_string(),
        ] {
            let err = parse_log_event(&bad).unwrap_err();
            assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        }
    }

    #[test]
    fn each_type_names_its_details_member_as_aws_does() {
        for (event_type, member) in [
            ("ExecutionStarted", "executionStartedEventDetails"),
            ("TaskStateEntered", "stateEnteredEventDetails"),
            ("ChoiceStateExited", "stateExitedEventDetails"),
            ("TaskScheduled", "taskScheduledEventDetails"),
            ("LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"),
            ("MapIterationStarted", "mapIterationStartedEventDetails"),
            ("ExecutionTimedOut", "executionTimedOutEventDetails"),
        ] {
            assert_eq!(details_member(event_type), member);
        }
    }

    #[test]
    fn the_filter_is_the_arn_as_one_quoted_term() {
        assert_eq!(quoted_term(ARN), format!("\"{ARN}\""));
        assert_eq!(quoted_term("a\"b"), "\"ab\"");
    }
}
