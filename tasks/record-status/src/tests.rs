//! Tests of the record-status task against the in-memory store.

use super::*;
use rez_core::memory::MemoryStore;
use rez_core::ports::SystemClock;
use rez_core::{Message, MessageType, Notification, Stage};
use serde_json::json;

/// The task as its Lambda and the local engine run it: JSON in, JSON out.
async fn invoke(
    deps: &Deps,
    input: serde_json::Value,
) -> Result<serde_json::Value, rez_core::FunctionError> {
    rez_core::task::invoke(input, |input| handle(deps, input)).await
}

/// The execution the stored message was claimed by.
const HOLDER: &str = "e1";

/// A message in `status`, last taken by [`HOLDER`].
async fn stored(status: Status) -> (Deps, Message) {
    let store = Arc::new(MemoryStore::new());
    let mut msg = Message::new(
        Utc::now(),
        "t",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hi"),
    );
    msg.status = status;
    msg.execution_id = Some(HOLDER.to_owned());
    store.create(&msg, None).await.unwrap();
    (
        Deps {
            store,
            clock: Arc::new(SystemClock),
            metrics: Arc::new(rez_core::ports::NoMetrics),
        },
        msg,
    )
}

#[tokio::test]
async fn success_marks_completed_with_ntfy_id_attempts_and_execution() -> Result<(), FunctionError>
{
    let (deps, msg) = stored(Status::Processing).await;
    let delivered = rez_core::time::format(Utc::now());
    invoke(&deps, json!({"outcome": "success", "message_id": msg.id, "execution_id": "e1",
        "delivery": {"ntfy_id": "n1", "delivered_at": delivered, "attempts": 3, "ntfy_time": delivered}})).await?;
    let m = deps.store.get(&msg.id).await.unwrap().unwrap();
    assert_eq!(
        (
            m.status,
            m.delivery_attempts,
            m.ntfy_message_id.as_deref(),
            m.execution_id.as_deref()
        ),
        (Status::Completed, 3, Some("n1"), Some("e1"))
    );
    assert!(m.delivered_at.is_some());
    Ok(())
}

#[tokio::test]
async fn failure_records_the_error_and_the_attempts_from_the_lambda_cause()
-> Result<(), FunctionError> {
    let (deps, msg) = stored(Status::Processing).await;
    let cause =
        FunctionError::new("Ntfy.Rejected", "attempt 1: ntfy answered 400: bad topic").to_cause();
    let out = invoke(
        &deps,
        json!({"outcome": "failure", "message_id": msg.id, "execution_id": "e1",
        "error": {"Error": "Ntfy.Rejected", "Cause": cause}}),
    )
    .await?;
    assert_eq!(out["recorded"], true);
    let m = deps.store.get(&msg.id).await.unwrap().unwrap();
    assert_eq!(m.status, Status::Failed);
    assert_eq!(m.delivery_attempts, 1);
    assert_eq!(
        m.error_message.as_deref(),
        Some("Ntfy.Rejected: attempt 1: ntfy answered 400: bad topic")
    );
    Ok(())
}

#[tokio::test]
async fn a_failure_never_overwrites_a_completed_message() -> Result<(), FunctionError> {
    let (deps, msg) = stored(Status::Completed).await;
    let out = invoke(
        &deps,
        json!({"outcome": "failure", "message_id": msg.id, "execution_id": "e2",
        "error": {"Error": "States.Timeout", "Cause": "task timed out"}}),
    )
    .await?;
    assert_eq!(out, json!({"recorded": false, "status": "completed"}));
    Ok(())
}

#[tokio::test]
async fn a_failure_of_a_missing_message_is_not_an_error_but_a_success_is() {
    let (deps, _) = stored(Status::Processing).await;
    let id = MessageId::generate(Utc::now());
    let out = invoke(
        &deps,
        json!({"outcome": "failure", "message_id": id, "execution_id": "e",
        "error": {"Error": "Message.NotFound", "Cause": "gone"}}),
    )
    .await
    .unwrap();
    assert_eq!(out["recorded"], false);
    let err = invoke(
        &deps,
        json!({"outcome": "success", "message_id": id, "execution_id": "e",
        "delivery": {"ntfy_id": "n", "delivered_at": "2026-01-01T00:00:00Z", "attempts": 1}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "Message.NotFound");
}

#[tokio::test]
async fn each_recorded_final_status_is_one_metric_event_and_a_repeat_is_none() {
    let (mut deps, msg) = stored(Status::Processing).await;
    let metrics = Arc::new(rez_core::ports::RecordedMetrics::default());
    deps.metrics = metrics.clone();
    let delivered_at = msg.created_date + chrono::Duration::milliseconds(750);
    let delivered = rez_core::time::format(delivered_at);
    let success = json!({"outcome": "success", "message_id": msg.id, "execution_id": "e1",
        "delivery": {"ntfy_id": "n1", "delivered_at": delivered, "attempts": 2, "ntfy_time": delivered}});
    invoke(&deps, success.clone()).await.unwrap();
    invoke(&deps, success).await.unwrap(); // already recorded: no second event
    // The delivery time travels with microseconds; the creation time has nanoseconds.
    let events = metrics.events();
    assert!(
        matches!(
            events.as_slice(),
            [MetricEvent::DeliveryFinished {
                stage: Stage::Dev,
                message_type: MessageType::Notification,
                delivered: true,
                attempts: 2,
                latency_ms: Some(749 | 750),
            }]
        ),
        "{events:?}"
    );

    let (mut deps, msg) = stored(Status::Processing).await;
    deps.metrics = metrics.clone();
    invoke(&deps, json!({"outcome": "failure", "message_id": msg.id, "execution_id": HOLDER,
        "error": {"Error": "Ntfy.Rejected", "Cause": "{\"errorType\":\"Ntfy.Rejected\",\"errorMessage\":\"attempt 1: 400\"}"}}))
        .await
        .unwrap();
    assert!(matches!(
        metrics.events().last(),
        Some(MetricEvent::DeliveryFinished {
            delivered: false,
            attempts: 1,
            latency_ms: None,
            ..
        })
    ));
}

#[tokio::test]
async fn only_the_execution_holding_the_claim_records_an_outcome() -> Result<(), FunctionError> {
    let delivered = rez_core::time::format(Utc::now());
    for outcome in [
        json!({"outcome": "success", "delivery": {"ntfy_id": "n2", "delivered_at": delivered, "attempts": 1}}),
        json!({"outcome": "failure", "error": {"Error": "Ntfy.ServerError", "Cause": "500"}}),
    ] {
        let (deps, msg) = stored(Status::Processing).await;
        let mut input = outcome.clone();
        input["message_id"] = json!(msg.id);
        input["execution_id"] = json!("e2");
        let out = invoke(&deps, input).await?;
        assert_eq!(
            out,
            json!({"recorded": false, "status": "processing"}),
            "{outcome}"
        );
        let m = deps.store.get(&msg.id).await.unwrap().unwrap();
        assert_eq!(
            (m.status, m.execution_id.as_deref(), m.ntfy_message_id),
            (Status::Processing, Some(HOLDER), None),
            "{outcome}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_used_up_quota_defers_the_message_until_after_the_reset() -> Result<(), FunctionError> {
    let (deps, msg) = stored(Status::Processing).await;
    let cause = FunctionError::new(
        "Ntfy.QuotaExceeded",
        "attempt 1: ntfy answered 429: daily message quota reached",
    )
    .to_cause();
    let out = invoke(
        &deps,
        json!({"outcome": "deferred", "message_id": msg.id, "execution_id": HOLDER,
        "error": {"Error": "Ntfy.QuotaExceeded", "Cause": cause}}),
    )
    .await?;
    assert_eq!(out, json!({"recorded": true, "status": "deferred"}));
    let m = deps.store.get(&msg.id).await.unwrap().unwrap();
    assert_eq!(m.status, Status::Deferred);
    let retry_at = rez_core::time::format(rez_core::reconcile::quota_retry_at(m.updated_date));
    assert_eq!(
        m.error_message.as_deref(),
        Some(
            format!(
                "Ntfy.QuotaExceeded: attempt 1: ntfy answered 429: daily message quota reached; \
                 tried again after {retry_at}"
            )
            .as_str()
        )
    );
    Ok(())
}
