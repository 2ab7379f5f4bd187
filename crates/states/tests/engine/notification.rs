//! The local notification pipeline's definition, end to end.

use rez_states::ExecutionStatus;
use serde_json::json;

use crate::helpers::{Scripted, Step, event_names, run};

const NOTIFICATION: &str = include_str!("../data/notification.asl.json");
const SEND: &str = "arn:aws:lambda:us-east-1:123456789012:function:SendNotification";

#[tokio::test]
async fn delivers_and_records_success() -> Result<(), String> {
    let execution = run(
        NOTIFICATION,
        json!({"messageId": "m1", "recipient": "a@b"}),
        &Scripted::default(),
        0.0,
    )
    .await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    let output = execution.output.ok_or("no output")?;
    assert_eq!(
        output["message"],
        json!({"messageId": "m1", "recipient": "a@b", "channel": "email", "delivered": false})
    );
    assert_eq!(
        output["send"],
        json!({"accepted": true, "channel": "email"})
    );
    assert_eq!(
        output["record"],
        json!({"messageId": "m1", "status": "SENT"})
    );
    Ok(())
}

#[tokio::test]
async fn transient_failures_are_retried_then_succeed() -> Result<(), String> {
    let tasks = Scripted::default().with(
        SEND,
        vec![
            Step::Fail("TransientError"),
            Step::Fail("TransientError"),
            Step::Echo,
        ],
    );
    let execution = run(
        NOTIFICATION,
        json!({"messageId": "m2", "recipient": "x"}),
        &tasks,
        0.0,
    )
    .await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    let names = event_names(&execution);
    assert_eq!(names.iter().filter(|n| *n == "TaskFailed").count(), 2);
    Ok(())
}

#[tokio::test]
async fn permanent_failure_is_caught_recorded_and_fails() -> Result<(), String> {
    let tasks = Scripted::default().with(SEND, vec![Step::Fail("Ntfy.Rejected")]);
    let execution = run(
        NOTIFICATION,
        json!({"messageId": "m3", "recipient": "x"}),
        &tasks,
        0.0,
    )
    .await?;
    assert_eq!(execution.status, ExecutionStatus::Failed);
    assert_eq!(execution.error.as_deref(), Some("NotificationFailed"));
    assert_eq!(execution.cause.as_deref(), Some("SendNotification failed"));
    let calls: Vec<String> = tasks.calls().into_iter().map(|(r, _)| r).collect();
    assert!(calls.iter().any(|r| r.ends_with("RecordFailure")));
    Ok(())
}
