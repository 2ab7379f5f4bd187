//! The [`DeadLetterQueue`] port on the local queue: what `/api/dlq` reads and redrives.

use rez_core::StoreError;
use rez_core::ports::{DeadLetterEntry, DeadLetterList, DeadLetterQueue, QueueCounts};
use rez_core::time;

use super::error::QueueError;
use super::queue::SqliteQueue;
use super::queue_types::{DeadLetter, QueueMessageId};

fn store_error(e: QueueError) -> StoreError {
    match e {
        QueueError::Unavailable(text) => StoreError::Unavailable(text),
        QueueError::Corrupt(text) => StoreError::Corrupt(text),
    }
}

/// The message id a record's body names (the processor's `{"message_id": …}`).
fn message_id_of(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value.get("message_id")?.as_str().map(str::to_owned)
}

fn entry(dead: DeadLetter) -> DeadLetterEntry {
    DeadLetterEntry {
        message_id: message_id_of(&dead.body),
        id: dead.id.as_str().to_owned(),
        body: dead.body,
        receive_count: dead.receive_count,
        sent_at: time::format(dead.sent_at),
        dead_at: time::format(dead.dead_at),
    }
}

#[async_trait::async_trait]
impl DeadLetterQueue for SqliteQueue {
    async fn list(&self) -> Result<DeadLetterList, StoreError> {
        let items = self.dead_letters().await.map_err(store_error)?;
        let depth = self.depth().await.map_err(store_error)?;
        Ok(DeadLetterList {
            items: items.into_iter().map(entry).collect(),
            depth: QueueCounts {
                visible: depth.visible,
                in_flight: depth.in_flight,
                dead: depth.dead,
            },
        })
    }

    async fn redrive(&self, ids: Option<Vec<String>>) -> Result<u64, StoreError> {
        let ids: Option<Vec<QueueMessageId>> =
            ids.map(|ids| ids.into_iter().map(QueueMessageId::from).collect());
        let moved = SqliteQueue::redrive(self, ids.as_deref())
            .await
            .map_err(store_error)?;
        Ok(u64::try_from(moved).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_comes_from_the_body_when_it_names_one() {
        assert_eq!(
            message_id_of(r#"{"message_id":"abc","stage":"dev"}"#).as_deref(),
            Some("abc")
        );
        assert_eq!(message_id_of("not json"), None);
        assert_eq!(message_id_of(r#"{"message_id":3}"#), None);
    }
}
