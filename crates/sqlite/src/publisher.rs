//! The local topic: publishing a message event sends it to the durable queue.

use async_trait::async_trait;
use rez_core::ports::{MessageEvent, PublishError, Publisher};

use crate::SqliteQueue;

/// A `Publisher` that delivers straight into the local queue (SNS → SQS with
/// raw message delivery: the queue body is the event JSON).
#[derive(Clone)]
pub struct QueuePublisher {
    queue: SqliteQueue,
}

impl QueuePublisher {
    /// A publisher into `queue`.
    pub fn new(queue: SqliteQueue) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl Publisher for QueuePublisher {
    async fn publish(&self, event: &MessageEvent) -> Result<(), PublishError> {
        let failed = |reason: String| PublishError {
            message_id: event.message_id.clone(),
            reason,
        };
        let body = serde_json::to_string(event).map_err(|e| failed(e.to_string()))?;
        self.queue
            .send(body)
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(())
    }
}
