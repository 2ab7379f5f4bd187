//! Opening the file: set-up, refusal of damaged or foreign files, durability across reopen.

use std::path::Path;

use rez_core::ports::{ExecutionReader, ExecutionRecord, ExecutionSummary, MessageStore};
use rez_core::{IdempotencyKey, MessageType, Stage, Status};

use super::fixtures::{TestResult, at, full_message, message, temp_db};
use crate::{DEFAULT_MAX_RECEIVE_COUNT, Database, DbError, SqliteQueue, SqliteStore};

/// Opening `path` fails, the error names the file on one line, and the file is unchanged.
fn assert_refused(path: &Path) -> Result<DbError, Box<dyn std::error::Error>> {
    let before = std::fs::read(path)?;
    let err = match Database::open(path) {
        Ok(_) => return Err(format!("{} was opened", path.display()).into()),
        Err(e) => e,
    };
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert_eq!(std::fs::read(path)?, before, "the file was changed");
    Ok(err)
}

#[tokio::test]
async fn a_new_file_is_set_up_in_wal_mode_with_the_current_schema() -> TestResult {
    let (_dir, db) = temp_db()?;
    let (mode, version, sync, fk): (String, i64, i64, i64) = db
        .call(|conn| {
            let read = || -> rusqlite::Result<_> {
                Ok((
                    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                    conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                    conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                    conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                ))
            };
            read().map_err(crate::error::store_error)
        })
        .await?;
    assert_eq!(mode, "wal");
    assert_eq!(version, crate::schema::SCHEMA_VERSION);
    assert_eq!((sync, fk), (1, 1), "synchronous=NORMAL, foreign keys on");
    Ok(())
}

#[tokio::test]
async fn reopening_after_drop_keeps_messages_executions_and_queue() -> TestResult {
    let (dir, db) = temp_db()?;
    let path = dir.path().join("rez.db");
    let m = full_message(at(0));
    let record = ExecutionRecord {
        summary: ExecutionSummary {
            execution_id: "exec-1".into(),
            name: "exec-1".into(),
            message_id: Some(m.id.to_string()),
            status: rez_core::ports::ExecutionStatus::Succeeded,
            start_date: "2026-11-30T12:00:00.000000Z".into(),
            stop_date: Some("2026-11-30T12:00:01.000000Z".into()),
            duration_ms: Some(1000),
            task_attempts: Some(1),
            error: None,
            cause: None,
        },
        input: serde_json::json!({"message_id": m.id}),
        output: Some(serde_json::json!({"ok": true})),
        history: vec![serde_json::json!({"type": "ExecutionSucceeded"})],
    };
    {
        let store = SqliteStore::new(db.clone());
        store
            .create(&m, Some(&IdempotencyKey::Client("key".into())))
            .await?;
        store.record_execution(&record).await?;
        let q = SqliteQueue::new(db.clone(), DEFAULT_MAX_RECEIVE_COUNT);
        q.send("visible".into()).await?;
        q.send("dead".into()).await?;
        let q1 = SqliteQueue::new(db.clone(), 1);
        q1.receive(1, std::time::Duration::from_secs(3600)).await?;
        q1.release_in_flight().await?;
        q1.receive(10, std::time::Duration::from_secs(3600)).await?; // "visible" in flight, "dead" dead
    }
    drop(db);

    let db = Database::open(&path)?;
    let store = SqliteStore::new(db.clone());
    assert_eq!(store.get(&m.id).await?, Some(m.clone()));
    let other = message(
        at(5),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    assert_eq!(
        store
            .create(&other, Some(&IdempotencyKey::Client("key".into())))
            .await?,
        rez_core::ports::Created::Existing(m)
    );
    assert_eq!(store.get_execution("exec-1").await?, Some(record));
    let q = SqliteQueue::new(db, DEFAULT_MAX_RECEIVE_COUNT);
    let depth = q.depth().await?;
    assert_eq!((depth.visible, depth.in_flight, depth.dead), (0, 1, 1));
    Ok(())
}

#[test]
fn a_garbage_file_is_refused_by_name_and_left_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("garbage.db");
    std::fs::write(
        &path,
        "this is not a database, just some text\n".repeat(200),
    )?;
    let err = assert_refused(&path)?;
    assert!(matches!(err, DbError::Corrupt { .. }), "{err:?}");
    Ok(())
}

#[test]
fn a_truncated_database_is_refused_by_name_and_left_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rez.db");
    {
        let db = Database::open(&path)?;
        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        runtime.block_on(async {
            let store = SqliteStore::new(db);
            for i in 0..300 {
                let m = full_message(at(i));
                store.create(&m, None).await?;
            }
            Ok::<_, rez_core::StoreError>(())
        })?;
    }
    let bytes = std::fs::read(&path)?;
    assert!(
        bytes.len() > 64 * 1024,
        "{} bytes is too small to truncate meaningfully",
        bytes.len()
    );
    std::fs::write(&path, &bytes[..bytes.len() / 2])?;
    let err = assert_refused(&path)?;
    assert!(matches!(err, DbError::Corrupt { .. }), "{err:?}");
    Ok(())
}

#[test]
fn another_program_s_database_is_refused_and_left_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute_batch("CREATE TABLE messages (x); INSERT INTO messages VALUES (1);")?;
    }
    let err = assert_refused(&path)?;
    assert!(matches!(err, DbError::Foreign { .. }), "{err:?}");
    Ok(())
}

#[test]
fn a_database_from_a_newer_rez_agent_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rez.db");
    drop(Database::open(&path)?);
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.pragma_update(None, "user_version", 99)?;
    }
    let err = assert_refused(&path)?;
    assert!(matches!(err, DbError::TooNew { found: 99, .. }), "{err:?}");
    assert!(err.to_string().contains("upgrade rez-agent"));
    Ok(())
}

#[tokio::test]
async fn a_version_1_database_gains_the_later_indexes_and_the_schedules_and_keeps_its_rows()
-> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rez.db");
    let m = full_message(at(0));
    {
        let store = SqliteStore::new(Database::open(&path)?);
        store.create(&m, None).await?;
    }
    {
        // What schema version 1 was: the same tables without the later
        // indexes and without the schedules.
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute_batch(
            "DROP INDEX messages_status_ttl; DROP INDEX messages_schedule_created_date; \
             DROP TABLE schedules",
        )?;
        conn.pragma_update(None, "user_version", 1)?;
    }
    let db = Database::open(&path)?;
    let (version, indexes): (i64, i64) = db
        .call(|conn| {
            let read = || -> rusqlite::Result<_> {
                Ok((
                    conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                    conn.query_row(
                        "SELECT COUNT(*) FROM sqlite_master \
                         WHERE name IN ('messages_status_ttl', 'schedules', \
                         'schedules_created_date', 'messages_schedule_created_date')",
                        [],
                        |r| r.get(0),
                    )?,
                ))
            };
            read().map_err(crate::error::store_error)
        })
        .await?;
    assert_eq!((version, indexes), (crate::schema::SCHEMA_VERSION, 4));
    assert_eq!(SqliteStore::new(db).get(&m.id).await?, Some(m));
    Ok(())
}

#[test]
fn open_creates_missing_directories() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("a/b/rez.db");
    let db = Database::open(&path)?;
    assert_eq!(db.path(), path);
    assert!(path.exists());
    Ok(())
}

#[test]
fn a_path_that_cannot_be_created_is_an_open_error_naming_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x")?;
    let path = blocker.join("rez.db");
    match Database::open(&path) {
        Err(err @ DbError::Open { .. }) => {
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "{err}"
            );
        }
        other => panic!("expected an open error, got {other:?}"),
    }
    Ok(())
}
