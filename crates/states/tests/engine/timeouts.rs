//! TimeoutSeconds on a Task (States.Timeout) and on the whole machine (TIMED_OUT).

use std::time::Duration;

use rez_states::{EventType, ExecutionStatus};
use serde_json::json;

use crate::helpers::{Scripted, Step, run};

fn slow_task(catch: &str) -> String {
    format!(
        r#"{{"StartAt": "Slow", "States": {{
            "Slow": {{"Type": "Task", "Resource": "slow", "TimeoutSeconds": 2, "End": true,
                     "Catch": [{{"ErrorEquals": ["{catch}"], "ResultPath": "$.error", "Next": "Caught"}}]}},
            "Caught": {{"Type": "Pass", "End": true}}}}}}"#
    )
}

#[tokio::test]
async fn task_timeout_raises_states_timeout_which_task_failed_does_not_catch() -> Result<(), String>
{
    let tasks = Scripted::default().with("slow", vec![Step::Sleep(Duration::from_secs(5))]);
    let execution = run(&slow_task("States.TaskFailed"), json!({}), &tasks, 0.01).await?;
    assert_eq!(execution.status, ExecutionStatus::Failed);
    assert_eq!(execution.error.as_deref(), Some("States.Timeout"));
    assert!(
        execution
            .history
            .iter()
            .any(|e| e.event_type == EventType::TaskTimedOut)
    );
    Ok(())
}

#[tokio::test]
async fn task_timeout_is_caught_by_states_all() -> Result<(), String> {
    let tasks = Scripted::default().with("slow", vec![Step::Sleep(Duration::from_secs(5))]);
    let execution = run(&slow_task("States.ALL"), json!({"a": 1}), &tasks, 0.01).await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert_eq!(
        execution.output.as_deref(),
        Some(&json!({"a": 1, "error": {"Error": "States.Timeout"}}))
    );
    Ok(())
}

#[tokio::test]
async fn time_scale_zero_never_fires_timeouts() -> Result<(), String> {
    let tasks = Scripted::default().with("slow", vec![Step::Sleep(Duration::from_millis(20))]);
    let execution = run(&slow_task("States.ALL"), json!({}), &tasks, 0.0).await?;
    assert_eq!(execution.output.as_deref(), Some(&json!({})));
    Ok(())
}

#[tokio::test]
async fn machine_timeout_ends_the_execution_as_timed_out() -> Result<(), String> {
    let definition = r#"{"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}"#;
    let execution = run(definition, json!({}), &Scripted::default(), 0.01).await?;
    assert_eq!(execution.status, ExecutionStatus::TimedOut);
    assert_eq!(execution.error.as_deref(), Some("States.Timeout"));
    assert_eq!(
        execution.history.last().map(|e| e.event_type),
        Some(EventType::ExecutionTimedOut)
    );
    Ok(())
}
