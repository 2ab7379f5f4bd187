//! Retention: expired final messages and old finished executions go, a batch at a time.

use rez_core::ports::{
    Created, ExecutionReader, ExecutionRecord, ExecutionSummary, MessageStore, MetricsWindow,
};
use rez_core::{Message, MessageType, Stage, Status};
use serde_json::json;

use super::fixtures::{TestResult, at, message, temp_db};
use crate::SqliteStore;
use crate::error::store_error;
/// The batch the retention sweep of `rez-agent up` deletes at a time.
const SWEEP_BATCH: u32 = 500;

const DAY: i64 = 86_400;

/// A message created at `at(created)` (so expiring 90 days later) in `status`.
fn created_at(created: i64, status: Status) -> Message {
    message(at(created), Stage::Dev, status, MessageType::Notification)
}

/// An execution started at `at(started)`, stopped a second later unless RUNNING.
fn execution(n: usize, started: i64, status: &str) -> ExecutionRecord {
    let running = status == "RUNNING";
    ExecutionRecord {
        summary: ExecutionSummary {
            execution_id: format!("arn:aws:states:local:000000000000:express:n:{n:04}"),
            name: format!("{n:04}"),
            message_id: None,
            status: status.parse().expect("an execution status"),
            start_date: rez_core::time::format(at(started)),
            stop_date: (!running).then(|| rez_core::time::format(at(started + 1))),
            duration_ms: (!running).then_some(1_000),
            task_attempts: Some(1),
            error: None,
            cause: None,
        },
        input: json!({}),
        output: None,
        history: vec![json!({"id": 1, "type": "ExecutionStarted"})],
    }
}

#[tokio::test]
async fn expired_final_messages_go_with_their_keys_and_the_rest_stay() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let now = at(91 * DAY);
    let expired_completed = created_at(0, Status::Completed);
    let expired_failed = created_at(1, Status::Failed);
    let fresh_completed = created_at(2 * DAY, Status::Completed);
    let unfinished: Vec<Message> = [Status::Created, Status::Queued, Status::Processing]
        .into_iter()
        .map(|status| created_at(2, status))
        .collect();
    store
        .create(
            &expired_completed,
            Some(&rez_core::IdempotencyKey::Client("key-1".to_owned())),
        )
        .await?;
    store.create(&expired_failed, None).await?;
    store.create(&fresh_completed, None).await?;
    for m in &unfinished {
        store.create(m, None).await?;
    }

    assert_eq!(store.delete_expired_messages(now, SWEEP_BATCH).await?, 2);

    assert_eq!(store.get(&expired_completed.id).await?, None);
    assert_eq!(store.get(&expired_failed.id).await?, None);
    assert_eq!(store.get(&fresh_completed.id).await?, Some(fresh_completed));
    for m in unfinished {
        assert_eq!(
            store.get(&m.id).await?,
            Some(m.clone()),
            "{} is kept past its ttl",
            m.status
        );
    }
    // The key went with its message: using it again stores a new one.
    let next = created_at(91 * DAY, Status::Created);
    assert_eq!(
        store
            .create(
                &next,
                Some(&rez_core::IdempotencyKey::Client("key-1".to_owned()))
            )
            .await?,
        Created::New(next)
    );
    Ok(())
}

#[tokio::test]
async fn a_message_expires_only_once_its_ttl_has_passed() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let m = created_at(0, Status::Completed);
    store.create(&m, None).await?;
    let expiry = chrono::DateTime::from_timestamp(m.ttl, 0).ok_or("ttl out of range")?;
    assert_eq!(store.delete_expired_messages(expiry, SWEEP_BATCH).await?, 0);
    let after = expiry + chrono::Duration::seconds(1);
    assert_eq!(store.delete_expired_messages(after, SWEEP_BATCH).await?, 1);
    Ok(())
}

#[tokio::test]
async fn more_expired_messages_than_one_batch_go_in_several_batches() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db.clone());
    let count = 2 * SWEEP_BATCH as usize + 3;
    let messages: Vec<Message> = (0..count)
        .map(|n| created_at(n as i64, Status::Completed))
        .collect();
    db.call(move |conn| {
        let tx = conn.transaction().map_err(store_error)?;
        for m in &messages {
            crate::store::create_row(&tx, m, None)?;
        }
        tx.commit().map_err(store_error)
    })
    .await?;
    let now = at(91 * DAY);

    let mut batches = Vec::new();
    loop {
        let deleted = store.delete_expired_messages(now, SWEEP_BATCH).await?;
        batches.push(deleted);
        if deleted < SWEEP_BATCH as usize {
            break;
        }
    }

    assert_eq!(batches, vec![500, 500, 3]);
    assert_eq!(store.metrics(MetricsWindow::ending(at(0))).await?.total, 0);
    Ok(())
}

#[tokio::test]
async fn the_sweep_reads_expired_messages_from_the_status_ttl_index() -> TestResult {
    let (_dir, db) = temp_db()?;
    let plan: Vec<String> = db
        .call(|conn| {
            let mut statement = conn
                .prepare(
                    "EXPLAIN QUERY PLAN SELECT id FROM messages \
                     WHERE status IN ('completed', 'failed') AND ttl < 1 LIMIT 500",
                )
                .map_err(store_error)?;
            let rows = statement
                .query_map([], |row| row.get::<_, String>(3))
                .map_err(store_error)?;
            rows.collect::<Result<_, _>>().map_err(store_error)
        })
        .await?;
    assert!(
        plan.iter().any(|step| step.contains("messages_status_ttl")),
        "{plan:?}"
    );
    Ok(())
}

#[tokio::test]
async fn executions_stopped_before_the_cutoff_go_and_running_ones_stay() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let cutoff = at(30 * DAY);
    let old: Vec<ExecutionRecord> = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
        .iter()
        .enumerate()
        .map(|(n, status)| execution(n, n as i64, status))
        .collect();
    let old_running = execution(10, 0, "RUNNING");
    let recent = execution(11, 30 * DAY, "SUCCEEDED");
    // Started before the cutoff, stopped after it: kept until it is old enough.
    let straddling = execution(12, 30 * DAY - 1, "SUCCEEDED");
    for record in old.iter().chain([&old_running, &recent, &straddling]) {
        store.record_execution(record).await?;
    }

    assert_eq!(
        store
            .delete_executions_stopped_before(cutoff, SWEEP_BATCH)
            .await?,
        old.len()
    );

    for record in &old {
        let id = &record.summary.execution_id;
        assert_eq!(store.get_execution(id).await?, None, "{id}");
    }
    for kept in [old_running, recent, straddling] {
        let id = kept.summary.execution_id.clone();
        assert_eq!(store.get_execution(&id).await?, Some(kept), "{id}");
    }
    Ok(())
}

#[tokio::test]
async fn more_old_executions_than_one_batch_go_in_several_batches() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    for n in 0..7 {
        store
            .record_execution(&execution(n, n as i64, "SUCCEEDED"))
            .await?;
    }
    let mut batches = Vec::new();
    loop {
        let deleted = store.delete_executions_stopped_before(at(DAY), 3).await?;
        batches.push(deleted);
        if deleted < 3 {
            break;
        }
    }
    assert_eq!(batches, vec![3, 3, 1]);
    let page = store
        .list_executions(&rez_core::ports::ExecutionQuery::default())
        .await?;
    assert!(page.items.is_empty(), "{page:?}");
    Ok(())
}
