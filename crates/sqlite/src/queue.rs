//! [`SqliteQueue`]: a durable local queue with SQS semantics and a dead-letter queue.
//!
//! A message is visible until received; a receive hides it for the visibility
//! timeout and issues a receipt handle; deleting with that handle removes it,
//! and otherwise it reappears when the timeout ends. A message already received
//! `max_receive_count` times is moved to the dead-letter table by the next
//! receive instead of being handed out again. Senders wake waiting receivers
//! through a [`tokio::sync::Notify`] shared by every queue over one
//! [`Database`], so nothing polls.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rez_core::ports::{Clock, SystemClock};
use rusqlite::params;

use super::database::{Database, get_u64};
use super::error::QueueError;
use super::queue_rows::{Take, insert_visible, read_dead_letters, redrive_rows};
use super::queue_types::{DeadLetter, QueueDepth, QueueMessageId, Received};

/// Receives after which a message goes to the dead-letter queue, unless told otherwise.
pub const DEFAULT_MAX_RECEIVE_COUNT: u32 = 3;

/// The durable local queue (SQS semantics) in the local database.
///
/// Cheap to clone; every queue over the same [`Database`] is the same queue.
#[derive(Clone)]
pub struct SqliteQueue {
    db: Database,
    max_receive_count: u32,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for SqliteQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteQueue")
            .field("db", &self.db)
            .field("max_receive_count", &self.max_receive_count)
            .finish_non_exhaustive()
    }
}

impl SqliteQueue {
    /// The queue in `db`; a message received `max_receive_count` times (at
    /// least 1; SQS's `maxReceiveCount`, see [`DEFAULT_MAX_RECEIVE_COUNT`])
    /// goes to the dead-letter queue on the next receive.
    pub fn new(db: Database, max_receive_count: u32) -> Self {
        Self {
            db,
            max_receive_count: max_receive_count.max(1),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same queue, reading "now" from `clock` (visibility and timestamps).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Receives after which a message goes to the dead-letter queue.
    pub fn max_receive_count(&self) -> u32 {
        self.max_receive_count
    }

    /// The database the queue lives in.
    pub(crate) fn database(&self) -> &Database {
        &self.db
    }

    /// Now, as a time and in Unix milliseconds, from the queue's clock.
    pub(crate) fn now(&self) -> (DateTime<Utc>, i64) {
        let now = self.clock.now();
        (now, now.timestamp_millis())
    }

    /// Appends a message, visible at once, and wakes waiting receivers.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`] when the database cannot be written.
    pub async fn send(&self, body: String) -> Result<QueueMessageId, QueueError> {
        let (now, now_ms) = self.now();
        let id = QueueMessageId::generate();
        let row_id = id.clone();
        self.db
            .write(move |conn| {
                insert_visible(conn, &row_id, &body, now, now_ms)?;
                Ok::<_, QueueError>(())
            })
            .await?;
        self.db.queue_ready().notify_waiters();
        Ok(id)
    }

    /// Atomically takes up to `max` visible messages, oldest first, and hides
    /// them for `visibility_timeout`. Messages that already reached the
    /// receive limit are moved to the dead-letter queue on the way.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`], or [`QueueError::Corrupt`] for an unreadable row.
    pub async fn receive(
        &self,
        max: usize,
        visibility_timeout: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let (now, now_ms) = self.now();
        let take = Take {
            max,
            now,
            now_ms,
            hidden_until_ms: now_ms.saturating_add(millis(visibility_timeout)),
            max_receive_count: self.max_receive_count,
        };
        self.db.call(move |conn| take.run(conn)).await
    }

    /// Deletes the message this receipt handle was issued for. A stale handle
    /// (the message was deleted, or received again since) is ignored, as in SQS.
    ///
    /// Returns whether a message was deleted.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn delete(&self, receipt_handle: &str) -> Result<bool, QueueError> {
        let handle = receipt_handle.to_owned();
        self.db
            .write(move |conn| {
                let n = conn
                    .prepare_cached("DELETE FROM queue_messages WHERE receipt_handle = ?1")?
                    .execute([handle])?;
                Ok(n > 0)
            })
            .await
    }

    /// Hides the received message for `timeout` from now (zero shows it at
    /// once). A stale handle is ignored. Returns whether a message changed.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
    ) -> Result<bool, QueueError> {
        let handle = receipt_handle.to_owned();
        let (_, now_ms) = self.now();
        let visible_at = now_ms.saturating_add(millis(timeout));
        let changed = self
            .db
            .call(move |conn| {
                let n = conn
                    .prepare_cached(
                        "UPDATE queue_messages SET visible_at_ms = ?1 WHERE receipt_handle = ?2",
                    )?
                    .execute(params![visible_at, handle])?;
                Ok::<_, QueueError>(n > 0)
            })
            .await?;
        if changed {
            self.db.queue_ready().notify_waiters();
        }
        Ok(changed)
    }

    /// Waits until a message may be available: a send (or redrive, release,
    /// visibility change) wakes it, and so does the next visibility expiry,
    /// whichever comes first; at most `timeout`. Returns at once when a
    /// message is visible now.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn wait(&self, timeout: Duration) -> Result<(), QueueError> {
        let notified = self.db.queue_ready().notified();
        tokio::pin!(notified);
        // Registered before looking, so a send between the look and the sleep still wakes us.
        notified.as_mut().enable();
        let next: Option<i64> = self
            .db
            .call(|conn| {
                conn.prepare_cached("SELECT MIN(visible_at_ms) FROM queue_messages")
                    .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
                    .map_err(QueueError::from)
            })
            .await?;
        let (_, now_ms) = self.now();
        let sleep_for = match next {
            Some(at) if at <= now_ms => return Ok(()),
            Some(at) => timeout.min(Duration::from_millis(
                u64::try_from(at - now_ms).unwrap_or(u64::MAX),
            )),
            None => timeout,
        };
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep(sleep_for) => {}
        }
        Ok(())
    }

    /// Makes every hidden message visible at once and retires its receipt
    /// handle. Call it at start-up: whatever a dead process had in flight is
    /// taken up immediately, not after its visibility timeout. Receive counts
    /// are kept, so a message that keeps killing the process still ends in
    /// the dead-letter queue. Returns how many messages were released.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn release_in_flight(&self) -> Result<usize, QueueError> {
        let (_, now_ms) = self.now();
        let released = self
            .db
            .call(move |conn| {
                conn.execute(
                    "UPDATE queue_messages SET visible_at_ms = ?1, receipt_handle = NULL \
                     WHERE visible_at_ms > ?1",
                    [now_ms],
                )
                .map_err(QueueError::from)
            })
            .await?;
        if released > 0 {
            tracing::info!(released, "released in-flight queue messages");
            self.db.queue_ready().notify_waiters();
        }
        Ok(released)
    }

    /// The `message_id` of every event body in the queue or the dead-letter
    /// queue. Recovery reads it so a message stored as `created` whose event
    /// did reach the queue (the process died between the send and the
    /// `created → queued` write) is not sent a second time: two records for
    /// one message would run two executions at once, and the slower one could
    /// publish after the faster one recorded the delivery. Bodies that do not
    /// parse are skipped (the processor drops them).
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn enqueued_message_ids(&self) -> Result<HashSet<String>, QueueError> {
        self.db
            .call(|conn| {
                let mut stmt = conn.prepare(
                    "SELECT body FROM queue_messages UNION ALL SELECT body FROM queue_dead_letters",
                )?;
                let bodies = stmt.query_map([], |row| row.get::<_, String>(0))?;
                let mut ids = HashSet::new();
                for body in bodies {
                    let body = body?;
                    if let Some(id) = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get("message_id")?.as_str().map(str::to_owned))
                    {
                        ids.insert(id);
                    }
                }
                Ok(ids)
            })
            .await
    }

    /// The dead-letter queue, oldest first.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`], or [`QueueError::Corrupt`] for an unreadable row.
    pub async fn dead_letters(&self) -> Result<Vec<DeadLetter>, QueueError> {
        self.db.call(read_dead_letters).await
    }

    /// Moves dead letters back to the queue with a receive count of 0: the
    /// ones named by `ids`, or all of them. Unknown ids are skipped. Returns
    /// how many were moved.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn redrive(&self, ids: Option<&[QueueMessageId]>) -> Result<usize, QueueError> {
        let ids: Option<Vec<QueueMessageId>> = ids.map(<[_]>::to_vec);
        let (_, now_ms) = self.now();
        let moved = self
            .db
            .call(move |conn| redrive_rows(conn, ids.as_deref(), now_ms))
            .await?;
        if moved > 0 {
            tracing::info!(moved, "redrove dead letters to the queue");
            self.db.queue_ready().notify_waiters();
        }
        Ok(moved)
    }

    /// How many messages are visible, in flight and dead.
    ///
    /// # Errors
    /// [`QueueError::Unavailable`].
    pub async fn depth(&self) -> Result<QueueDepth, QueueError> {
        let (_, now_ms) = self.now();
        self.db
            .call(move |conn| {
                let (visible, in_flight) = conn.query_row(
                    "SELECT COALESCE(SUM(visible_at_ms <= ?1), 0), \
                     COALESCE(SUM(visible_at_ms > ?1), 0) FROM queue_messages",
                    [now_ms],
                    |row| Ok((get_u64(row, 0)?, get_u64(row, 1)?)),
                )?;
                let dead =
                    conn.query_row("SELECT COUNT(*) FROM queue_dead_letters", [], |row| {
                        get_u64(row, 0)
                    })?;
                Ok(QueueDepth {
                    visible,
                    in_flight,
                    dead,
                })
            })
            .await
    }
}

/// A duration in whole milliseconds, saturating.
fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
