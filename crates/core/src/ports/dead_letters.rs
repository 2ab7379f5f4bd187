//! The dead-letter queue port: what the API shows of deliveries given up on,
//! and how they are sent round again.

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// One record in the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterEntry {
    /// The queue record's id, which a redrive names (the local queue keeps
    /// it through a redrive; SQS gives the resent record a new one).
    pub id: String,
    /// The message the record announces, when its body names one.
    pub message_id: Option<String>,
    /// The record's body as it was sent.
    pub body: String,
    /// How many times it was received before it was given up on.
    pub receive_count: u32,
    /// When it was first sent (sortable format).
    pub sent_at: String,
    /// When it was moved to the dead-letter queue (sortable format).
    pub dead_at: String,
}

/// How many records the queue holds, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    /// Waiting to be received.
    pub visible: u64,
    /// Received and not yet deleted.
    pub in_flight: u64,
    /// In the dead-letter queue.
    pub dead: u64,
}

/// The dead-letter queue's records, oldest first, and the queue's depth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterList {
    /// The records, oldest first.
    pub items: Vec<DeadLetterEntry>,
    /// The queue's depth when they were read.
    pub depth: QueueCounts,
}

/// Reads and redrives the dead-letter queue.
#[async_trait::async_trait]
pub trait DeadLetterQueue: Send + Sync {
    /// Every dead letter, oldest first, with the queue's depth.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn list(&self) -> Result<DeadLetterList, StoreError>;

    /// Moves the named dead letters (or all, with `None`) back to the queue;
    /// unknown ids are skipped. Returns how many moved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn redrive(&self, ids: Option<Vec<String>>) -> Result<u64, StoreError>;
}
