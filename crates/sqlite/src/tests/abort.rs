//! Closing executions no process runs any more: ABORTED, as AWS shows them.

use rez_core::ports::{ExecutionReader, ExecutionRecord, ExecutionSummary};
use rez_states::{EventType, HistoryEvent};
use serde_json::json;

use super::fixtures::{TestResult, at, temp_db};
use crate::{Abort, SqliteStore};

fn summary(name: &str, status: &str) -> ExecutionSummary {
    ExecutionSummary {
        execution_id: format!("arn:aws:states:local:000000000000:express:n:{name}"),
        name: name.to_owned(),
        message_id: Some(format!("m-{name}")),
        status: status.parse().expect("an execution status"),
        start_date: rez_core::time::format(at(0)),
        stop_date: None,
        duration_ms: None,
        task_attempts: Some(0),
        error: None,
        cause: None,
    }
}

fn abort() -> Abort {
    Abort {
        at: at(5),
        error: "RezAgent.ProcessStopped".to_owned(),
        cause: "the process stopped".to_owned(),
    }
}

#[tokio::test]
async fn a_running_execution_is_closed_as_aborted_with_a_stop_date_and_an_event() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let running = summary("running", "RUNNING");
    let input = json!({"message_id": "m-running"});
    store.begin_execution(&running, &input).await?;

    assert_eq!(store.abort_running_executions(&abort()).await?, 1);

    let record = store
        .get_execution(&running.execution_id)
        .await?
        .ok_or("the execution is gone")?;
    assert_eq!(
        record.summary,
        ExecutionSummary {
            status: rez_core::ports::ExecutionStatus::Aborted,
            stop_date: Some(rez_core::time::format(at(5))),
            duration_ms: Some(5_000),
            error: Some("RezAgent.ProcessStopped".into()),
            cause: Some("the process stopped".into()),
            ..running
        }
    );
    assert_eq!((record.input, record.output), (input, None));
    // The event is the engine's own type, so the console and the CLI read it.
    let events: Vec<HistoryEvent> = record
        .history
        .iter()
        .map(|e| serde_json::from_value(e.clone()))
        .collect::<Result<_, _>>()?;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (
            events[0].id,
            events[0].previous_event_id,
            events[0].event_type,
            events[0].timestamp
        ),
        (1, 0, EventType::ExecutionAborted, at(5))
    );
    assert_eq!(
        *events[0].details,
        json!({"executionAbortedEventDetails": {
            "error": "RezAgent.ProcessStopped", "cause": "the process stopped"
        }})
    );
    Ok(())
}

#[tokio::test]
async fn the_aborted_event_follows_the_last_recorded_event() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let running = summary("with-history", "RUNNING");
    store
        .record_execution(&ExecutionRecord {
            summary: running.clone(),
            input: json!({}),
            output: None,
            history: vec![
                json!({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}),
                json!({"id": 2, "previousEventId": 1, "type": "TaskStateEntered"}),
            ],
        })
        .await?;

    store.abort_running_executions(&abort()).await?;

    let record = store
        .get_execution(&running.execution_id)
        .await?
        .ok_or("the execution is gone")?;
    let last = record.history.last().ok_or("no history")?;
    assert_eq!(record.history.len(), 3);
    assert_eq!(
        (&last["id"], &last["previousEventId"], &last["type"]),
        (&json!(3), &json!(2), &json!("ExecutionAborted"))
    );
    Ok(())
}

#[tokio::test]
async fn finished_executions_are_left_as_they_were() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let mut records = Vec::new();
    for status in ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] {
        let mut summary = summary(status, status);
        summary.stop_date = Some(rez_core::time::format(at(1)));
        summary.duration_ms = Some(1_000);
        let record = ExecutionRecord {
            summary,
            input: json!({}),
            output: None,
            history: vec![json!({"id": 1, "type": "ExecutionStarted"})],
        };
        store.record_execution(&record).await?;
        records.push(record);
    }

    assert_eq!(store.abort_running_executions(&abort()).await?, 0);

    for record in records {
        let after = store.get_execution(&record.summary.execution_id).await?;
        assert_eq!(after, Some(record));
    }
    Ok(())
}
