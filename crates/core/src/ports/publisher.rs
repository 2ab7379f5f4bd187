//! The publisher port: announce a stored message to the queue (SNS or local topic).

use serde::{Deserialize, Serialize};

use crate::{Message, MessageId, MessageType, Stage};

/// The event published for each message: the raw body the processor reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEvent {
    /// The stored message to deliver.
    pub message_id: MessageId,
    /// Its stage (also an SNS message attribute).
    pub stage: Stage,
    /// Its type (also an SNS message attribute).
    pub message_type: MessageType,
}

impl MessageEvent {
    /// The event announcing `message`.
    pub fn of(message: &Message) -> Self {
        Self {
            message_id: message.id.clone(),
            stage: message.stage,
            message_type: message.message_type,
        }
    }
}

/// Publishing failed; the message stays stored in status `created`.
#[derive(Debug, thiserror::Error)]
#[error("publishing message {message_id} failed: {reason}")]
pub struct PublishError {
    /// The message that was not published.
    pub message_id: MessageId,
    /// What went wrong.
    pub reason: String,
}

/// Sends message events to the queue that feeds the processor.
#[async_trait::async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes one event.
    ///
    /// # Errors
    /// The topic or queue refused or could not be reached.
    async fn publish(&self, event: &MessageEvent) -> Result<(), PublishError>;
}
