//! Executions of the state machine: one row each, its history as one JSON column.
//!
//! The local engine writes a RUNNING row when an execution starts
//! ([`SqliteStore::begin_execution`]) and the whole record once it ends
//! ([`SqliteStore::record_execution`]): one write per execution, not per event.

use rez_core::StoreError;
use rez_core::ports::{
    ExecutionPage, ExecutionQuery, ExecutionReader, ExecutionRecord, ExecutionStatus,
    ExecutionSummary,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, named_params, params_from_iter};

use super::error::store_error;
use super::store::{SqliteStore, page_size};

/// The status of an execution that has not ended, as stored.
pub(crate) const RUNNING: &str = ExecutionStatus::Running.as_str();
/// The status of an execution stopped before it ended, as stored.
pub(crate) const ABORTED: &str = ExecutionStatus::Aborted.as_str();

const SUMMARY_COLUMNS: &str = "execution_id, name, message_id, status, start_date, stop_date, \
     duration_ms, task_attempts, error, cause";

impl SqliteStore {
    /// Records that an execution started, so a running execution is visible.
    ///
    /// Does nothing when the execution is already recorded: a late start
    /// never hides a finished record.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn begin_execution(
        &self,
        summary: &ExecutionSummary,
        input: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let record = ExecutionRecord {
            summary: summary.clone(),
            input: input.clone(),
            output: None,
            history: Vec::new(),
        };
        self.db
            .call(move |conn| write(conn, &record, "DO NOTHING"))
            .await
    }

    /// Stores an execution with its input, output and history, replacing what was there.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn record_execution(&self, record: &ExecutionRecord) -> Result<(), StoreError> {
        let record = record.clone();
        let update = "DO UPDATE SET name = excluded.name, message_id = excluded.message_id, \
             status = excluded.status, start_date = excluded.start_date, \
             stop_date = excluded.stop_date, duration_ms = excluded.duration_ms, \
             task_attempts = excluded.task_attempts, error = excluded.error, \
             cause = excluded.cause, input = excluded.input, output = excluded.output, \
             history = excluded.history";
        self.db
            .write(move |conn| write(conn, &record, update))
            .await
    }
}

fn write(conn: &Connection, record: &ExecutionRecord, on_conflict: &str) -> Result<(), StoreError> {
    let s = &record.summary;
    let text = |written: serde_json::Result<String>, column: &str| {
        written.map_err(|e| {
            let id = &s.execution_id;
            StoreError::Corrupt(format!("execution {id}: {column} cannot be written: {e}"))
        })
    };
    let input = text(serde_json::to_string(&record.input), "input")?;
    let output = (record.output.as_ref())
        .map(|o| text(serde_json::to_string(o), "output"))
        .transpose()?;
    let history = text(serde_json::to_string(&record.history), "history")?;
    // A cached statement: `Connection::execute` parses the SQL on every call.
    let sql = format!(
        "INSERT INTO executions ({SUMMARY_COLUMNS}, input, output, history) VALUES \
             (:execution_id, :name, :message_id, :status, :start_date, :stop_date, \
             :duration_ms, :task_attempts, :error, :cause, :input, :output, :history) \
             ON CONFLICT (execution_id) {on_conflict}"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut statement| {
            statement.execute(named_params! {
            ":execution_id": s.execution_id,
            ":name": s.name,
            ":message_id": s.message_id,
            ":status": s.status.as_str(),
            ":start_date": s.start_date,
            ":stop_date": s.stop_date,
            ":duration_ms": s.duration_ms,
            ":task_attempts": s.task_attempts,
            ":error": s.error,
            ":cause": s.cause,
            ":input": input,
            ":output": output,
            ":history": history,
            })
        })
        .map_err(store_error)?;
    Ok(())
}

#[async_trait::async_trait]
impl ExecutionReader for SqliteStore {
    /// Newest first by start date. The cursor is the last execution id of the
    /// previous page; an unknown one yields an empty page (never a repeat).
    async fn list_executions(&self, query: &ExecutionQuery) -> Result<ExecutionPage, StoreError> {
        let query = query.clone();
        self.db.call(move |conn| list(conn, &query)).await
    }

    async fn get_execution(
        &self,
        execution_id: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError> {
        let id = execution_id.to_owned();
        self.db
            .call(move |conn| {
                conn.query_row(
                    &format!(
                        "SELECT {SUMMARY_COLUMNS}, input, output, history FROM executions \
                         WHERE execution_id = ?1"
                    ),
                    [&id],
                    |row| Ok(record_from_row(row)),
                )
                .optional()
                .map_err(store_error)?
                .transpose()
            })
            .await
    }
}

fn list(conn: &Connection, query: &ExecutionQuery) -> Result<ExecutionPage, StoreError> {
    let limit = page_size(query.limit);
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(status) = &query.status {
        clauses.push("status = ?");
        params.push(Value::Text(status.as_str().to_owned()));
    }
    if let Some(message_id) = &query.message_id {
        clauses.push("message_id = ?");
        params.push(Value::Text(message_id.clone()));
    }
    if let Some(after) = &query.cursor {
        let start: Option<String> = conn
            .query_row(
                "SELECT start_date FROM executions WHERE execution_id = ?1",
                [after],
                |row| row.get(0),
            )
            .optional()
            .map_err(store_error)?;
        let Some(start) = start else {
            return Ok(ExecutionPage {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        clauses.push("(start_date, execution_id) < (?, ?)");
        params.push(Value::Text(start));
        params.push(Value::Text(after.clone()));
    }
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM executions");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY start_date DESC, execution_id DESC LIMIT ?");
    params.push(Value::Integer(i64::from(limit) + 1));

    let mut stmt = conn.prepare_cached(&sql).map_err(store_error)?;
    let mut rows = stmt.query(params_from_iter(params)).map_err(store_error)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(store_error)? {
        items.push(summary_from_row(row)?);
    }
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = more
        .then(|| items.last().map(|last| last.execution_id.clone()))
        .flatten();
    Ok(ExecutionPage { items, next_cursor })
}

fn summary_from_row(row: &Row<'_>) -> Result<ExecutionSummary, StoreError> {
    let id: String = row.get("execution_id").map_err(store_error)?;
    let get = |column: &str| corrupt_if(&id, column);
    Ok(ExecutionSummary {
        name: row.get("name").map_err(get("name"))?,
        message_id: row.get("message_id").map_err(get("message_id"))?,
        status: row
            .get::<_, String>("status")
            .map_err(get("status"))?
            .parse()
            .map_err(|e: rez_core::ValidationError| corrupt_if(&id, "status")(e.message))?,
        start_date: row.get("start_date").map_err(get("start_date"))?,
        stop_date: row.get("stop_date").map_err(get("stop_date"))?,
        duration_ms: row.get("duration_ms").map_err(get("duration_ms"))?,
        task_attempts: row.get("task_attempts").map_err(get("task_attempts"))?,
        error: row.get("error").map_err(get("error"))?,
        cause: row.get("cause").map_err(get("cause"))?,
        execution_id: id.clone(),
    })
}

fn record_from_row(row: &Row<'_>) -> Result<ExecutionRecord, StoreError> {
    let summary = summary_from_row(row)?;
    let id = summary.execution_id.clone();
    let json = |column: &str| -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> = row.get(column).map_err(corrupt_if(&id, column))?;
        text.map(|t| serde_json::from_str(&t).map_err(corrupt_if(&id, column)))
            .transpose()
    };
    let input = json("input")?.unwrap_or(serde_json::Value::Null);
    let output = json("output")?;
    let history = match json("history")? {
        Some(serde_json::Value::Array(events)) => events,
        Some(_) => return Err(corrupt_if(&id, "history")("is not a JSON array")),
        None => Vec::new(),
    };
    Ok(ExecutionRecord {
        summary,
        input,
        output,
        history,
    })
}

fn corrupt_if<E: std::fmt::Display>(id: &str, column: &str) -> impl Fn(E) -> StoreError + use<E> {
    let context = format!("execution {id}: column {column}");
    move |e| StoreError::Corrupt(format!("{context}: {e}"))
}
