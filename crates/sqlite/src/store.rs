//! [`SqliteStore`]: the message store port on SQLite.

use rez_core::ports::{
    Created, DEFAULT_LIST_LIMIT, HourlyCounts, HourlySeries, ListQuery, MAX_LIST_LIMIT,
    MessageStore, Metrics, MetricsWindow, Page, StatusChange, StoreError,
};
use rez_core::{Cursor, IdempotencyKey, Message, MessageId, time};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params_from_iter};

use super::database::Database;
use super::error::store_error;
use super::metrics;
use super::store_rows::{
    MESSAGE_COLUMNS, insert_message, load_message, message_from_row, update_delivery_fields,
};

/// Messages and executions in the local database.
///
/// Implements [`MessageStore`] with the same conditions as the DynamoDB
/// adapter, and [`rez_core::ports::ExecutionReader`] for the console.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) db: Database,
}

impl SqliteStore {
    /// A store over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database it writes to.
    pub fn database(&self) -> &Database {
        &self.db
    }
}

/// Inserts `message` with its idempotency key inside the caller's write
/// transaction, or finds the message the key named before (nothing written).
///
/// `idempotency_keys.key` holds the key's [stored form](IdempotencyKey::stored)
/// (`client:…` or `scheduler:…`), so a client's key never finds the
/// scheduler's message, nor the scheduler's a client's.
///
/// # Errors
/// [`StoreError::AlreadyExists`] when the id is taken, [`StoreError::Corrupt`]
/// when the key names a missing message, [`StoreError::Unavailable`].
pub(crate) fn create_row(
    tx: &Connection,
    message: &Message,
    key: Option<&IdempotencyKey>,
) -> Result<Created, StoreError> {
    let key = key.map(IdempotencyKey::stored);
    if let Some(key) = &key {
        let seen: Option<String> = tx
            .prepare_cached("SELECT message_id FROM idempotency_keys WHERE key = ?1")
            .and_then(|mut statement| statement.query_row([key], |row| row.get(0)).optional())
            .map_err(store_error)?;
        if let Some(original) = seen {
            return match load_message(tx, &original)? {
                Some(m) => Ok(Created::Existing(m)),
                None => Err(StoreError::Corrupt(format!(
                    "idempotency key {key} names message {original}, which is missing"
                ))),
            };
        }
    }
    let exists = tx
        .prepare_cached("SELECT 1 FROM messages WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([message.id.as_str()], |_| Ok(()))
                .optional()
        })
        .map_err(store_error)?
        .is_some();
    if exists {
        return Err(StoreError::AlreadyExists(message.id.clone()));
    }
    insert_message(tx, message)?;
    if let Some(key) = &key {
        tx.prepare_cached(
            "INSERT INTO idempotency_keys (key, message_id, created_date) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut statement| {
            statement.execute((key, message.id.as_str(), time::format(message.created_date)))
        })
        .map_err(store_error)?;
    }
    Ok(Created::New(message.clone()))
}

/// The page size actually used: the default for 0, at most [`MAX_LIST_LIMIT`].
pub(crate) fn page_size(limit: u32) -> u32 {
    match limit {
        0 => DEFAULT_LIST_LIMIT,
        n => n.min(MAX_LIST_LIMIT),
    }
}

#[async_trait::async_trait]
impl MessageStore for SqliteStore {
    async fn create(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError> {
        let message = message.clone();
        let key = idempotency_key.cloned();
        self.db
            .call(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(store_error)?;
                let created = create_row(&tx, &message, key.as_ref())?;
                if matches!(created, Created::New(_)) {
                    tx.commit().map_err(store_error)?;
                }
                Ok(created)
            })
            .await
    }

    async fn get(&self, id: &MessageId) -> Result<Option<Message>, StoreError> {
        let id = id.clone();
        self.db
            .call(move |conn| load_message(conn, id.as_str()))
            .await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let query = query.clone();
        self.db
            .call(move |conn| {
                let limit = page_size(query.limit);
                let (sql, params) = list_sql(&query, limit);
                let mut stmt = conn.prepare_cached(&sql).map_err(store_error)?;
                let mut rows = stmt.query(params_from_iter(params)).map_err(store_error)?;
                let mut items = Vec::new();
                while let Some(row) = rows.next().map_err(store_error)? {
                    items.push(message_from_row(row)?);
                }
                let more = items.len() > limit as usize;
                items.truncate(limit as usize);
                let next_cursor = match (more, items.last()) {
                    (true, Some(last)) => Some(
                        Cursor {
                            created_date: time::format(last.created_date),
                            id: last.id.to_string(),
                            filters: query.filter_fingerprint(),
                        }
                        .encode(),
                    ),
                    _ => None,
                };
                Ok(Page { items, next_cursor })
            })
            .await
    }

    async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError> {
        let change = change.clone();
        self.db
            .write(move |tx| {
                let mut message = load_message(tx, change.id.as_str())?
                    .ok_or_else(|| StoreError::NotFound(change.id.clone()))?;
                change.check(&message)?;
                change.apply(&mut message);
                update_delivery_fields(tx, &message)?;
                Ok(message)
            })
            .await
    }

    async fn metrics(&self, window: MetricsWindow) -> Result<Metrics, StoreError> {
        self.db
            .call(move |conn| metrics::compute(conn, window))
            .await
    }

    async fn hourly_counts(&self, series: HourlySeries) -> Result<Vec<HourlyCounts>, StoreError> {
        self.db
            .call(move |conn| metrics::hourly(conn, series))
            .await
    }
}

/// The schedule filter ([`ListQuery::matches`]): the `scheduled` messages
/// whose `arguments.schedule_id` is the parameter, in the terms of the
/// partial index `messages_schedule_created_date`.
const SCHEDULE_CLAUSE: &str =
    "message_type = 'scheduled' AND json_extract(arguments, '$.schedule_id') = ?";

/// The list statement: only the filters given, so SQLite picks the matching
/// index (a schedule's, `stage` or `status` first, else `created_date`), and a keyset
/// condition on (`created_date`, `id`) after the cursor. One row more than the
/// page is read to learn whether another page follows.
pub(crate) fn list_sql(query: &ListQuery, limit: u32) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    let mut filter = |clause: &'static str, value: &str| {
        clauses.push(clause);
        params.push(Value::Text(value.to_owned()));
    };
    if let Some(stage) = query.stage {
        filter("stage = ?", stage.as_str());
    }
    if let Some(status) = query.status {
        filter("status = ?", status.as_str());
    }
    if let Some(kind) = query.message_type {
        filter("message_type = ?", kind.as_str());
    }
    if let Some(schedule) = &query.schedule_id {
        // The terms of `messages_schedule_created_date`, as written there,
        // so SQLite reads that partial index.
        clauses.push(SCHEDULE_CLAUSE);
        params.push(Value::Text(schedule.as_str().to_owned()));
    }
    if let Some(cursor) = &query.cursor {
        clauses.push("(created_date, id) < (?, ?)");
        params.push(Value::Text(cursor.created_date.clone()));
        params.push(Value::Text(cursor.id.clone()));
    }
    let mut sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY created_date DESC, id DESC LIMIT ?");
    params.push(Value::Integer(i64::from(limit) + 1));
    (sql, params)
}
