//! How SQLite's failures reach callers: unavailable (retry later) or corrupt (a bad record).

use rez_core::ports::{ListQuery, MessageStore};
use rez_core::{MessageType, Stage, Status, StoreError};

use super::fixtures::{TestResult, at, message, temp_db};
use crate::error::store_error;
use crate::{DEFAULT_MAX_RECEIVE_COUNT, Database, QueueError, SqliteQueue, SqliteStore};

/// Runs one statement on the shared connection, as a test's back door.
async fn exec(db: &Database, sql: &'static str) -> Result<(), StoreError> {
    db.call(move |conn| conn.execute_batch(sql).map_err(store_error))
        .await
}

#[tokio::test]
async fn a_full_disk_makes_the_store_and_queue_unavailable_with_advice() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db.clone());
    let queue = SqliteQueue::new(db.clone(), DEFAULT_MAX_RECEIVE_COUNT);
    // The file may not grow past its current size: the next page it needs fails with SQLITE_FULL.
    exec(&db, "PRAGMA max_page_count = 1").await?;
    let mut full_seen = false;
    for i in 0..200 {
        let mut m = message(
            at(i),
            Stage::Dev,
            Status::Created,
            MessageType::Notification,
        );
        m.payload.message = "x".repeat(4000);
        match store.create(&m, None).await {
            Ok(_) => continue,
            Err(StoreError::Unavailable(text)) => {
                assert!(text.contains("disk is full"), "{text}");
                full_seen = true;
                break;
            }
            Err(other) => panic!("expected Unavailable, got {other:?}"),
        }
    }
    assert!(full_seen, "the page limit was never reached");
    match queue.send("y".repeat(8000)).await {
        Err(QueueError::Unavailable(text)) => assert!(text.contains("disk is full"), "{text}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn a_read_only_database_makes_writes_unavailable_and_reads_still_work() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db.clone());
    let m = message(
        at(0),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    store.create(&m, None).await?;
    exec(&db, "PRAGMA query_only = ON").await?;
    let other = message(
        at(1),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    match store.create(&other, None).await {
        Err(StoreError::Unavailable(text)) => assert!(text.contains("read-only"), "{text}"),
        result => panic!("expected Unavailable, got {result:?}"),
    }
    assert_eq!(store.get(&m.id).await?, Some(m));
    Ok(())
}

#[tokio::test]
async fn an_undecodable_row_is_corrupt_naming_the_message_and_column() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db.clone());
    let m = message(
        at(0),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    store.create(&m, None).await?;
    exec(&db, "UPDATE messages SET status = 'lost'").await?;
    for result in [
        store.get(&m.id).await.map(|_| ()),
        store.list(&ListQuery::default()).await.map(|_| ()),
    ] {
        match result {
            Err(StoreError::Corrupt(text)) => {
                assert!(
                    text.contains(m.id.as_str()) && text.contains("status"),
                    "{text}"
                );
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }
    exec(
        &db,
        "UPDATE messages SET status = 'created', payload = '{not json'",
    )
    .await?;
    assert!(matches!(store.get(&m.id).await, Err(StoreError::Corrupt(t)) if t.contains("payload")));
    Ok(())
}
