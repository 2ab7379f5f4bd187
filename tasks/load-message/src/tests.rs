//! Tests of the LoadMessage task against the in-memory store.

use super::*;
use chrono::TimeDelta;
use rez_core::memory::MemoryStore;
use rez_core::ports::{CLAIM_LEASE, SystemClock};
use rez_core::{FunctionError, MessageType, Notification, Stage, StoreError};

/// The task as its Lambda and the local engine run it: JSON in, JSON out.
async fn invoke(
    deps: &Deps,
    input: serde_json::Value,
) -> Result<serde_json::Value, rez_core::FunctionError> {
    rez_core::task::invoke(input, |input| handle(deps, input)).await
}

async fn stored(status: Status) -> (Deps, Message) {
    stored_as(status, None, TimeDelta::zero()).await
}

/// A message in `status` last taken by `execution_id`, `age` ago.
async fn stored_as(status: Status, execution_id: Option<&str>, age: TimeDelta) -> (Deps, Message) {
    let store = Arc::new(MemoryStore::new());
    let mut msg = Message::new(
        chrono::Utc::now() - age,
        "test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hi"),
    );
    msg.status = status;
    msg.execution_id = execution_id.map(str::to_owned);
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
-> Result<(), FunctionError> {
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
async fn a_completed_message_is_returned_unchanged() -> Result<(), FunctionError> {
    let (deps, msg) = stored(Status::Completed).await;
    let out = invoke(&deps, serde_json::json!({"message_id": msg.id})).await?;
    assert_eq!(out["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn a_message_taken_up_again_by_another_execution_counts_a_retry() -> Result<(), FunctionError>
{
    for status in [Status::Processing, Status::Failed] {
        let (deps, msg) = stored_as(status, Some("exec-old"), CLAIM_LEASE).await;
        let out = invoke(
            &deps,
            serde_json::json!({"message_id": msg.id, "execution_id": "exec-new"}),
        )
        .await?;
        assert_eq!(
            (&out["retry_count"], &out["execution_id"]),
            (&serde_json::json!(1), &serde_json::json!("exec-new")),
            "{status}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_live_claim_of_another_execution_is_refused_with_message_claimed() {
    let (deps, msg) = stored_as(Status::Processing, Some("exec-1"), TimeDelta::seconds(5)).await;
    let err = invoke(
        &deps,
        serde_json::json!({"message_id": msg.id, "execution_id": "exec-2"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "Message.Claimed");
    let stored = deps.store.get(&msg.id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.status,
            stored.execution_id.as_deref(),
            stored.retry_count
        ),
        (Status::Processing, Some("exec-1"), 0)
    );
}

#[tokio::test]
async fn the_claim_holder_loading_again_keeps_its_claim_without_a_retry()
-> Result<(), FunctionError> {
    let (deps, msg) = stored_as(Status::Processing, Some("exec-1"), TimeDelta::seconds(5)).await;
    let out = invoke(
        &deps,
        serde_json::json!({"message_id": msg.id, "execution_id": "exec-1"}),
    )
    .await?;
    assert_eq!(
        (&out["status"], &out["retry_count"]),
        (&serde_json::json!("processing"), &serde_json::json!(0))
    );
    Ok(())
}

#[tokio::test]
async fn of_three_executions_started_at_once_exactly_one_claims_the_message() {
    let (deps, msg) = stored(Status::Queued).await;
    let attempts = (1..=3).map(|n| {
        let deps = deps.clone();
        let id = msg.id.clone();
        tokio::spawn(async move {
            invoke(
                &deps,
                serde_json::json!({"message_id": id, "execution_id": format!("exec-{n}")}),
            )
            .await
        })
    });
    let results: Vec<_> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|joined| joined.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let claimed = results.iter().filter(|r| r.is_ok()).count();
    let refused: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| e.error_type.as_str())
        .collect();
    assert_eq!((claimed, refused), (1, vec!["Message.Claimed"; 2]));
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

/// A store whose reads lag one status behind: `get` answers `created` while
/// the stored message is already `queued` (the API marked it in between).
struct LaggingStore(Arc<MemoryStore>);

#[async_trait::async_trait]
impl MessageStore for LaggingStore {
    async fn create(
        &self,
        message: &Message,
        key: Option<&rez_core::IdempotencyKey>,
    ) -> Result<rez_core::ports::Created, StoreError> {
        self.0.create(message, key).await
    }
    async fn get(&self, id: &rez_core::MessageId) -> Result<Option<Message>, StoreError> {
        let mut message = self.0.get(id).await?;
        if let Some(m) = message.as_mut() {
            m.status = Status::Created;
        }
        Ok(message)
    }
    async fn list(
        &self,
        query: &rez_core::ports::ListQuery,
    ) -> Result<rez_core::ports::Page, StoreError> {
        self.0.list(query).await
    }
    async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError> {
        self.0.transition(change).await
    }
    async fn metrics(
        &self,
        window: rez_core::ports::MetricsWindow,
    ) -> Result<rez_core::ports::Metrics, StoreError> {
        self.0.metrics(window).await
    }
    async fn hourly_counts(
        &self,
        series: rez_core::ports::HourlySeries,
    ) -> Result<Vec<rez_core::ports::HourlyCounts>, StoreError> {
        self.0.hourly_counts(series).await
    }
}

#[tokio::test]
async fn a_message_queued_between_read_and_take_is_still_taken() -> Result<(), FunctionError> {
    let (deps, msg) = stored(Status::Queued).await;
    let memory = Arc::new(MemoryStore::new());
    memory.create(&msg, None).await.unwrap();
    let deps = Deps {
        store: Arc::new(LaggingStore(memory.clone())),
        ..deps
    };
    let out = invoke(
        &deps,
        serde_json::json!({"message_id": msg.id, "execution_id": "exec-1"}),
    )
    .await?;
    assert_eq!(out["status"], "processing");
    let stored = memory.get(&msg.id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Processing);
    Ok(())
}
