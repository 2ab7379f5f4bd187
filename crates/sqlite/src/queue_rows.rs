//! The queue's transactions on its tables: sending, taking messages, dead-lettering, redriving.

use chrono::{DateTime, Utc};
use rez_core::time;
use rusqlite::{Connection, TransactionBehavior, params};

use super::error::QueueError;
use super::queue_types::{DeadLetter, QueueMessageId, Received};

/// Appends a message to the queue, visible from `now_ms` (a send; the caller
/// wakes the receivers once its transaction has committed).
pub(crate) fn insert_visible(
    conn: &Connection,
    id: &QueueMessageId,
    body: &str,
    now: DateTime<Utc>,
    now_ms: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO queue_messages (id, body, sent_at, visible_at_ms, receive_count) \
         VALUES (?1, ?2, ?3, ?4, 0)",
    )?
    .execute(params![id.as_str(), body, time::format(now), now_ms])?;
    Ok(())
}

/// One receive: what to take and until when to hide it.
pub(crate) struct Take {
    /// Most messages to hand out.
    pub(crate) max: usize,
    /// Now, for `dead_at`.
    pub(crate) now: DateTime<Utc>,
    /// Now in Unix milliseconds: rows visible at or before it are taken.
    pub(crate) now_ms: i64,
    /// When the taken messages become visible again.
    pub(crate) hidden_until_ms: i64,
    /// Receives after which a message is dead-lettered instead.
    pub(crate) max_receive_count: u32,
}

impl Take {
    /// Takes the messages in one write transaction.
    pub(crate) fn run(&self, conn: &mut Connection) -> Result<Vec<Received>, QueueError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut taken = Vec::new();
        // Rows are visited in `seq` order, each at most once, so the loop ends
        // even when a zero visibility timeout leaves taken rows visible.
        let mut after_seq = i64::MIN;
        while taken.len() < self.max {
            let want = i64::try_from(self.max - taken.len()).unwrap_or(i64::MAX);
            let candidates: Vec<(i64, String, String, String, u32)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT seq, id, body, sent_at, receive_count FROM queue_messages \
                     WHERE visible_at_ms <= ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )?;
                let rows = stmt.query_map(params![self.now_ms, after_seq, want], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })?;
                rows.collect::<Result<_, _>>()?
            };
            if candidates.is_empty() {
                break;
            }
            for (seq, id, body, sent_at, receive_count) in candidates {
                after_seq = seq;
                if receive_count >= self.max_receive_count {
                    self.dead_letter(&tx, seq, &id, receive_count)?;
                    continue;
                }
                let receipt_handle = uuid::Uuid::new_v4().simple().to_string();
                tx.prepare_cached(
                    "UPDATE queue_messages SET receive_count = receive_count + 1, \
                     visible_at_ms = ?1, receipt_handle = ?2 WHERE seq = ?3",
                )?
                .execute(params![self.hidden_until_ms, receipt_handle, seq])?;
                let sent_at = time::parse(&sent_at).map_err(|e| {
                    QueueError::Corrupt(format!("message {id}: sent_at {sent_at:?}: {e}"))
                })?;
                taken.push(Received {
                    id: QueueMessageId::from(id),
                    receipt_handle,
                    body,
                    receive_count: receive_count.saturating_add(1),
                    sent_at,
                });
            }
        }
        tx.commit()?;
        Ok(taken)
    }

    fn dead_letter(
        &self,
        tx: &Connection,
        seq: i64,
        id: &str,
        receive_count: u32,
    ) -> Result<(), QueueError> {
        tx.execute(
            "INSERT INTO queue_dead_letters (id, body, sent_at, receive_count, dead_at) \
             SELECT id, body, sent_at, receive_count, ?1 FROM queue_messages WHERE seq = ?2",
            params![time::format(self.now), seq],
        )?;
        let body: String = tx.query_row(
            "SELECT body FROM queue_messages WHERE seq = ?1",
            [seq],
            |row| row.get(0),
        )?;
        tx.execute("DELETE FROM queue_messages WHERE seq = ?1", [seq])?;
        // A message whose deliveries never reached RecordFailure (each was
        // interrupted: a kill, a shutdown past its grace, an execution
        // timeout) would stay `processing` with no record left to move it
        // on. Mark it `failed` with the reason, in the same transaction; a
        // redrive takes it up again (LoadMessage loads failed messages).
        if let Some(message_id) = message_id_of(&body) {
            let reason = rez_core::reconcile::dead_lettered_reason(receive_count);
            tx.execute(
                "UPDATE messages SET status = 'failed', error_message = ?1, updated_date = ?2 \
                 WHERE id = ?3 AND status IN ('created', 'queued', 'processing')",
                params![reason, time::format(self.now), message_id],
            )?;
        }
        tracing::warn!(
            queue_message_id = id,
            receive_count,
            "moved a queue message to the dead-letter queue after too many receives"
        );
        Ok(())
    }
}

/// The `message_id` of an event body, when it is one.
fn message_id_of(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("message_id")?
        .as_str()
        .map(str::to_owned)
}

/// The dead-letter rows, oldest first.
pub(crate) fn read_dead_letters(conn: &mut Connection) -> Result<Vec<DeadLetter>, QueueError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, body, sent_at, receive_count, dead_at FROM queue_dead_letters \
         ORDER BY dead_at, id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, u32>(3)?,
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, body, sent_at, receive_count, dead_at) = row?;
        let parse = |text: &str, column: &str| {
            time::parse(text)
                .map_err(|e| QueueError::Corrupt(format!("dead letter {id}: {column}: {e}")))
        };
        out.push(DeadLetter {
            sent_at: parse(&sent_at, "sent_at")?,
            dead_at: parse(&dead_at, "dead_at")?,
            id: QueueMessageId::from(id),
            body,
            receive_count,
        });
    }
    Ok(out)
}

/// Moves the named dead letters (or all) back to the queue, visible at `now_ms`.
pub(crate) fn redrive_rows(
    conn: &mut Connection,
    ids: Option<&[QueueMessageId]>,
    now_ms: i64,
) -> Result<usize, QueueError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let chosen: Vec<String> = match ids {
        Some(ids) => ids.iter().map(|id| id.as_str().to_owned()).collect(),
        None => {
            let mut stmt = tx.prepare("SELECT id FROM queue_dead_letters ORDER BY dead_at, id")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        }
    };
    let mut moved = 0;
    for id in &chosen {
        let inserted = tx.execute(
            "INSERT INTO queue_messages (id, body, sent_at, visible_at_ms, receive_count) \
             SELECT id, body, sent_at, ?1, 0 FROM queue_dead_letters WHERE id = ?2",
            params![now_ms, id],
        )?;
        if inserted == 0 {
            continue;
        }
        tx.execute("DELETE FROM queue_dead_letters WHERE id = ?1", [id])?;
        moved += 1;
    }
    tx.commit()?;
    Ok(moved)
}
