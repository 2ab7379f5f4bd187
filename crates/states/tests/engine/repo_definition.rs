//! The repository's own `statemachine/notification.asl.json`, as the local
//! runtime runs it: retries of a rate-limited send, and a permanent failure
//! carried out through ErrorPath/CausePath.

use rez_states::{EventType, ExecutionStatus};
use serde_json::json;

use crate::helpers::{Scripted, Step, run};

const DEFINITION: &str = include_str!("../../../../statemachine/notification.asl.json");
const SEND: &str = "${SendNotificationFunctionArn}";
const LOAD: &str = "${LoadMessageFunctionArn}";

fn pending_message() -> Step {
    Step::Return(json!({"message_id": "m", "status": "pending", "topic": "t", "body": "hi"}))
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
    let completed = Step::Return(json!({"message_id": "m", "status": "completed"}));
    let tasks = Scripted::default().with(LOAD, vec![completed]);
    let execution = run(DEFINITION, json!({"message_id": "m-3"}), &tasks, 0.0).await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert!(tasks.calls().iter().all(|(r, _)| r != SEND));
    Ok(())
}
