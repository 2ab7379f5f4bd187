//! The JSON the API answers with, where rez-core has no `Deserialize` type
//! for it (pages, dead letters); items are rez-core's own types.

use rez_core::Message;
use rez_core::ports::ExecutionSummary;
use serde::{Deserialize, Serialize};

/// `GET /api/messages`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessagePage {
    /// The messages.
    pub items: Vec<Message>,
    /// The cursor of the next page, when there is one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `GET /api/executions`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExecutionPage {
    /// The executions.
    pub items: Vec<ExecutionSummary>,
    /// The cursor of the next page, when there is one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only this status (`queued`, `completed`, …).
    pub status: Option<String>,
    /// Only this stage.
    pub stage: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Filters of `GET /api/executions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    /// Only this status (`RUNNING`, `SUCCEEDED`, …).
    pub status: Option<String>,
    /// Only executions of this message.
    pub message_id: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// One record in the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeadLetterItem {
    /// The queue record's id (kept when redriven).
    pub id: String,
    /// The message the record is about, when its body names one.
    #[serde(default)]
    pub message_id: Option<String>,
    /// The record's body.
    pub body: String,
    /// How many times it was received before it was given up on.
    pub receive_count: u32,
    /// When it was sent.
    pub sent_at: String,
    /// When it was moved to the dead-letter queue.
    pub dead_at: String,
}

/// How many records the queue holds, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct QueueDepth {
    /// Waiting to be received.
    pub visible: u64,
    /// Received and not yet deleted.
    pub in_flight: u64,
    /// In the dead-letter queue.
    pub dead: u64,
}

/// `GET /api/dlq`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeadLetters {
    /// The dead letters.
    pub items: Vec<DeadLetterItem>,
    /// The queue's depth.
    pub depth: QueueDepth,
}

/// The body of `POST /api/dlq/redrive`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RedriveRequest {
    /// Only these records; all of them when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
}

/// `POST /api/dlq/redrive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Redriven {
    /// How many records went back to the queue.
    pub redriven: u64,
}
