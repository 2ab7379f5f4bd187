//! Tests of the LoadMessage task against the in-memory store.

use super::*;
use rez_core::memory::MemoryStore;
use rez_core::ports::SystemClock;
use rez_core::{MessageType, Notification, Stage};

async fn stored(status: Status) -> (Deps, Message) {
    let store = Arc::new(MemoryStore::new());
    let mut msg = Message::new(
        chrono::Utc::now(),
        "test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hi"),
    );
    msg.status = status;
    store.create(&msg, None).await.unwrap();
    (
        Deps {
            store,
            clock: Arc::new(SystemClock),
        },
        msg,
    )
}

#[tokio::test]
async fn a_queued_message_is_returned_as_processing_with_the_execution_id()
-> Result<(), TaskFailure> {
    let (deps, msg) = stored(Status::Queued).await;
    let out = invoke(
        &deps,
        serde_json::json!({"message_id": msg.id, "execution_id": "exec-1"}),
    )
    .await?;
    assert_eq!(out["status"], "processing");
    assert_eq!(out["execution_id"], "exec-1");
    assert_eq!(out["retry_count"], 0);
    assert_eq!(
        deps.store.get(&msg.id).await.unwrap().unwrap().status,
        Status::Processing
    );
    Ok(())
}

#[tokio::test]
async fn a_completed_message_is_returned_unchanged() -> Result<(), TaskFailure> {
    let (deps, msg) = stored(Status::Completed).await;
    let out = invoke(&deps, serde_json::json!({"message_id": msg.id})).await?;
    assert_eq!(out["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn a_message_taken_up_again_counts_a_retry() -> Result<(), TaskFailure> {
    for status in [Status::Processing, Status::Failed] {
        let (deps, msg) = stored(status).await;
        let out = invoke(&deps, serde_json::json!({"message_id": msg.id})).await?;
        assert_eq!(out["retry_count"], 1, "{status}");
    }
    Ok(())
}

#[tokio::test]
async fn a_missing_message_raises_message_not_found_and_bad_input_message_invalid() {
    let (deps, _) = stored(Status::Queued).await;
    let missing = MessageId::generate(chrono::Utc::now());
    let err = invoke(&deps, serde_json::json!({"message_id": missing}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Message.NotFound");
    let err = invoke(&deps, serde_json::json!({"id": 3}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Message.Invalid");
}
