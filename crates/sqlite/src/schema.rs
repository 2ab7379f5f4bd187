//! The schema: the integrity check at open, identification, and migrations by `user_version`.
//!
//! `messages` mirrors the DynamoDB table: one column per field, timestamps as
//! the sortable text of [`rez_core::time::format`], payload and arguments as
//! JSON text. Its indexes mirror the GSIs (`stage, created_date` and
//! `status, created_date`) plus `created_date` alone, each ending in `id` so
//! keyset pages on (`created_date`, `id`) read straight from the index.
//! `status, ttl` lets the retention sweep find expired final messages
//! without reading the live ones (DynamoDB expires items by itself).
//! `messages_schedule_created_date` holds the `scheduled` messages by the
//! schedule their arguments name, for listing one schedule's messages.
//! `schedules` holds the schedules people define, the notification as JSON
//! text, listed newest first through `created_date, id`, with the last fire
//! the embedded stack made of each (`last_fire`).

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{DbError, describe, one_line};

/// `PRAGMA application_id` of a rez-agent database: "REZA" in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x5245_5A41;

/// The migrations, in order: migration `n` takes the schema from version `n` to `n + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const V1: &str = "
CREATE TABLE messages (
    id                TEXT PRIMARY KEY NOT NULL,
    created_date      TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    stage             TEXT NOT NULL,
    message_type      TEXT NOT NULL,
    status            TEXT NOT NULL,
    payload           TEXT NOT NULL,
    arguments         TEXT NOT NULL,
    updated_date      TEXT NOT NULL,
    error_message     TEXT,
    retry_count       INTEGER NOT NULL,
    delivery_attempts INTEGER NOT NULL,
    execution_id      TEXT,
    delivered_at      TEXT,
    ntfy_message_id   TEXT,
    ttl               INTEGER NOT NULL
);
CREATE INDEX messages_created_date ON messages (created_date, id);
CREATE INDEX messages_stage_created_date ON messages (stage, created_date, id);
CREATE INDEX messages_status_created_date ON messages (status, created_date, id);

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY NOT NULL,
    message_id   TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    created_date TEXT NOT NULL
);
CREATE INDEX idempotency_keys_message_id ON idempotency_keys (message_id);

CREATE TABLE executions (
    execution_id  TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    message_id    TEXT,
    status        TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    stop_date     TEXT,
    duration_ms   INTEGER,
    task_attempts INTEGER NOT NULL,
    error         TEXT,
    cause         TEXT,
    input         TEXT NOT NULL,
    output        TEXT,
    history       TEXT NOT NULL
);
CREATE INDEX executions_start_date ON executions (start_date, execution_id);
CREATE INDEX executions_status_start_date ON executions (status, start_date, execution_id);
CREATE INDEX executions_message_start_date ON executions (message_id, start_date, execution_id);

CREATE TABLE queue_messages (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    body           TEXT NOT NULL,
    sent_at        TEXT NOT NULL,
    visible_at_ms  INTEGER NOT NULL,
    receive_count  INTEGER NOT NULL,
    receipt_handle TEXT UNIQUE
);
CREATE INDEX queue_messages_visible ON queue_messages (visible_at_ms);

CREATE TABLE queue_dead_letters (
    id            TEXT PRIMARY KEY NOT NULL,
    body          TEXT NOT NULL,
    sent_at       TEXT NOT NULL,
    receive_count INTEGER NOT NULL,
    dead_at       TEXT NOT NULL
);
";

/// Idempotency keys in their namespaces: `idempotency_keys.key` becomes the
/// key's stored form ([`rez_core::IdempotencyKey::stored`]), `client:<key>`
/// or `scheduler:<fire time>`, where version 1 held a client's key as sent
/// and the scheduler's as `schedule:<fire time>`, in one namespace.
///
/// A version 1 `schedule:<time>` key is the scheduler's when its message is
/// the one the scheduler makes for that time (created by `scheduler`, type
/// `scheduled`, argument `scheduled_time` the same time); any other key,
/// including a `schedule:` key a client sent, is a client's: the rule of
/// [`rez_core::IdempotencyKey::from_unnamespaced`], in SQL. The table is
/// copied rather than updated in place: renaming row by row could meet a key
/// not yet renamed (`a` becomes `client:a` while a client's `client:a` is
/// still there).
const V2: &str = "
CREATE TABLE idempotency_keys_namespaced (
    key          TEXT PRIMARY KEY NOT NULL,
    message_id   TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    created_date TEXT NOT NULL
);
INSERT INTO idempotency_keys_namespaced (key, message_id, created_date)
SELECT CASE
           WHEN substr(k.key, 1, 9) = 'schedule:'
                AND m.created_by = 'scheduler'
                AND m.message_type = 'scheduled'
                AND CASE WHEN json_valid(m.arguments)
                         THEN json_extract(m.arguments, '$.scheduled_time') END
                    = substr(k.key, 10)
           THEN 'scheduler:' || substr(k.key, 10)
           ELSE 'client:' || k.key
       END,
       k.message_id,
       k.created_date
FROM idempotency_keys AS k
LEFT JOIN messages AS m ON m.id = k.message_id;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_namespaced RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_message_id ON idempotency_keys (message_id);
";

/// The retention sweep's index: expired messages of one status, oldest `ttl` first.
const V3: &str = "
CREATE INDEX messages_status_ttl ON messages (status, ttl);
";

const V4: &str = "
CREATE TABLE schedules (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    expression   TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    start_date   TEXT,
    end_date     TEXT,
    notification TEXT NOT NULL,
    state        TEXT NOT NULL,
    owner        TEXT NOT NULL,
    created_date TEXT NOT NULL,
    updated_date TEXT NOT NULL,
    last_fire    TEXT
);
CREATE INDEX schedules_created_date ON schedules (created_date, id);
";

/// A schedule's messages, newest first: the `scheduled` messages by
/// `arguments.schedule_id` (the message list's schedule filter). Partial,
/// so other messages add nothing to it.
const V5: &str = "
CREATE INDEX messages_schedule_created_date
    ON messages (json_extract(arguments, '$.schedule_id'), created_date, id)
    WHERE message_type = 'scheduled';
";

/// Runs `PRAGMA quick_check`, which only reads: a damaged file is reported, not touched.
pub(crate) fn check_integrity(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let corrupt = |reason: String| DbError::Corrupt {
        path: path.to_path_buf(),
        reason: one_line(&reason),
    };
    let mut problems = Vec::new();
    conn.pragma_query(None, "quick_check", |row| {
        problems.push(row.get::<_, String>(0)?);
        Ok(())
    })
    .map_err(|e| corrupt(describe(&e)))?;
    match problems.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        [] => Err(corrupt("the integrity check returned nothing".into())),
        [only] => Err(corrupt(only.clone())),
        [first, rest @ ..] => Err(corrupt(format!(
            "{first}, and {} more problems",
            rest.len()
        ))),
    }
}

/// What the file's header and catalogue say it is.
struct Found {
    application_id: i32,
    user_version: i64,
    objects: i64,
}

fn inspect(conn: &Connection) -> rusqlite::Result<Found> {
    Ok(Found {
        application_id: conn.pragma_query_value(None, "application_id", |r| r.get(0))?,
        user_version: conn.pragma_query_value(None, "user_version", |r| r.get(0))?,
        objects: conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?,
    })
}

/// Reads the file's identity and refuses one that is not ours, or is from a newer build.
///
/// Returns the schema version found (0 for a new, empty file).
pub(crate) fn identify(conn: &Connection, path: &Path) -> Result<i64, DbError> {
    let found = inspect(conn).map_err(|e| DbError::Corrupt {
        path: path.to_path_buf(),
        reason: describe(&e),
    })?;
    judge(&found, path)
}

fn judge(found: &Found, path: &Path) -> Result<i64, DbError> {
    match found {
        Found {
            application_id: 0,
            objects: 0,
            ..
        } => Ok(0),
        Found {
            application_id: APPLICATION_ID,
            user_version,
            ..
        } if *user_version > SCHEMA_VERSION => Err(DbError::TooNew {
            path: path.to_path_buf(),
            found: *user_version,
            supported: SCHEMA_VERSION,
        }),
        Found {
            application_id: APPLICATION_ID,
            user_version,
            ..
        } => Ok(*user_version),
        Found {
            application_id,
            objects,
            ..
        } => Err(DbError::Foreign {
            path: path.to_path_buf(),
            reason: format!("application id {application_id:#x}, {objects} schema objects"),
        }),
    }
}

/// Brings the schema to [`SCHEMA_VERSION`], all migrations in one transaction.
///
/// The version is read again inside the write transaction, so two processes
/// opening the same new file do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), DbError> {
    let setup = |e: rusqlite::Error| DbError::Setup {
        path: path.to_path_buf(),
        reason: describe(&e),
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(setup)?;
    let found = inspect(&tx).map_err(setup)?;
    let from = judge(&found, path)?;
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    for (version, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(from.try_into().unwrap_or(0))
    {
        tx.execute_batch(sql).map_err(|e| DbError::Setup {
            path: path.to_path_buf(),
            reason: format!(
                "migration to schema version {}: {}",
                version + 1,
                describe(&e)
            ),
        })?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(setup)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(setup)?;
    tx.commit().map_err(setup)?;
    tracing::info!(path = %path.display(), from, to = SCHEMA_VERSION, "migrated the database schema");
    Ok(())
}
