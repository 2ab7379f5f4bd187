//! Mapping between a [`Message`] and a `messages` row.

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rez_core::{Message, MessageId, StoreError, time};
use rusqlite::types::FromSql;
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::error::store_error;

/// The columns of `messages` as SQL text, in the order every `SELECT` names
/// them (a macro so statements can be built with `concat!` at compile time).
macro_rules! message_columns {
    () => {
        "id, created_date, created_by, stage, message_type, status, payload, arguments, \
         updated_date, error_message, retry_count, delivery_attempts, execution_id, \
         delivered_at, ntfy_message_id, ttl"
    };
}

/// The columns of `messages`, in the order every `SELECT` names them.
pub(crate) const MESSAGE_COLUMNS: &str = message_columns!();

/// [`MESSAGE_COLUMNS`] one by one, so a row is read by position: looking a
/// column up by name asks SQLite for every column's name on each read.
const COLUMN_NAMES: [&str; 16] = [
    "id",
    "created_date",
    "created_by",
    "stage",
    "message_type",
    "status",
    "payload",
    "arguments",
    "updated_date",
    "error_message",
    "retry_count",
    "delivery_attempts",
    "execution_id",
    "delivered_at",
    "ntfy_message_id",
    "ttl",
];

const INSERT_MESSAGE: &str = concat!(
    "INSERT INTO messages (",
    message_columns!(),
    ") VALUES (:id, :created_date, :created_by, :stage, :message_type, :status, :payload, \
     :arguments, :updated_date, :error_message, :retry_count, :delivery_attempts, \
     :execution_id, :delivered_at, :ntfy_message_id, :ttl)"
);

const SELECT_MESSAGE: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE id = ?1"
);

/// Inserts `message` as a new row.
pub(crate) fn insert_message(conn: &Connection, m: &Message) -> Result<(), StoreError> {
    let payload = to_json(&m.id, "payload", &m.payload)?;
    let arguments = to_json(&m.id, "arguments", &m.arguments)?;
    // Cached statements: `Connection::execute` and `query_row` parse the SQL
    // again on every call.
    conn.prepare_cached(INSERT_MESSAGE)
        .and_then(|mut statement| {
            statement.execute(named_params! {
                ":id": m.id.as_str(),
                ":created_date": time::format(m.created_date),
                ":created_by": m.created_by,
                ":stage": m.stage.as_str(),
                ":message_type": m.message_type.as_str(),
                ":status": m.status.as_str(),
                ":payload": payload,
                ":arguments": arguments,
                ":updated_date": time::format(m.updated_date),
                ":error_message": m.error_message,
                ":retry_count": m.retry_count,
                ":delivery_attempts": m.delivery_attempts,
                ":execution_id": m.execution_id,
                ":delivered_at": m.delivered_at.map(time::format),
                ":ntfy_message_id": m.ntfy_message_id,
                ":ttl": m.ttl,
            })
        })
        .map_err(store_error)?;
    Ok(())
}

/// Writes back the fields a status change can touch.
pub(crate) fn update_delivery_fields(conn: &Connection, m: &Message) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE messages SET status = :status, updated_date = :updated_date, \
         error_message = :error_message, retry_count = :retry_count, \
         delivery_attempts = :delivery_attempts, execution_id = :execution_id, \
         delivered_at = :delivered_at, ntfy_message_id = :ntfy_message_id WHERE id = :id",
    )
    .and_then(|mut statement| {
        statement.execute(named_params! {
            ":id": m.id.as_str(),
            ":status": m.status.as_str(),
            ":updated_date": time::format(m.updated_date),
            ":error_message": m.error_message,
            ":retry_count": m.retry_count,
            ":delivery_attempts": m.delivery_attempts,
            ":execution_id": m.execution_id,
            ":delivered_at": m.delivered_at.map(time::format),
            ":ntfy_message_id": m.ntfy_message_id,
        })
    })
    .map_err(store_error)?;
    Ok(())
}

/// Reads one message by id.
pub(crate) fn load_message(conn: &Connection, id: &str) -> Result<Option<Message>, StoreError> {
    let raw = conn
        .prepare_cached(SELECT_MESSAGE)
        .and_then(|mut statement| {
            statement
                .query_row([id], |row| Ok(message_from_row(row)))
                .optional()
        })
        .map_err(store_error)?;
    raw.transpose()
}

/// Decodes a row selected with [`MESSAGE_COLUMNS`]; a value that does not decode is
/// [`StoreError::Corrupt`], naming the message and the column.
pub(crate) fn message_from_row(row: &Row<'_>) -> Result<Message, StoreError> {
    let id: String = row.get(0).map_err(store_error)?;
    let cols = Columns { row, id: &id };
    Ok(Message {
        id: cols.parse::<MessageId>("id")?,
        created_date: cols.time("created_date")?,
        created_by: cols.get("created_by")?,
        stage: cols.parse("stage")?,
        message_type: cols.parse("message_type")?,
        status: cols.parse("status")?,
        payload: cols.json("payload")?,
        arguments: cols.json("arguments")?,
        updated_date: cols.time("updated_date")?,
        error_message: cols.get("error_message")?,
        retry_count: cols.get("retry_count")?,
        delivery_attempts: cols.get("delivery_attempts")?,
        execution_id: cols.get("execution_id")?,
        delivered_at: cols.time_opt("delivered_at")?,
        ntfy_message_id: cols.get("ntfy_message_id")?,
        ttl: cols.get("ttl")?,
    })
}

fn to_json<T: serde::Serialize>(
    id: &MessageId,
    column: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("message {id}: {column} cannot be written: {e}")))
}

/// One row's columns, decoded with errors that name the message and the column.
struct Columns<'a> {
    row: &'a Row<'a>,
    id: &'a str,
}

impl Columns<'_> {
    fn corrupt(&self, column: &str, problem: impl Display) -> StoreError {
        StoreError::Corrupt(format!("message {}: column {column}: {problem}", self.id))
    }

    fn get<T: FromSql>(&self, column: &str) -> Result<T, StoreError> {
        let index = COLUMN_NAMES
            .iter()
            .position(|name| *name == column)
            .ok_or_else(|| self.corrupt(column, "not selected"))?;
        self.row.get(index).map_err(|e| self.corrupt(column, e))
    }

    fn parse<T>(&self, column: &str) -> Result<T, StoreError>
    where
        T: FromStr,
        T::Err: Display,
    {
        let text: String = self.get(column)?;
        text.parse().map_err(|e| self.corrupt(column, e))
    }

    fn time(&self, column: &str) -> Result<DateTime<Utc>, StoreError> {
        let text: String = self.get(column)?;
        time::parse(&text).map_err(|e| self.corrupt(column, e))
    }

    fn time_opt(&self, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let text: Option<String> = self.get(column)?;
        text.map(|t| time::parse(&t).map_err(|e| self.corrupt(column, e)))
            .transpose()
    }

    fn json<T: serde::de::DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        let text: String = self.get(column)?;
        serde_json::from_str(&text).map_err(|e| self.corrupt(column, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_the_selected_columns_in_order() {
        let selected: Vec<&str> = MESSAGE_COLUMNS.split(',').map(str::trim).collect();
        assert_eq!(selected, COLUMN_NAMES);
        assert!(SELECT_MESSAGE.contains(MESSAGE_COLUMNS));
        assert!(INSERT_MESSAGE.contains(MESSAGE_COLUMNS));
    }
}
