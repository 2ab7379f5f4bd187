//! [`SqliteSubmitter`]: a new message and its queue event in one transaction.

use async_trait::async_trait;
use rez_core::ports::{AtomicSubmitter, Created, MessageEvent, StatusChange, StoreError};
use rez_core::{IdempotencyKey, Message, Status};
use rusqlite::Connection;

use super::database::Database;
use super::error::store_error;
use super::queue::SqliteQueue;
use super::queue_rows::insert_visible;
use super::queue_types::QueueMessageId;
use super::store::{SqliteStore, create_row};
use super::store_rows::update_delivery_fields;

/// The [`AtomicSubmitter`] of the local stack: the message (already
/// `queued`), its idempotency key and its queue record are written in one
/// SQLite transaction (shared with other writes waiting at the same time:
/// the database's group commit), instead of the three of store, publish and
/// mark queued. The queue record is what
/// [`QueuePublisher`](crate::publisher::QueuePublisher) would send (the event
/// JSON), and waiting receivers are woken after the commit as by a send.
#[derive(Debug, Clone)]
pub struct SqliteSubmitter {
    queue: SqliteQueue,
}

impl SqliteSubmitter {
    /// A submitter writing into `store` and `queue`, or `None` when they are
    /// not over the same [`Database`] (one transaction cannot span two).
    pub fn new(store: &SqliteStore, queue: &SqliteQueue) -> Option<Self> {
        store.database().is(queue.database()).then(|| Self {
            queue: queue.clone(),
        })
    }

    fn db(&self) -> &Database {
        self.queue.database()
    }
}

#[async_trait]
impl AtomicSubmitter for SqliteSubmitter {
    async fn create_queued(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError> {
        let mut queued = message.clone();
        queue_change(message).apply(&mut queued);
        let key = idempotency_key.cloned();
        let (now, now_ms) = self.queue.now();
        let (created, enqueued) = self
            .db()
            .write(move |tx| {
                let created = match create_row(tx, &queued, key.as_ref())? {
                    Created::New(m) => Created::New(m),
                    // An earlier three-step submission stored it but failed
                    // to publish it (or the process died in between): queue
                    // it now, as the retry with the same key does there.
                    Created::Existing(mut m) if m.status == Status::Created => {
                        queue_change(&m).apply(&mut m);
                        update_delivery_fields(tx, &m)?;
                        Created::Existing(m)
                    }
                    // Already queued or further on: nothing to write.
                    Created::Existing(m) => return Ok((Created::Existing(m), false)),
                };
                enqueue(tx, created_message(&created), now, now_ms)?;
                Ok((created, true))
            })
            .await?;
        if enqueued {
            self.db().queue_ready().notify_waiters();
        }
        Ok(created)
    }
}

/// `created → queued` at the message's own `updated_date`, as
/// [`rez_core::submit`] marks it after publishing.
fn queue_change(message: &Message) -> StatusChange {
    StatusChange::new(
        message.id.clone(),
        &[Status::Created],
        Status::Queued,
        message.updated_date,
    )
}

fn created_message(created: &Created) -> &Message {
    match created {
        Created::New(m) | Created::Existing(m) => m,
    }
}

/// Appends the message's event to the queue inside the caller's transaction.
fn enqueue(
    conn: &Connection,
    message: &Message,
    now: chrono::DateTime<chrono::Utc>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(&MessageEvent::of(message)).map_err(|e| {
        StoreError::Corrupt(format!(
            "message {}: event cannot be written: {e}",
            message.id
        ))
    })?;
    insert_visible(conn, &QueueMessageId::generate(), &body, now, now_ms).map_err(store_error)
}
