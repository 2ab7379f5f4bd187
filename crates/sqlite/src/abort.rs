//! Executions no process runs any more, closed as AWS shows a stopped one:
//! status `ABORTED`, a stop date, and an `ExecutionAborted` history event.
//!
//! The local engine keeps an execution's history in memory and writes it
//! once the execution ends ([`SqliteStore::record_execution`]), so a row
//! still `RUNNING` when its process died holds only what
//! [`SqliteStore::begin_execution`] wrote: the input and an empty history.

use chrono::{DateTime, Utc};
use rez_core::StoreError;
use rez_states::{EventType, HistoryEvent};
use rusqlite::{Connection, named_params};
use serde_json::{Value, json};

use super::error::store_error;
use super::executions::{ABORTED, RUNNING};
use super::store::SqliteStore;

/// Why an execution was closed, as its error and cause will show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abort {
    /// When it was closed: its stop date and the time of its `ExecutionAborted` event.
    pub at: DateTime<Utc>,
    /// The error name (`error` of the execution and of the event).
    pub error: String,
    /// The explanation (`cause` of the execution and of the event).
    pub cause: String,
}

/// A `RUNNING` row as read before it is closed.
struct Running {
    id: String,
    start_date: String,
    history: String,
}

impl SqliteStore {
    /// Closes every execution recorded as `RUNNING`: status `ABORTED`, stop
    /// date and duration up to `abort.at`, `abort`'s error and cause, and an
    /// `ExecutionAborted` event appended to its history. Returns how many.
    ///
    /// Call it only when no process can be running them: at start-up, while
    /// holding the data dir's lock.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a running row's history is not a JSON
    /// array (nothing is closed then), [`StoreError::Unavailable`].
    pub async fn abort_running_executions(&self, abort: &Abort) -> Result<usize, StoreError> {
        let abort = abort.clone();
        self.db.write(move |conn| close_all(conn, &abort)).await
    }
}

fn close_all(conn: &Connection, abort: &Abort) -> Result<usize, StoreError> {
    let running = {
        let mut select = conn
            .prepare_cached(
                "SELECT execution_id, start_date, history FROM executions WHERE status = ?1",
            )
            .map_err(store_error)?;
        let rows = select
            .query_map([RUNNING], |row| {
                Ok(Running {
                    id: row.get(0)?,
                    start_date: row.get(1)?,
                    history: row.get(2)?,
                })
            })
            .map_err(store_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(store_error)?
    };
    let mut update = conn
        .prepare_cached(
            "UPDATE executions SET status = :status, stop_date = :stop_date, \
             duration_ms = :duration_ms, error = :error, cause = :cause, history = :history \
             WHERE execution_id = :execution_id AND status = :running",
        )
        .map_err(store_error)?;
    for row in &running {
        let history = with_aborted_event(row, abort)?;
        let duration_ms = rez_core::time::parse(&row.start_date)
            .ok()
            .map(|start| (abort.at - start).num_milliseconds().max(0));
        update
            .execute(named_params! {
                ":status": ABORTED,
                ":stop_date": rez_core::time::format(abort.at),
                ":duration_ms": duration_ms,
                ":error": abort.error,
                ":cause": abort.cause,
                ":history": history,
                ":execution_id": row.id,
                ":running": RUNNING,
            })
            .map_err(store_error)?;
    }
    Ok(running.len())
}

/// The row's history with an `ExecutionAborted` event after its last event, as JSON text.
fn with_aborted_event(row: &Running, abort: &Abort) -> Result<String, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("execution {}: history {why}", row.id));
    let mut events: Vec<Value> = serde_json::from_str(&row.history)
        .map_err(|e| corrupt(format!("is not a JSON array: {e}")))?;
    let last = events
        .iter()
        .filter_map(|e| e.get("id").and_then(Value::as_u64))
        .max()
        .unwrap_or(0);
    let aborted = HistoryEvent {
        id: last + 1,
        previous_event_id: last,
        timestamp: abort.at,
        event_type: EventType::ExecutionAborted,
        details: json!({"executionAbortedEventDetails": {
            "error": abort.error,
            "cause": abort.cause,
        }})
        .into(),
    };
    events.push(
        serde_json::to_value(&aborted).map_err(|e| corrupt(format!("cannot be written: {e}")))?,
    );
    serde_json::to_string(&events).map_err(|e| corrupt(format!("cannot be written: {e}")))
}
