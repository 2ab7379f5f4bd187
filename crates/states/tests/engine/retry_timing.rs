//! Retry waits follow IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds.

use rez_states::{EventType, ExecutionStatus};
use serde_json::json;

use crate::helpers::{Scripted, Step, event_names, run};

const RETRYING: &str = r#"{
  "StartAt": "Send",
  "States": {
    "Send": {
      "Type": "Task", "Resource": "send", "End": true,
      "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "BackoffRate": 2.0,
                 "MaxAttempts": 4, "MaxDelaySeconds": 3}]
    }
  }
}"#;

#[tokio::test]
async fn retries_wait_interval_times_backoff_capped_by_max_delay() -> Result<(), String> {
    let tasks = Scripted::default().with(
        "send",
        vec![Step::Fail("Transient"); 4]
            .into_iter()
            .chain([Step::Echo])
            .collect(),
    );
    let execution = run(RETRYING, json!({"n": 1}), &tasks, 0.01).await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert_eq!(execution.output.as_deref(), Some(&json!({"n": 1})));
    let failures: Vec<_> = execution
        .history
        .iter()
        .filter(|e| e.event_type == EventType::TaskFailed)
        .collect();
    let waits: Vec<f64> = failures
        .iter()
        .filter_map(|e| e.details["taskFailedEventDetails"]["retryBackoffIntervalSeconds"].as_f64())
        .collect();
    assert_eq!(waits, vec![1.0, 2.0, 3.0, 3.0]);
    // Each retry really waited (scaled by 0.01) before the next TaskScheduled.
    for (failed, wait) in failures.iter().zip(&waits) {
        let next = execution
            .history
            .iter()
            .find(|e| e.id > failed.id && e.event_type == EventType::TaskScheduled)
            .ok_or("no TaskScheduled after a retried failure")?;
        let gap = (next.timestamp - failed.timestamp).num_milliseconds();
        assert!(
            gap as f64 >= wait * 10.0 - 1.0,
            "waited {gap} ms, expected {} ms",
            wait * 10.0
        );
        assert!(gap < 1_000, "waited {gap} ms, far longer than scaled");
    }
    let retry_counts: Vec<u32> = tasks.calls().iter().map(|(_, n)| *n).collect();
    assert_eq!(retry_counts, vec![0, 1, 2, 3, 4]);
    Ok(())
}

#[tokio::test]
async fn exhausted_retries_fail_the_execution_with_the_task_error() -> Result<(), String> {
    let tasks = Scripted::default().with("send", vec![Step::Fail("Transient")]);
    let execution = run(RETRYING, json!({}), &tasks, 0.0).await?;
    assert_eq!(execution.status, ExecutionStatus::Failed);
    assert_eq!(execution.error.as_deref(), Some("Transient"));
    assert_eq!(tasks.calls().len(), 5);
    let names = event_names(&execution);
    assert_eq!(names.iter().filter(|n| *n == "TaskFailed").count(), 5);
    assert_eq!(names.last().map(String::as_str), Some("ExecutionFailed"));
    Ok(())
}

#[tokio::test]
async fn max_attempts_zero_never_retries() -> Result<(), String> {
    let definition = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "t", "End": true,
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]}}}"#;
    let tasks = Scripted::default().with("t", vec![Step::Fail("Boom")]);
    let execution = run(definition, json!({}), &tasks, 0.0).await?;
    assert_eq!(execution.error.as_deref(), Some("Boom"));
    assert_eq!(tasks.calls().len(), 1);
    Ok(())
}
