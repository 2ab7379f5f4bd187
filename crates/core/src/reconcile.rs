//! The reconciler: moves on the messages that no queue record and no
//! execution will move on by themselves.
//!
//! A message can be left behind in four ways, each found by its status and
//! its `updated_date`:
//!
//! | status | overdue when | what the reconciler does |
//! |---|---|---|
//! | `created` | [`ReconcilePolicy::publish_grace`] passed: the submission stored it and failed to publish | publishes it, marks it `queued` |
//! | `queued` | [`ReconcilePolicy::queued_deadline`] passed: its queue record is gone | publishes it again |
//! | `processing` | its claim ran out ([`CLAIM_LEASE`](crate::ports::CLAIM_LEASE)): the execution died before recording an outcome | publishes it again, marks it `queued` |
//! | `deferred` | [`quota_retry_at`] passed: ntfy's daily quota was reset | publishes it again, marks it `queued` |
//!
//! With a dead-letter queue to read (on AWS; the local queue marks the
//! message in the same transaction that moves its record), a run first marks
//! the message of every dead letter `failed` with
//! [`dead_lettered_reason`], unless it is final or an execution holds a live
//! claim on it.
//!
//! A message taken up more than [`ReconcilePolicy::max_retries`] times is
//! marked `failed` with [`DELIVERY_ABANDONED`](crate::error_names::DELIVERY_ABANDONED)
//! instead. The event is published before the status changes, so a crash
//! between the two leaves a duplicate record (which the claim makes
//! harmless), never a message without one. Each change is conditional on the
//! status read, so a run racing an execution changes nothing the execution
//! changed first, and two runs at once move each message once. A run reads
//! and moves a bounded number of messages; what it leaves, the next run finds.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};

use crate::error_names;
use crate::ports::{
    ClaimRule, Clock, DeadLetterQueue, ListQuery, MessageEvent, MessageStore, Publisher,
    StatusChange, StoreError,
};
use crate::{Cursor, Message, MessageId, Status};

/// The `error_message` of a message whose queue record went to the
/// dead-letter queue after `receive_count` receives.
pub fn dead_lettered_reason(receive_count: u32) -> String {
    format!(
        "{}: the delivery was taken up {receive_count} times without an outcome; \
         the queue record is in the dead-letter queue (redrive it to try again)",
        error_names::QUEUE_DEAD_LETTERED
    )
}

/// When a message that ntfy's daily quota turned away at `deferred_at` is
/// tried again: one minute past the next 00:00 UTC.
pub fn quota_retry_at(deferred_at: DateTime<Utc>) -> DateTime<Utc> {
    let next_day = deferred_at
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap_or(deferred_at.date_naive());
    next_day.and_time(NaiveTime::MIN).and_utc() + TimeDelta::minutes(1)
}

/// How long each status may stand before the reconciler acts, and how much
/// one run does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcilePolicy {
    /// A `created` message older than this was stored but never published.
    pub publish_grace: TimeDelta,
    /// A `queued` message unchanged for this long has lost its queue record.
    /// Longer than the queue keeps a record alive: three receives with
    /// their redelivery waits and executions.
    pub queued_deadline: TimeDelta,
    /// Times a message may be taken up again before it is given up on.
    pub max_retries: u32,
    /// Messages read per status in one run.
    pub max_scanned: usize,
    /// Messages moved in one run.
    pub max_moved: usize,
}

impl Default for ReconcilePolicy {
    fn default() -> Self {
        Self {
            publish_grace: TimeDelta::minutes(5),
            queued_deadline: TimeDelta::hours(1),
            max_retries: 5,
            max_scanned: 1000,
            max_moved: 100,
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reconciled {
    /// Non-final messages read.
    pub scanned: usize,
    /// Messages published again (from `created`, `queued`, `processing` or
    /// `deferred`).
    pub republished: usize,
    /// Messages marked failed as abandoned.
    pub abandoned: usize,
    /// Messages marked failed because their record is a dead letter.
    pub dead_lettered: usize,
    /// Messages that changed between the read and the write (left alone).
    pub conflicts: usize,
    /// Publishes that failed (the message is left for the next run).
    pub publish_failures: usize,
}

/// What the reconciler does to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Publish its event again and mark it `queued`.
    Republish,
    /// Mark it failed: it was taken up too often.
    Abandon,
}

/// What to do with `message` at `now`, if anything.
pub fn decide(message: &Message, now: DateTime<Utc>, policy: &ReconcilePolicy) -> Option<Move> {
    let idle = now - message.updated_date;
    let overdue = match message.status {
        Status::Created => idle >= policy.publish_grace,
        Status::Queued => idle >= policy.queued_deadline,
        Status::Processing => !message.is_claimed_at(now),
        Status::Deferred => now >= quota_retry_at(message.updated_date),
        Status::Completed | Status::Failed => false,
    };
    if !overdue {
        return None;
    }
    let taken_up_before = matches!(message.status, Status::Queued | Status::Processing);
    if taken_up_before && message.retry_count >= policy.max_retries {
        Some(Move::Abandon)
    } else {
        Some(Move::Republish)
    }
}

/// Finds overdue messages and moves them on.
pub struct Reconciler<'a> {
    /// Where messages live.
    pub store: &'a dyn MessageStore,
    /// Where their events go.
    pub publisher: &'a dyn Publisher,
    /// The current time.
    pub clock: &'a dyn Clock,
    /// The limits.
    pub policy: &'a ReconcilePolicy,
    /// The queue's dead letters, where the queue does not mark their
    /// messages itself (SQS); `None` locally.
    pub dead_letters: Option<&'a dyn DeadLetterQueue>,
}

/// The statuses a run looks at, in the order it looks.
const OPEN: [Status; 4] = [
    Status::Created,
    Status::Queued,
    Status::Processing,
    Status::Deferred,
];

impl Reconciler<'_> {
    /// One bounded run over every non-final status.
    ///
    /// # Errors
    /// The store failed to list or to write (what was done before stays done).
    pub async fn run(&self) -> Result<Reconciled, StoreError> {
        let mut done = Reconciled::default();
        if let Some(dead_letters) = self.dead_letters {
            self.fail_dead_letters(dead_letters, &mut done).await?;
        }
        for status in OPEN {
            let mut cursor: Option<Cursor> = None;
            let mut scanned = 0;
            loop {
                let query = ListQuery {
                    status: Some(status),
                    limit: 200,
                    cursor: cursor.take(),
                    ..Default::default()
                };
                let page = self.store.list(&query).await?;
                for message in &page.items {
                    scanned += 1;
                    if done.republished + done.abandoned >= self.policy.max_moved {
                        break;
                    }
                    self.visit(message, &mut done).await?;
                }
                let more = page
                    .next_cursor
                    .as_deref()
                    .and_then(|next| Cursor::decode(next, &query.filter_fingerprint()).ok());
                match more {
                    Some(next) if scanned < self.policy.max_scanned => cursor = Some(next),
                    _ => break,
                }
            }
            done.scanned += scanned;
        }
        tracing::info!(
            scanned = done.scanned,
            republished = done.republished,
            abandoned = done.abandoned,
            dead_lettered = done.dead_lettered,
            conflicts = done.conflicts,
            publish_failures = done.publish_failures,
            "reconciled"
        );
        Ok(done)
    }

    /// Marks the message of each dead letter `failed`, unless it is final or
    /// claimed.
    async fn fail_dead_letters(
        &self,
        dead_letters: &dyn DeadLetterQueue,
        done: &mut Reconciled,
    ) -> Result<(), StoreError> {
        for entry in dead_letters.list().await?.items {
            let Some(id) = entry
                .message_id
                .as_deref()
                .and_then(|id| id.parse::<MessageId>().ok())
            else {
                continue;
            };
            let Some(message) = self.store.get(&id).await? else {
                continue;
            };
            if message.status.is_final() {
                continue;
            }
            let mut change =
                StatusChange::new(id, &[message.status], Status::Failed, self.clock.now());
            change.claim = ClaimRule::Take;
            change.error_message = Some(Some(dead_lettered_reason(entry.receive_count)));
            match self.store.transition(&change).await {
                Ok(_) => {
                    tracing::info!(message_id = %message.id, "marked a dead-lettered message failed");
                    done.dead_lettered += 1;
                }
                Err(StoreError::Conflict { .. } | StoreError::NotFound(_)) => done.conflicts += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn visit(&self, message: &Message, done: &mut Reconciled) -> Result<(), StoreError> {
        let now = self.clock.now();
        let Some(step) = decide(message, now, self.policy) else {
            return Ok(());
        };
        let mut change = match step {
            Move::Republish => {
                if let Err(e) = self.publisher.publish(&MessageEvent::of(message)).await {
                    tracing::warn!(message_id = %message.id, error = %e, "not published again");
                    done.publish_failures += 1;
                    return Ok(());
                }
                StatusChange::new(message.id.clone(), &[message.status], Status::Queued, now)
            }
            Move::Abandon => {
                let mut change =
                    StatusChange::new(message.id.clone(), &[message.status], Status::Failed, now);
                change.error_message = Some(Some(format!(
                    "{}: taken up {} times without an outcome; it was {} since {}",
                    error_names::DELIVERY_ABANDONED,
                    message.retry_count,
                    message.status,
                    crate::time::format(message.updated_date),
                )));
                change
            }
        };
        // Without an execution id, `Take` allows the change only while no
        // execution holds a live claim: one may have taken it since the read.
        change.claim = ClaimRule::Take;
        change.increment_retry_count = step == Move::Republish
            && matches!(message.status, Status::Queued | Status::Processing);
        match self.store.transition(&change).await {
            Ok(moved) => {
                tracing::info!(
                    message_id = %moved.id,
                    from = %message.status,
                    to = %moved.status,
                    retry_count = moved.retry_count,
                    "moved an overdue message on"
                );
                match step {
                    Move::Republish => done.republished += 1,
                    Move::Abandon => done.abandoned += 1,
                }
            }
            Err(StoreError::Conflict { .. } | StoreError::NotFound(_)) => done.conflicts += 1,
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
