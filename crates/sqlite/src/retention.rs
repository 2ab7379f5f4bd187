//! Retention: deleting what is kept no longer, one bounded batch per call.
//!
//! Each call is one short write (its own transaction, or a share of a group
//! commit), so a sweep of many rows never holds the single writer for long:
//! the caller loops, and other writes get in between its batches.
//!
//! - A **message** goes once its `ttl` (Unix seconds, the DynamoDB TTL
//!   attribute) has passed, but only in a final status (`completed`,
//!   `failed`): one still `created`, `queued` or `processing` stays whatever
//!   its `ttl`, so nothing is deleted under a delivery. Its idempotency keys
//!   go with it (`ON DELETE CASCADE`).
//! - An **execution** goes, with its history, once it stopped before a
//!   cutoff; a `RUNNING` one (no stop date) never does.

use chrono::{DateTime, Utc};
use rez_core::{Status, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::error::store_error;
use super::executions::RUNNING;
use super::store::SqliteStore;

impl SqliteStore {
    /// Deletes up to `limit` messages in a final status whose `ttl` is
    /// before `now`, with their idempotency keys. Returns how many; fewer
    /// than `limit` means none is left.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn delete_expired_messages(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<usize, StoreError> {
        self.db
            .write(move |conn| delete_expired_messages(conn, now.timestamp(), limit))
            .await
    }

    /// Deletes up to `limit` executions, with their histories, that stopped
    /// before `cutoff`. Returns how many; fewer than `limit` means none is left.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn delete_executions_stopped_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<usize, StoreError> {
        let cutoff = rez_core::time::format(cutoff);
        self.db
            .write(move |conn| delete_executions_stopped_before(conn, &cutoff, limit))
            .await
    }
}

fn delete_expired_messages(conn: &Connection, now: i64, limit: u32) -> Result<usize, StoreError> {
    let finals: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.is_final())
        .map(|s| s.as_str())
        .collect();
    let placeholders = vec!["?"; finals.len()].join(", ");
    // The inner SELECT reads only expired rows, from the `(status, ttl)` index.
    let sql = format!(
        "DELETE FROM messages WHERE id IN (SELECT id FROM messages \
         WHERE status IN ({placeholders}) AND ttl < ? LIMIT ?)"
    );
    let mut params: Vec<Value> = finals.into_iter().map(|s| Value::Text(s.into())).collect();
    params.push(Value::Integer(now));
    params.push(Value::Integer(i64::from(limit)));
    conn.prepare_cached(&sql)
        .and_then(|mut statement| statement.execute(params_from_iter(params)))
        .map_err(store_error)
}

fn delete_executions_stopped_before(
    conn: &Connection,
    cutoff: &str,
    limit: u32,
) -> Result<usize, StoreError> {
    // An execution stops after it starts, so `start_date < cutoff` only
    // narrows the scan to the `(start_date, …)` index's range.
    conn.prepare_cached(
        "DELETE FROM executions WHERE execution_id IN (SELECT execution_id FROM executions \
         WHERE start_date < ?1 AND stop_date < ?1 AND status <> ?2 LIMIT ?3)",
    )
    .and_then(|mut statement| statement.execute((cutoff, RUNNING, i64::from(limit))))
    .map_err(store_error)
}
