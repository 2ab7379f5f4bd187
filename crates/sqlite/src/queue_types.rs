//! The values the local queue hands out: ids, received messages, dead letters, depth.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A queue message's id, kept from send to delete (and through the DLQ and back).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct QueueMessageId(String);

impl QueueMessageId {
    /// A fresh id (UUIDv7, so ids sort by send time).
    pub(crate) fn generate() -> Self {
        Self(uuid::Uuid::now_v7().hyphenated().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for QueueMessageId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for QueueMessageId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl fmt::Display for QueueMessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message taken from the queue, hidden from other receivers until its
/// visibility timeout ends or it is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The message's id.
    pub id: QueueMessageId,
    /// Proof of this receive: deletes and visibility changes need it. A later
    /// receive of the same message issues a new one and retires this one.
    pub receipt_handle: String,
    /// What was sent.
    pub body: String,
    /// How many times it has been received, this time included (1 the first time).
    pub receive_count: u32,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// A message moved to the dead-letter queue after too many receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The message's id (kept when it is redriven).
    pub id: QueueMessageId,
    /// What was sent.
    pub body: String,
    /// How many times it was received before it was given up on.
    pub receive_count: u32,
    /// When it was sent.
    #[serde(with = "rez_core::time::serde_sortable")]
    pub sent_at: DateTime<Utc>,
    /// When it was moved to the dead-letter queue.
    #[serde(with = "rez_core::time::serde_sortable")]
    pub dead_at: DateTime<Utc>,
}

/// How many messages the queue holds, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// Waiting to be received.
    pub visible: u64,
    /// Received and hidden until deleted or their visibility timeout ends.
    pub in_flight: u64,
    /// In the dead-letter queue.
    pub dead: u64,
}
