//! Group commit: concurrent writes share transactions, yet each succeeds or
//! fails on its own.

use rez_core::StoreError;
use rusqlite::Connection;

use super::fixtures::{TestResult, temp_db};
use crate::Database;
use crate::error::store_error;

async fn with_table() -> Result<(tempfile::TempDir, Database), Box<dyn std::error::Error>> {
    let (dir, db) = temp_db()?;
    db.call(|conn| {
        conn.execute_batch("CREATE TABLE numbers (n INTEGER PRIMARY KEY)")
            .map_err(store_error)
    })
    .await?;
    Ok((dir, db))
}

fn insert(conn: &Connection, n: i64) -> Result<(), StoreError> {
    conn.execute("INSERT INTO numbers (n) VALUES (?1)", [n])
        .map(|_| ())
        .map_err(store_error)
}

async fn stored(db: &Database) -> Result<Vec<i64>, StoreError> {
    db.call(|conn| {
        let mut statement = conn
            .prepare("SELECT n FROM numbers ORDER BY n")
            .map_err(store_error)?;
        let rows = statement
            .query_map([], |row| row.get(0))
            .map_err(store_error)?;
        rows.collect::<Result<Vec<i64>, _>>().map_err(store_error)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_all_commit_and_each_failure_undoes_only_its_own() -> TestResult {
    let (_dir, db) = with_table().await?;
    let mut writes = tokio::task::JoinSet::new();
    for n in 0..200_i64 {
        let db = db.clone();
        writes.spawn(async move {
            let result = db
                .write(move |conn| {
                    insert(conn, n)?;
                    if n % 10 == 7 {
                        // Written, then failed: the row must not stay.
                        return Err(StoreError::Corrupt(format!("row {n} refused")));
                    }
                    if n % 10 == 3 {
                        // A constraint error from SQLite itself.
                        insert(conn, n)?;
                    }
                    Ok(n)
                })
                .await;
            (n, result)
        });
    }
    let mut failed = Vec::new();
    while let Some(joined) = writes.join_next().await {
        let (n, result) = joined?;
        match result {
            Ok(value) => assert_eq!(value, n),
            Err(_) => failed.push(n),
        }
    }
    failed.sort_unstable();
    let expected_failures: Vec<i64> = (0..200).filter(|n| n % 10 == 7 || n % 10 == 3).collect();
    assert_eq!(failed, expected_failures);
    let expected_rows: Vec<i64> = (0..200).filter(|n| n % 10 != 7 && n % 10 != 3).collect();
    assert_eq!(stored(&db).await?, expected_rows);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_fails_alone_and_later_writes_still_commit() -> TestResult {
    let (_dir, db) = with_table().await?;
    let panicking = db.write(|conn| -> Result<(), StoreError> {
        insert(conn, 1)?;
        panic!("a bug in one write");
    });
    let (panicked, fine) = tokio::join!(panicking, db.write(|conn| insert(conn, 2)));
    assert!(
        matches!(panicked, Err(StoreError::Unavailable(_))),
        "{panicked:?}"
    );
    fine?;
    db.write(|conn| insert(conn, 3)).await?;
    assert_eq!(stored(&db).await?, vec![2, 3]);
    Ok(())
}

#[tokio::test]
async fn an_answered_write_is_in_the_file() -> TestResult {
    let (dir, db) = with_table().await?;
    db.write(|conn| insert(conn, 42)).await?;
    drop(db);
    let reopened = Database::open(&dir.path().join("rez.db"))?;
    assert_eq!(stored(&reopened).await?, vec![42]);
    Ok(())
}
