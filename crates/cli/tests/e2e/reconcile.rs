//! Messages that nothing else moves on: ntfy's quota defers them, and the
//! reconciler sends round what was deferred or left claimed by a dead
//! execution.

use crate::helpers::*;
use chrono::{TimeDelta, Utc};
use rez_core::ports::{CLAIM_LEASE, MessageStore};
use rez_core::{Message, MessageType, Notification, Stage, Status};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn a_used_up_quota_defers_the_message_and_acknowledges_its_record() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(429, 42908, "limit reached: daily message quota"))
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;

    let id = app.send(json!({"message": "after the reset"})).await;
    let message = app
        .wait_for_status(&id, &["deferred", "failed", "completed"])
        .await;
    assert_eq!(message["status"], "deferred", "{message}");
    let reason = message["error_message"].as_str().ok_or("no reason")?;
    assert!(reason.starts_with("Ntfy.QuotaExceeded"), "{reason}");
    assert!(reason.contains("; tried again after "), "{reason}");
    assert_eq!(app.publishes().await.len(), 1, "the quota is not retried");

    let execution = app
        .execution(message["execution_id"].as_str().ok_or("no execution")?)
        .await;
    assert_eq!(execution["status"], "SUCCEEDED");
    assert_eq!(
        states_entered(&execution),
        [
            "LoadMessage",
            "AlreadyDelivered?",
            "SendNotification",
            "RecordDeferred",
            "DeliveryDeferred"
        ]
    );
    // The record is acknowledged: a wait of hours spends no receives.
    let dlq = app.get_json("/api/dlq").await;
    assert_eq!(
        (
            &dlq["depth"]["visible"],
            &dlq["depth"]["in_flight"],
            &dlq["depth"]["dead"]
        ),
        (&json!(0), &json!(0), &json!(0)),
        "{dlq}"
    );
    app.shutdown().await;
    Ok(())
}

/// Stores `message` as it is (status and dates), without a queue record.
async fn store_as_is(app: &TestApp, message: &Message) {
    let stack = app.stack.as_ref().unwrap_or_else(|| panic!("running"));
    stack
        .store
        .create(message, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

fn left_behind(status: Status, idle: TimeDelta, text: &str) -> Message {
    let mut message = Message::new(
        Utc::now() - idle,
        "reconcile-test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text(text),
    );
    message.status = status;
    if status == Status::Processing {
        message.execution_id = Some("arn:aws:states:local:0:express:gone:gone".to_owned());
    }
    message
}

#[tokio::test]
async fn the_reconciler_delivers_a_dead_executions_claim_and_a_deferred_message_once_due()
-> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let dead_claim = left_behind(
        Status::Processing,
        CLAIM_LEASE + TimeDelta::minutes(1),
        "claimed by a dead execution",
    );
    let due = left_behind(Status::Deferred, TimeDelta::days(2), "deferred yesterday");
    let live_claim = left_behind(
        Status::Processing,
        TimeDelta::minutes(1),
        "claim still held",
    );
    for message in [&dead_claim, &due, &live_claim] {
        store_as_is(&app, message).await;
    }

    for message in [&dead_claim, &due] {
        let delivered = app
            .wait_for_status(message.id.as_str(), &["completed", "failed"])
            .await;
        assert_eq!(delivered["status"], "completed", "{delivered}");
    }
    let taken_over = app.message(dead_claim.id.as_str()).await;
    assert_eq!(taken_over["retry_count"], 1, "{taken_over}");
    let texts: Vec<_> = app
        .publishes()
        .await
        .iter()
        .map(|p| p["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(!texts.contains(&"claim still held".to_owned()), "{texts:?}");
    assert_eq!(
        app.message(live_claim.id.as_str()).await["status"],
        "processing",
        "a live claim is left to its execution"
    );
    app.shutdown().await;
    Ok(())
}
