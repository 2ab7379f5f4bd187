//! The message store port: DynamoDB on AWS, SQLite locally.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::metrics_window::MetricsWindow;
use super::series::{HourlyCounts, HourlySeries};
use crate::schedule::{SCHEDULE_ID_ARGUMENT, ScheduleId};
use crate::{Cursor, IdempotencyKey, Message, MessageId, MessageType, Stage, Status};

pub use crate::message::CLAIM_LEASE;

/// Who may make a change to a message that an execution has claimed.
///
/// A delivery claims its message when LoadMessage marks it `processing` with
/// its execution id; the claim is that status, that id and
/// [`CLAIM_LEASE`] from `updated_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClaimRule {
    /// The change does not look at claims (the API, the queue, retention).
    #[default]
    Ignore,
    /// The change claims the message for [`StatusChange::execution_id`]:
    /// allowed unless another execution holds a claim that has not expired.
    Take,
    /// Only the execution named by [`StatusChange::execution_id`] may make
    /// the change: the message's `execution_id` must be it.
    Holder,
}

/// Most items one list call returns.
pub const MAX_LIST_LIMIT: u32 = 1000;
/// Items a list call returns when the caller does not say.
pub const DEFAULT_LIST_LIMIT: u32 = 50;

/// The result of creating a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// The message was stored.
    New(Message),
    /// The idempotency key was seen before: the message stored then.
    Existing(Message),
}

/// A filtered, paged list request, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only this stage.
    pub stage: Option<Stage>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this type.
    pub message_type: Option<MessageType>,
    /// Only the messages this schedule fired: type `scheduled`, with
    /// `arguments.schedule_id` this id (see [`ListQuery::matches`]).
    pub schedule_id: Option<ScheduleId>,
    /// Page size, 1–[`MAX_LIST_LIMIT`].
    pub limit: u32,
    /// Where to continue.
    pub cursor: Option<Cursor>,
}

impl ListQuery {
    /// Whether `message` passes the filters (the cursor and the limit aside).
    ///
    /// A schedule's messages are the `scheduled` messages whose
    /// `arguments.schedule_id` ([`SCHEDULE_ID_ARGUMENT`]) is its id: a
    /// message posted with that argument but another type is not one.
    pub fn matches(&self, message: &Message) -> bool {
        self.stage.is_none_or(|s| message.stage == s)
            && self.status.is_none_or(|s| message.status == s)
            && self.message_type.is_none_or(|t| message.message_type == t)
            && self.schedule_id.as_ref().is_none_or(|id| {
                message.message_type == MessageType::Scheduled
                    && message
                        .arguments
                        .get(SCHEDULE_ID_ARGUMENT)
                        .and_then(serde_json::Value::as_str)
                        == Some(id.as_str())
            })
    }

    /// The fingerprint of the filters, which a cursor must carry.
    ///
    /// The schedule filter is appended only when it is set, so a cursor
    /// issued for a list without it stays valid.
    pub fn filter_fingerprint(&self) -> String {
        let mut fingerprint = format!(
            "stage={};status={};type={}",
            self.stage.map_or("", |s| s.as_str()),
            self.status.map_or("", |s| s.as_str()),
            self.message_type.map_or("", |s| s.as_str()),
        );
        if let Some(id) = &self.schedule_id {
            fingerprint.push_str(";schedule=");
            fingerprint.push_str(id.as_str());
        }
        fingerprint
    }
}

/// One page of messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// The messages, newest first.
    pub items: Vec<Message>,
    /// The cursor for the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// A conditional status change and the fields that go with it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The message to change.
    pub id: MessageId,
    /// The change applies only if the current status is one of these.
    pub from: Vec<Status>,
    /// The new status.
    pub to: Status,
    /// When the change happened (becomes `updated_date`).
    pub at: DateTime<Utc>,
    /// Set `error_message` (`Some(None)` clears it).
    pub error_message: Option<Option<String>>,
    /// Set `delivery_attempts`.
    pub delivery_attempts: Option<u32>,
    /// Set `execution_id`.
    pub execution_id: Option<String>,
    /// Set `delivered_at`.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Set `ntfy_message_id`.
    pub ntfy_message_id: Option<String>,
    /// Add one to `retry_count`.
    pub increment_retry_count: bool,
    /// Whose claim the change respects.
    pub claim: ClaimRule,
}

impl StatusChange {
    /// A change of `id` from one of `from` to `to` at `at`, touching nothing else.
    pub fn new(id: MessageId, from: &[Status], to: Status, at: DateTime<Utc>) -> Self {
        Self {
            id,
            from: from.to_vec(),
            to,
            at,
            error_message: None,
            delivery_attempts: None,
            execution_id: None,
            delivered_at: None,
            ntfy_message_id: None,
            increment_retry_count: false,
            claim: ClaimRule::Ignore,
        }
    }

    /// Checks the change's condition against the message as it is now: the
    /// error every store returns when its status is not one the change
    /// allows, or when the change's [`ClaimRule`] refuses it.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] naming the current and the expected statuses.
    pub fn check(&self, current: &Message) -> Result<(), StoreError> {
        if self.from.contains(&current.status) && self.claim_allows(current) {
            return Ok(());
        }
        Err(StoreError::Conflict {
            id: self.id.clone(),
            current: current.status,
            expected: self
                .from
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("|"),
        })
    }

    /// Whether the change's [`ClaimRule`] lets it touch `current`.
    fn claim_allows(&self, current: &Message) -> bool {
        let mine = self.execution_id.is_some() && current.execution_id == self.execution_id;
        match self.claim {
            ClaimRule::Ignore => true,
            ClaimRule::Holder => mine,
            ClaimRule::Take => mine || !current.is_claimed_at(self.at),
        }
    }

    /// Applies the change to an in-memory message (stores use it to stay in step).
    pub fn apply(&self, message: &mut Message) {
        message.status = self.to;
        message.updated_date = self.at;
        if let Some(e) = &self.error_message {
            message.error_message.clone_from(e);
        }
        if let Some(n) = self.delivery_attempts {
            message.delivery_attempts = n;
        }
        if let Some(e) = &self.execution_id {
            message.execution_id = Some(e.clone());
        }
        if let Some(d) = self.delivered_at {
            message.delivered_at = Some(d);
        }
        if let Some(n) = &self.ntfy_message_id {
            message.ntfy_message_id = Some(n.clone());
        }
        if self.increment_retry_count {
            message.retry_count = message.retry_count.saturating_add(1);
        }
    }
}

/// Delivery latency percentiles over delivered messages, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Delivered messages measured.
    pub count: u64,
    /// Median.
    pub p50: Option<i64>,
    /// 90th percentile.
    pub p90: Option<i64>,
    /// 99th percentile.
    pub p99: Option<i64>,
    /// Slowest.
    pub max: Option<i64>,
}

impl LatencySummary {
    /// Nearest-rank percentiles of `samples` (milliseconds).
    pub fn from_samples(mut samples: Vec<i64>) -> Self {
        samples.sort_unstable();
        let pick = |p: f64| -> Option<i64> {
            if samples.is_empty() {
                return None;
            }
            let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            samples.get(rank - 1).copied()
        };
        LatencySummary {
            count: samples.len() as u64,
            p50: pick(0.50),
            p90: pick(0.90),
            p99: pick(0.99),
            max: samples.last().copied(),
        }
    }
}

/// Counts and rates over the messages created in a [`MetricsWindow`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// All messages.
    pub total: u64,
    /// Messages per status.
    pub by_status: BTreeMap<String, u64>,
    /// Messages per stage.
    pub by_stage: BTreeMap<String, u64>,
    /// Messages per type.
    pub by_message_type: BTreeMap<String, u64>,
    /// completed / (completed + failed), when any finished.
    pub success_rate: Option<f64>,
    /// Time from acceptance to delivery.
    pub delivery_latency_ms: LatencySummary,
    /// Mean publishes per finished delivery.
    pub mean_delivery_attempts: Option<f64>,
    /// Finished deliveries (completed or failed) by how many publishes they
    /// took: `{"1": 40, "3": 2}`.
    pub attempts_histogram: BTreeMap<String, u64>,
}

/// What can go wrong in a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No message has this id.
    #[error("message {0} not found")]
    NotFound(MessageId),
    /// A message with this id already exists.
    #[error("message {0} already exists")]
    AlreadyExists(MessageId),
    /// The conditional write failed: the message is in another status.
    #[error("message {id} is {current}, expected one of {expected}")]
    Conflict {
        /// The message.
        id: MessageId,
        /// Its status now.
        current: Status,
        /// The statuses the change required.
        expected: String,
    },
    /// The store cannot be reached or cannot write (disk full, read-only, throttled).
    #[error("the message store is unavailable: {0}")]
    Unavailable(String),
    /// A stored record could not be read back.
    #[error("a stored record is corrupt: {0}")]
    Corrupt(String),
}

/// Where messages live.
#[async_trait::async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a new message (conditional on its id being new). With an
    /// idempotency key seen before (same namespace, same text), returns the
    /// message stored then instead.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`], [`StoreError::Unavailable`].
    async fn create(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError>;

    /// Reads one message.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn get(&self, id: &MessageId) -> Result<Option<Message>, StoreError>;

    /// Lists messages newest first, from an index (never a full scan).
    /// Where a filter is not part of the index read (DynamoDB's type and
    /// schedule filters), a page may hold fewer than `limit` items while its
    /// `next_cursor` continues the list.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;

    /// Applies a conditional status change and returns the message after it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`], [`StoreError::Unavailable`].
    async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError>;

    /// Counts and rates over the messages created in `window`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn metrics(&self, window: MetricsWindow) -> Result<Metrics, StoreError>;

    /// Messages created in each hour of `series` (from [`HourlySeries::since`]
    /// on), counted by their current status, read from the status index.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn hourly_counts(&self, series: HourlySeries) -> Result<Vec<HourlyCounts>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_names_a_schedule_filter_only_when_there_is_one() {
        let id: ScheduleId = "0192f0c4-0000-7000-8000-000000000001".parse().unwrap();
        let unfiltered = ListQuery::default();
        let by_schedule = ListQuery {
            schedule_id: Some(id),
            ..ListQuery::default()
        };
        assert_eq!(
            (
                unfiltered.filter_fingerprint(),
                by_schedule.filter_fingerprint()
            ),
            (
                "stage=;status=;type=".to_owned(),
                "stage=;status=;type=;schedule=0192f0c4-0000-7000-8000-000000000001".to_owned()
            )
        );
    }
}
