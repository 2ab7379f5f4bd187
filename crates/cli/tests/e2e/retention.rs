//! What a start-up leaves of the previous run's data: executions no process
//! runs are ABORTED, expired messages and old executions are swept away.

use crate::helpers::*;
use rez_core::ports::{ExecutionRecord, ExecutionSummary, MessageStore};
use rez_core::{Message, MessageType, Notification, Stage, Status};
use rez_local::data_dir::DATABASE_FILE;
use rez_sqlite::{Database, SqliteStore};
use serde_json::json;
use std::time::Duration;

/// The store of the database a stack on `dir` will open (close it before starting one).
fn store_in(dir: &std::path::Path) -> SqliteStore {
    SqliteStore::new(Database::open(&dir.join(DATABASE_FILE)).unwrap())
}

/// Starts a stack on a data dir the test prepared.
async fn start_on(dir: tempfile::TempDir) -> TestApp {
    spawn_app_in(dir, ntfy_accepting().await, |_| {}).await
}

fn summary(name: &str, status: &str, started: chrono::DateTime<chrono::Utc>) -> ExecutionSummary {
    ExecutionSummary {
        execution_id: format!("{}{name}:0", rez_local::workflow::EXECUTION_ARN_PREFIX),
        name: name.to_owned(),
        message_id: None,
        status: status.parse().expect("an execution status"),
        start_date: rez_core::time::format(started),
        stop_date: None,
        duration_ms: None,
        task_attempts: Some(0),
        error: None,
        cause: None,
    }
}

/// A `completed` message created `days_ago` days ago (it expires at 90).
fn completed(days_ago: i64) -> Message {
    let created = chrono::Utc::now() - chrono::Duration::days(days_ago);
    let mut m = Message::new(
        created,
        "api",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("kept or not"),
    );
    m.status = Status::Completed;
    m
}

#[tokio::test]
async fn an_execution_left_running_by_a_dead_process_shows_aborted_after_start() -> TestResult {
    let dir = tempfile::tempdir()?;
    let started = chrono::Utc::now() - chrono::Duration::seconds(30);
    let running = summary("killed", "RUNNING", started);
    // What a killed process leaves: the row the engine writes as it starts.
    store_in(dir.path())
        .begin_execution(&running, &json!({"message_id": "m-1"}))
        .await?;

    let app = start_on(dir).await;
    let execution = app.execution(&running.execution_id).await;

    assert_eq!(execution["status"], "ABORTED");
    assert_eq!(execution["error"], "RezAgent.ProcessStopped");
    assert!(execution["cause"].as_str().is_some_and(|c| !c.is_empty()));
    let stop = execution["stop_date"].as_str().ok_or("no stop date")?;
    assert!(rez_core::time::parse(stop)? >= started);
    assert!(
        execution["duration_ms"]
            .as_i64()
            .is_some_and(|ms| ms >= 30_000)
    );
    assert_eq!(event_types(&execution), vec!["ExecutionAborted"]);
    let listed = app.get_json("/api/executions?status=RUNNING").await;
    assert_eq!(listed["items"], json!([]), "nothing is left running");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn expired_messages_and_old_executions_are_swept_at_start_up() -> TestResult {
    let dir = tempfile::tempdir()?;
    let expired = completed(91);
    let fresh = completed(1);
    let mut old = ExecutionRecord {
        summary: summary(
            "old",
            "SUCCEEDED",
            chrono::Utc::now() - chrono::Duration::days(91),
        ),
        input: json!({}),
        output: None,
        history: vec![],
    };
    old.summary.stop_date = Some(old.summary.start_date.clone());
    {
        let store = store_in(dir.path());
        store.create(&expired, None).await?;
        store.create(&fresh, None).await?;
        store.record_execution(&old).await?;
    }

    let app = start_on(dir).await;

    // The first sweep runs beside the API as the stack starts.
    let url = app.url(&format!("/api/messages/{}", expired.id));
    eventually(Duration::from_millis(20), async || {
        match app.client.get(&url).send().await.unwrap().status() {
            reqwest::StatusCode::NOT_FOUND => Ok(()),
            _ => Err("the expired message was never swept".to_owned()),
        }
    })
    .await;
    assert_eq!(app.message(fresh.id.as_str()).await["status"], "completed");
    let listed = app.get_json("/api/executions").await;
    assert_eq!(
        listed["items"],
        json!([]),
        "the 91-day-old execution is gone"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_retention_of_zero_days_is_refused_naming_the_flag() -> TestResult {
    let dir = tempfile::tempdir()?;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_rez-agent"))
        .args(["up", "--execution-retention-days", "0"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .await?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'0'") && stderr.contains("--execution-retention-days"),
        "{stderr}"
    );
    assert!(
        std::fs::read_dir(dir.path())?.next().is_none(),
        "nothing started"
    );
    Ok(())
}
