//! At real time scale (1.0) waits and retry back-off take exactly their
//! specified time; a paused tokio clock makes that testable in no time.

use rez_states::ExecutionStatus;
use serde_json::json;
use tokio::time::Instant;

use crate::helpers::{Scripted, Step, run};

#[tokio::test(start_paused = true)]
async fn retry_backoff_takes_interval_times_backoff_rate_in_real_time() -> Result<(), String> {
    let definition = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "t", "End": true,
        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2}]}}}"#;
    let tasks = Scripted::default().with(
        "t",
        vec![Step::Fail("Flaky"), Step::Fail("Flaky"), Step::Echo],
    );
    let started = Instant::now();
    let execution = run(definition, json!({}), &tasks, 1.0).await?;
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert!(
        (8.0..8.5).contains(&elapsed),
        "waited {elapsed} s, expected 2 + 6 s"
    );
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn wait_seconds_waits_that_long_scaled() -> Result<(), String> {
    let definition =
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 6, "End": true}}}"#;
    let started = Instant::now();
    run(definition, json!({}), &Scripted::default(), 0.5).await?;
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        (3.0..3.5).contains(&elapsed),
        "waited {elapsed} s, expected 6 × 0.5 s"
    );
    Ok(())
}
