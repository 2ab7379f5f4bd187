//! Executions: begin, record, read back, list.

use rez_core::ports::{ExecutionQuery, ExecutionReader, ExecutionRecord, ExecutionSummary};
use serde_json::json;

use super::fixtures::{TestResult, temp_db};
use crate::SqliteStore;

fn summary(n: u32, status: &str, message_id: &str) -> ExecutionSummary {
    ExecutionSummary {
        execution_id: format!("arn:aws:states:local:000000000000:execution:notification:{n:03}"),
        name: format!("{n:03}"),
        message_id: Some(message_id.to_owned()),
        status: status.parse().expect("an execution status"),
        start_date: format!("2026-11-30T12:00:{:02}.000000Z", n % 60),
        stop_date: None,
        duration_ms: None,
        task_attempts: Some(0),
        error: None,
        cause: None,
    }
}

fn finished(n: u32, status: &str, message_id: &str) -> ExecutionRecord {
    let mut summary = summary(n, status, message_id);
    summary.stop_date = Some(format!("2026-11-30T12:01:{:02}.000000Z", n % 60));
    summary.duration_ms = Some(60_000);
    summary.task_attempts = Some(2);
    if status == "FAILED" {
        summary.error = Some("Ntfy.Rejected".into());
        summary.cause = Some("ntfy said 400".into());
    }
    ExecutionRecord {
        summary,
        input: json!({"message_id": message_id}),
        output: (status == "SUCCEEDED").then(|| json!({"delivered": true})),
        history: vec![
            json!({"id": 1, "type": "ExecutionStarted"}),
            json!({"id": 2, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "LoadMessage"}}),
        ],
    }
}

#[tokio::test]
async fn a_begun_execution_is_visible_as_running_until_recorded() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let running = summary(1, "RUNNING", "m-1");
    let input = json!({"message_id": "m-1"});
    store.begin_execution(&running, &input).await?;
    let page = store.list_executions(&ExecutionQuery::default()).await?;
    assert_eq!(page.items, vec![running.clone()]);
    let record = store.get_execution(&running.execution_id).await?;
    assert_eq!(
        record.map(|r| (r.input, r.output, r.history.len())),
        Some((input, None, 0))
    );

    let done = finished(1, "SUCCEEDED", "m-1");
    store.record_execution(&done).await?;
    assert_eq!(
        store.get_execution(&running.execution_id).await?,
        Some(done.clone())
    );

    store.begin_execution(&running, &json!({})).await?;
    assert_eq!(
        store.get_execution(&running.execution_id).await?,
        Some(done),
        "a late begin does not hide the finished record"
    );
    Ok(())
}

#[tokio::test]
async fn get_of_an_unknown_execution_is_none() -> TestResult {
    let (_dir, db) = temp_db()?;
    assert_eq!(SqliteStore::new(db).get_execution("nope").await?, None);
    Ok(())
}

#[tokio::test]
async fn executions_list_newest_first_with_filters_and_a_cursor() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    for n in 0..25 {
        let status = if n % 5 == 0 { "FAILED" } else { "SUCCEEDED" };
        let message_id = format!("m-{}", n % 2);
        store
            .record_execution(&finished(n, status, &message_id))
            .await?;
    }
    let cases: [(Option<&str>, Option<&str>, Vec<u32>); 3] = [
        (None, None, (0..25).rev().collect()),
        (Some("FAILED"), None, vec![20, 15, 10, 5, 0]),
        (
            None,
            Some("m-1"),
            (0..25).rev().filter(|n| n % 2 == 1).collect(),
        ),
    ];
    for (status, message_id, expected) in cases {
        let mut query = ExecutionQuery {
            status: status.map(|s: &str| s.parse().expect("an execution status")),
            message_id: message_id.map(str::to_owned),
            limit: 4,
            cursor: None,
        };
        let mut names = Vec::new();
        loop {
            let page = store.list_executions(&query).await?;
            assert!(page.items.len() <= 4);
            names.extend(
                page.items
                    .iter()
                    .map(|e| e.name.parse::<u32>())
                    .collect::<Result<Vec<_>, _>>()?,
            );
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => break,
            }
        }
        assert_eq!(names, expected, "status {status:?}, message {message_id:?}");
    }
    Ok(())
}

#[tokio::test]
async fn an_unknown_execution_cursor_gives_an_empty_page() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    store
        .record_execution(&finished(1, "SUCCEEDED", "m"))
        .await?;
    let query = ExecutionQuery {
        cursor: Some("gone".into()),
        ..ExecutionQuery::default()
    };
    let page = store.list_executions(&query).await?;
    assert_eq!((page.items.len(), page.next_cursor), (0, None));
    Ok(())
}
