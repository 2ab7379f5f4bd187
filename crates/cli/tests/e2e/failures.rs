//! Permanent failures stop at once; exhausted retries end failed, not looping.

use crate::helpers::*;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_400_fails_after_exactly_one_attempt_with_the_reason() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(400, 40013, "invalid request: topic invalid"))
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;

    let id = app.send(json!({"message": "nope"})).await;
    let message = app.wait_for_status(&id, &["failed", "completed"]).await;
    assert_eq!(message["status"], "failed");
    assert_eq!(message["delivery_attempts"], 1);
    let reason = message["error_message"]
        .as_str()
        .ok_or("no error message")?;
    assert!(reason.starts_with("Ntfy.Rejected"), "{reason}");
    assert!(reason.contains("400"), "{reason}");
    assert_eq!(app.publishes().await.len(), 1);

    let execution = app
        .execution(message["execution_id"].as_str().ok_or("no execution")?)
        .await;
    assert_eq!(execution["status"], "FAILED");
    assert_eq!(execution["error"], "Ntfy.Rejected");
    assert_eq!(
        states_entered(&execution),
        [
            "LoadMessage",
            "AlreadyDelivered?",
            "SendNotification",
            "RecordFailure",
            "DeliveryFailed"
        ]
    );
    // Permanent: acknowledged, never run again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.executions_of(&id).await.len(), 1);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_unanswering_ntfy_fails_the_message_and_sends_the_record_to_the_dlq_after_three_receives()
-> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&ntfy)
        .await;
    // A little slower than the default scale, so the ntfy client's timeout
    // (10 s scaled) always ends an attempt before the task's (15 s scaled).
    let app = spawn_app_with(ntfy, |c| c.time_scale = 0.02).await;

    let id = app.send(json!({"message": "into the void"})).await;
    let message = app.wait_for_status(&id, &["failed", "completed"]).await;
    assert_eq!(message["status"], "failed");
    assert_eq!(message["delivery_attempts"], 4, "first try + 3 retries");
    assert!(
        message["error_message"]
            .as_str()
            .is_some_and(|e| e.starts_with("Ntfy.Unreachable")),
        "{message}"
    );

    // Transient failure: the record is redelivered until maxReceiveCount (3),
    // then moved to the DLQ; no further executions after that.
    let stack = app.stack.as_ref().ok_or("no stack")?;
    eventually(Duration::from_millis(50), async || {
        let depth = stack.queue.depth().await.map_err(|e| e.to_string())?;
        match depth.dead == 1 && depth.visible == 0 && depth.in_flight == 0 {
            true => Ok(()),
            false => Err(format!("record never reached the DLQ: {depth:?}")),
        }
    })
    .await;
    let runs = app.executions_of(&id).await.len();
    assert_eq!(runs, 3);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.executions_of(&id).await.len(), 3, "no endless loop");
    assert_eq!(app.message(&id).await["status"], "failed");
    app.shutdown().await;
    Ok(())
}
