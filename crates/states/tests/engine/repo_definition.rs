//! The repository's own `statemachine/notification.asl.json`, as the local
//! runtime runs it: retries of a rate-limited send, the message it carries,
//! and a permanent failure carried out through ErrorPath/CausePath.

use rez_states::{EventType, ExecutionStatus};
use serde_json::json;

use crate::helpers::{Scripted, Step, run};

const DEFINITION: &str = include_str!("../../../../statemachine/notification.asl.json");
const SEND: &str = "${SendNotificationFunctionArn}";
const LOAD: &str = "${LoadMessageFunctionArn}";

/// A message as LoadMessage returns it, in `status`.
fn loaded(status: &str) -> Step {
    Step::Return(json!({
        "id": "m",
        "created_date": "2026-12-07T09:00:00.000000Z",
        "created_by": "api",
        "stage": "dev",
        "message_type": "notification",
        "status": status,
        "payload": {"message": "hi"},
        "arguments": {"note": "not carried on"},
        "updated_date": "2026-12-07T09:00:01.000000Z",
        "error_message": null,
        "retry_count": 0,
        "delivery_attempts": 0,
        "execution_id": "arn:aws:states:us-east-1:1:express:notification:m-1:e",
        "delivered_at": null,
        "ntfy_message_id": null,
        "ttl": 1_772_000_000
    }))
}

fn pending_message() -> Step {
    loaded("processing")
}

#[tokio::test]
async fn rate_limited_sends_are_retried_with_the_declared_back_off() -> Result<(), String> {
    let tasks = Scripted::default()
        .with(LOAD, vec![pending_message()])
        .with(
            SEND,
            vec![
                Step::Fail("Ntfy.RateLimited"),
                Step::Fail("Ntfy.RateLimited"),
                Step::Echo,
            ],
        );
    let execution = run(DEFINITION, json!({"message_id": "m-1"}), &tasks, 0.0).await?;
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{:?} {:?}",
        execution.error,
        execution.cause
    );
    let waits: Vec<f64> = execution
        .history
        .iter()
        .filter(|e| e.event_type == EventType::TaskFailed)
        .filter_map(|e| e.details["taskFailedEventDetails"]["retryBackoffIntervalSeconds"].as_f64())
        .collect();
    assert_eq!(
        waits,
        vec![5.0, 10.0],
        "JitterStrategy NONE: 5 s, then 5 × 2"
    );
    // `attempt.$: $$.State.RetryCount` reaches the task as 0, 1, 2.
    let attempts: Vec<u32> = tasks
        .calls()
        .into_iter()
        .filter(|(r, _)| r == SEND)
        .map(|(_, n)| n)
        .collect();
    assert_eq!(attempts, vec![0, 1, 2]);
    // LoadMessage's ResultSelector carries on only the fields a message
    // cannot do without: the claim's ARN and the arguments stay out of
    // every later event.
    let sent: serde_json::Value = execution
        .history
        .iter()
        .find(|e| {
            e.event_type == EventType::TaskScheduled && e.details.to_string().contains("attempt")
        })
        .and_then(|e| e.details["taskScheduledEventDetails"]["parameters"].as_str())
        .map(serde_json::from_str)
        .ok_or("no SendNotification was scheduled")?
        .map_err(|e| e.to_string())?;
    let mut fields: Vec<&str> = sent["message"]
        .as_object()
        .ok_or("no message sent")?
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "created_by",
            "created_date",
            "id",
            "message_type",
            "payload",
            "stage",
            "status",
            "ttl",
            "updated_date"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_permanent_failure_is_recorded_and_fails_with_the_original_error() -> Result<(), String> {
    let tasks = Scripted::default()
        .with(LOAD, vec![pending_message()])
        .with(SEND, vec![Step::Fail("Ntfy.Rejected")]);
    let execution = run(DEFINITION, json!({"message_id": "m-2"}), &tasks, 0.0).await?;
    assert_eq!(execution.status, ExecutionStatus::Failed);
    assert_eq!(execution.error.as_deref(), Some("Ntfy.Rejected"));
    assert_eq!(execution.cause.as_deref(), Some("Ntfy.Rejected on call 0"));
    Ok(())
}

#[tokio::test]
async fn an_already_completed_message_is_not_sent_again() -> Result<(), String> {
    let tasks = Scripted::default().with(LOAD, vec![loaded("completed")]);
    let execution = run(DEFINITION, json!({"message_id": "m-3"}), &tasks, 0.0).await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert!(tasks.calls().iter().all(|(r, _)| r != SEND));
    Ok(())
}
