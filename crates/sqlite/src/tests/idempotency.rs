//! Idempotency keys in namespaces: a client's key never stands in for the
//! scheduler's, and a database from before namespaces keeps its keys.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rez_core::ports::{Created, ListQuery, MessageStore, NoMetrics};
use rez_core::{
    IdempotencyKey, Message, MessageType, Notification, OneWrite, Stage, Status, StoreThenPublish,
    Submitted, Submitter, time,
};
use rez_scheduler::ScheduleEvent;

use super::fixtures::{TestResult, at, message, temp_db};
use crate::publisher::QueuePublisher;
use crate::schema::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION};
use crate::{DEFAULT_MAX_RECEIVE_COUNT, Database, SqliteQueue, SqliteStore, SqliteSubmitter};

/// The fire time the tests schedule.
fn fire() -> DateTime<Utc> {
    at(3600)
}

/// The text of the scheduler's key for `fire` before namespaces.
fn old_scheduler_key(fire: DateTime<Utc>) -> String {
    format!("schedule:{}", time::format(fire))
}

/// A message posted through the API.
fn posted(seconds: i64) -> Message {
    message(
        at(seconds),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    )
}

/// The scheduler function over one database, submitting in one transaction
/// (`atomic`) as the local stack does, or storing then publishing.
fn scheduler(db: &Database, atomic: bool) -> rez_scheduler::Deps {
    let store = SqliteStore::new(db.clone());
    let queue = SqliteQueue::new(db.clone(), DEFAULT_MAX_RECEIVE_COUNT);
    let one_write = SqliteSubmitter::new(&store, &queue).filter(|_| atomic);
    let publisher: Arc<dyn rez_core::ports::Publisher> = Arc::new(QueuePublisher::new(queue));
    let store: Arc<dyn MessageStore> = Arc::new(store);
    let submitter: Arc<dyn Submitter> = match one_write {
        Some(s) => Arc::new(OneWrite::new(Arc::new(s))),
        None => Arc::new(StoreThenPublish::new(store.clone(), publisher.clone())),
    };
    rez_scheduler::Deps {
        store,
        publisher,
        submitter,
        stage: Stage::Dev,
        title: "Daily".into(),
        metrics: Arc::new(NoMetrics),
        schedules: None,
        dead_letters: None,
    }
}

/// Submits `message` as the API does, with a client's key.
async fn post(
    deps: &rez_scheduler::Deps,
    message: &Message,
    key: &str,
) -> Result<Submitted, rez_core::SubmitError> {
    deps.submitter
        .submit(message, Some(&IdempotencyKey::Client(key.to_owned())))
        .await
}

#[tokio::test]
async fn a_client_key_with_the_fire_time_s_text_does_not_suppress_the_scheduled_message()
-> TestResult {
    for atomic in [true, false] {
        let (_dir, db) = temp_db()?;
        let deps = scheduler(&db, atomic);
        let lookalikes = [
            old_scheduler_key(fire()),
            IdempotencyKey::Scheduler(fire()).stored(),
        ];
        let mut client_ids = Vec::new();
        for (i, key) in lookalikes.iter().enumerate() {
            let Submitted::Accepted(m) = post(&deps, &posted(i as i64), key).await? else {
                return Err(format!("{key}: a fresh client key was replayed").into());
            };
            client_ids.push(m.id);
        }

        let event = ScheduleEvent {
            scheduled_time: fire(),
        };
        let Submitted::Accepted(scheduled) = rez_scheduler::handle(&deps, &event).await? else {
            return Err(format!("atomic={atomic}: the client's key suppressed the fire").into());
        };
        assert_eq!(scheduled.message_type, MessageType::Scheduled);
        assert_eq!(scheduled.status, Status::Queued);
        assert!(!client_ids.contains(&scheduled.id), "atomic={atomic}");

        // Each key still answers for its own message.
        let again = rez_scheduler::handle(&deps, &event).await?;
        assert!(matches!(&again, Submitted::Replayed(m) if m.id == scheduled.id));
        for (key, id) in lookalikes.iter().zip(&client_ids) {
            let retried = post(&deps, &posted(9), key).await?;
            assert!(
                matches!(&retried, Submitted::Replayed(m) if &m.id == id),
                "atomic={atomic}, {key}: {retried:?}"
            );
        }
        let listed = deps
            .store
            .list(&ListQuery {
                limit: 10,
                ..ListQuery::default()
            })
            .await?;
        assert_eq!(listed.items.len(), 3, "two posted, one scheduled");
    }
    Ok(())
}

/// Writes a schema version 1 database at `path`: the messages as rows, and
/// the idempotency keys as version 1 stored them (`(key, message)`).
fn version_1_database(path: &Path, messages: &[&Message], keys: &[(&str, &Message)]) -> TestResult {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(MIGRATIONS[0])?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update(None, "user_version", 1)?;
    for m in messages {
        conn.execute(
            "INSERT INTO messages (id, created_date, created_by, stage, message_type, status, \
             payload, arguments, updated_date, retry_count, delivery_attempts, ttl) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            rusqlite::params![
                m.id.as_str(),
                time::format(m.created_date),
                m.created_by,
                m.stage.as_str(),
                m.message_type.as_str(),
                m.status.as_str(),
                serde_json::to_string(&m.payload)?,
                serde_json::to_string(&m.arguments)?,
                time::format(m.updated_date),
                m.retry_count,
                m.delivery_attempts,
                m.ttl,
            ],
        )?;
    }
    for (key, m) in keys {
        conn.execute(
            "INSERT INTO idempotency_keys (key, message_id, created_date) VALUES (?1, ?2, ?3)",
            rusqlite::params![key, m.id.as_str(), time::format(m.created_date)],
        )?;
    }
    Ok(())
}

/// The message the scheduler makes for `fire`.
fn scheduled_for(fire: DateTime<Utc>) -> Message {
    let mut m = Message::new(
        fire,
        "scheduler",
        Stage::Dev,
        MessageType::Scheduled,
        Notification::text("Scheduled notification."),
    );
    m.status = Status::Completed;
    m.arguments
        .insert("scheduled_time".into(), time::format(fire).into());
    m
}

#[tokio::test]
async fn a_version_1_database_keeps_every_key_in_its_namespace() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rez.db");
    let later = fire() + chrono::Duration::days(1);
    // A client's key; the scheduler's key for `fire`; and a client's key
    // with the text of the scheduler's key for `later`, sent before it fired.
    let client = posted(0);
    let scheduled = scheduled_for(fire());
    let squatter = posted(1);
    version_1_database(
        &path,
        &[&client, &scheduled, &squatter],
        &[
            ("deploy-42", &client),
            (&old_scheduler_key(fire()), &scheduled),
            (&old_scheduler_key(later), &squatter),
        ],
    )?;

    let db = Database::open(&path)?;
    let stored: Vec<(String, String)> = db
        .call(|conn| {
            let mut statement = conn
                .prepare("SELECT key, message_id FROM idempotency_keys ORDER BY key")
                .map_err(crate::error::store_error)?;
            let rows = statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
                .map_err(crate::error::store_error)?;
            Ok::<_, rez_core::StoreError>(rows)
        })
        .await?;
    assert_eq!(
        stored,
        [
            ("client:deploy-42".to_owned(), client.id.to_string()),
            (
                format!("client:{}", old_scheduler_key(later)),
                squatter.id.to_string()
            ),
            (
                IdempotencyKey::Scheduler(fire()).stored(),
                scheduled.id.to_string()
            ),
        ]
    );

    let store = SqliteStore::new(db.clone());
    let replays = [
        (IdempotencyKey::Client("deploy-42".into()), &client),
        (IdempotencyKey::Scheduler(fire()), &scheduled),
        (IdempotencyKey::Client(old_scheduler_key(later)), &squatter),
    ];
    for (key, original) in replays {
        assert_eq!(
            store.create(&posted(5), Some(&key)).await?,
            Created::Existing(original.clone()),
            "{key}"
        );
    }
    // The scheduler's own key for `later` was never claimed, and a client's
    // key with `fire`'s text is a key of its own.
    let fired = scheduled_for(later);
    assert_eq!(
        store
            .create(&fired, Some(&IdempotencyKey::Scheduler(later)))
            .await?,
        Created::New(fired)
    );
    let lookalike = posted(6);
    assert_eq!(
        store
            .create(
                &lookalike,
                Some(&IdempotencyKey::Client(old_scheduler_key(fire())))
            )
            .await?,
        Created::New(lookalike)
    );
    Ok(())
}

#[tokio::test]
async fn the_migrated_key_table_keeps_its_index_and_cascade() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rez.db");
    let client = posted(0);
    version_1_database(&path, &[&client], &[("deploy-42", &client)])?;
    drop(Database::open(&path)?);

    let conn = rusqlite::Connection::open(&path)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    assert_eq!(version, SCHEMA_VERSION);
    let index: String = conn.query_row(
        "SELECT sql FROM sqlite_master WHERE name = 'idempotency_keys_message_id'",
        [],
        |r| r.get(0),
    )?;
    assert!(index.contains("idempotency_keys (message_id)"), "{index}");
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.execute("DELETE FROM messages WHERE id = ?1", [client.id.as_str()])?;
    let keys: i64 = conn.query_row("SELECT COUNT(*) FROM idempotency_keys", [], |r| r.get(0))?;
    assert_eq!(keys, 0, "deleting a message deletes its keys");
    Ok(())
}
