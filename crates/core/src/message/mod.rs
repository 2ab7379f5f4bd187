//! The message: what was asked to be delivered, and where its delivery stands.

mod id;
mod kinds;

pub use id::MessageId;
pub(crate) use kinds::text_enum;
pub use kinds::{MessageType, Stage, Status};

use crate::notification::Notification;
use crate::time::{serde_sortable, serde_sortable_opt};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long an execution's claim on a `processing` message holds, counted
/// from the claim (the message's `updated_date`).
///
/// An Express execution cannot run longer than five minutes, and the
/// definition's own `TimeoutSeconds` is shorter still; the extra minute covers
/// a task Lambda that outlives its state's timeout (the function timeouts are
/// a few seconds longer than the states'). Once it has passed, the execution
/// that claimed the message is certainly over, and another may take it.
pub const CLAIM_LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(360);

/// How long a message is kept after it was created, in days (DynamoDB TTL).
pub const RETENTION_DAYS: i64 = 90;

/// A notification message and its delivery record, as every store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Sortable unique id (UUIDv7).
    pub id: MessageId,
    /// When the message was accepted.
    #[serde(with = "serde_sortable")]
    pub created_date: DateTime<Utc>,
    /// Who created it: `api`, `scheduler`, or the caller's own label.
    pub created_by: String,
    /// The deployment stage it belongs to.
    pub stage: Stage,
    /// Why it exists.
    pub message_type: MessageType,
    /// Where its delivery stands.
    pub status: Status,
    /// What to publish to ntfy.
    pub payload: Notification,
    /// Free-form key/values the creator attached.
    #[serde(default)]
    pub arguments: serde_json::Map<String, serde_json::Value>,
    /// When any field last changed.
    #[serde(with = "serde_sortable")]
    pub updated_date: DateTime<Utc>,
    /// Why the last delivery failed, if it did.
    #[serde(default)]
    pub error_message: Option<String>,
    /// How many times the message was taken up again after a failed execution.
    #[serde(default)]
    pub retry_count: u32,
    /// How many publishes to ntfy were attempted, in the last execution.
    #[serde(default)]
    pub delivery_attempts: u32,
    /// The execution that last worked on it.
    #[serde(default)]
    pub execution_id: Option<String>,
    /// When ntfy accepted it.
    #[serde(default, with = "serde_sortable_opt")]
    pub delivered_at: Option<DateTime<Utc>>,
    /// The id ntfy gave the published notification.
    #[serde(default)]
    pub ntfy_message_id: Option<String>,
    /// Expiry as Unix seconds: created + [`RETENTION_DAYS`].
    pub ttl: i64,
}

impl Message {
    /// A freshly accepted message in status `created`.
    pub fn new(
        created_date: DateTime<Utc>,
        created_by: impl Into<String>,
        stage: Stage,
        message_type: MessageType,
        payload: Notification,
    ) -> Self {
        Self {
            id: MessageId::generate(created_date),
            created_date,
            created_by: created_by.into(),
            stage,
            message_type,
            status: Status::Created,
            payload,
            arguments: serde_json::Map::new(),
            updated_date: created_date,
            error_message: None,
            retry_count: 0,
            delivery_attempts: 0,
            execution_id: None,
            delivered_at: None,
            ntfy_message_id: None,
            ttl: created_date.timestamp() + RETENTION_DAYS * 24 * 3600,
        }
    }

    /// Whether an execution holds a live claim on the message at `at`: it is
    /// `processing` under an execution id, claimed less than
    /// [`CLAIM_LEASE`] before `at`.
    pub fn is_claimed_at(&self, at: DateTime<Utc>) -> bool {
        self.status == Status::Processing
            && self.execution_id.is_some()
            && at < self.claim_expires_at()
    }

    /// When the claim of the execution delivering the message runs out
    /// (meaningful while it is `processing`).
    pub fn claim_expires_at(&self) -> DateTime<Utc> {
        self.updated_date + CLAIM_LEASE
    }

    /// Milliseconds from acceptance to delivery, once delivered.
    pub fn delivery_latency_ms(&self) -> Option<i64> {
        self.delivered_at
            .map(|at| (at - self.created_date).num_milliseconds())
    }
}
