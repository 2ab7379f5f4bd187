//! Tests of the processor's per-record classification.

use super::*;
use rez_core::memory::MemoryStore;
use rez_core::ports::{WorkflowError, WorkflowOutcome};
use rez_core::{MessageId, MessageType, Stage};
use std::sync::Mutex;

struct Scripted(
    Mutex<Vec<Result<WorkflowStatus, String>>>,
    Mutex<Vec<WorkflowRequest>>,
);

#[async_trait::async_trait]
impl WorkflowStarter for Scripted {
    async fn start_sync(
        &self,
        request: &WorkflowRequest,
    ) -> Result<WorkflowOutcome, WorkflowError> {
        self.1.lock().unwrap().push(request.clone());
        let status = self
            .0
            .lock()
            .unwrap()
            .remove(0)
            .map_err(WorkflowError::Unavailable)?;
        Ok(WorkflowOutcome {
            execution_id: format!("arn:{}", request.name),
            status,
            output: None,
            start_date: started(),
            stop_date: started() + chrono::Duration::milliseconds(1500),
        })
    }
}

fn started() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_765_101_600, 0).unwrap()
}

/// Keeps what it is asked to record; refuses when told to.
#[derive(Default)]
struct Recorder {
    recorded: Mutex<Vec<(ExecutionSummary, serde_json::Value)>>,
    refuse: bool,
}

#[async_trait::async_trait]
impl ExecutionRecorder for Recorder {
    async fn record_execution(
        &self,
        summary: &ExecutionSummary,
        input: &serde_json::Value,
        _output: Option<&serde_json::Value>,
    ) -> Result<(), StoreError> {
        if self.refuse {
            return Err(StoreError::Unavailable("throttled".into()));
        }
        self.recorded
            .lock()
            .unwrap()
            .push((summary.clone(), input.clone()));
        Ok(())
    }
}

#[tokio::test]
async fn each_ended_execution_is_recorded_and_a_failed_record_changes_no_disposition() {
    let script = || {
        vec![
            Ok(WorkflowStatus::Succeeded),
            failed("Ntfy.ServerError"),
            Ok(WorkflowStatus::TimedOut),
            Err("throttled".to_string()),
        ]
    };
    let records: Vec<QueueRecord> = (0..4)
        .map(|i| QueueRecord {
            id: format!("r{i}"),
            body: body(),
        })
        .collect();
    let mut failed_ids = Vec::new();
    for refuse in [false, true] {
        let recorder = Arc::new(Recorder {
            refuse,
            ..Recorder::default()
        });
        let deps = Deps {
            workflow: Arc::new(Scripted(Mutex::new(script()), Mutex::new(vec![]))),
            store: Arc::new(MemoryStore::new()),
            executions: Some(recorder.clone()),
        };
        let mut outcome = BatchOutcome::default();
        for record in &records {
            // One at a time, so the script's order is the records' order.
            let batch = handle_batch(&deps, std::slice::from_ref(record)).await;
            outcome.failed_ids.extend(batch.failed_ids);
        }
        failed_ids.push(outcome.failed_ids);
        if refuse {
            continue;
        }
        let recorded = recorder.recorded.lock().unwrap();
        // The execution that never started is not recorded.
        let statuses: Vec<&str> = recorded.iter().map(|(s, _)| s.status.as_str()).collect();
        assert_eq!(statuses, ["SUCCEEDED", "FAILED", "TIMED_OUT"]);
        let (failed, input) = &recorded[1];
        assert_eq!(failed.error.as_deref(), Some("Ntfy.ServerError"));
        assert_eq!(failed.start_date, "2025-12-07T10:00:00.000000Z");
        assert_eq!(
            failed.stop_date.as_deref(),
            Some("2025-12-07T10:00:01.500000Z")
        );
        assert_eq!(failed.duration_ms, Some(1500));
        assert_eq!(failed.task_attempts, None);
        assert_eq!(failed.execution_id, format!("arn:{}", failed.name));
        assert_eq!(input["message_id"].as_str(), failed.message_id.as_deref());
    }
    assert_eq!(failed_ids[0], ["r1", "r2", "r3"]);
    assert_eq!(failed_ids[0], failed_ids[1]);
}

fn body() -> String {
    serde_json::to_string(&MessageEvent {
        message_id: MessageId::generate(chrono::Utc::now()),
        stage: Stage::Dev,
        message_type: MessageType::Notification,
    })
    .unwrap()
}

fn failed(error: &str) -> Result<WorkflowStatus, String> {
    Ok(WorkflowStatus::Failed {
        error: Some(error.into()),
        cause: None,
    })
}

#[tokio::test]
async fn only_transient_outcomes_are_reported_for_redelivery() {
    let script = vec![
        Ok(WorkflowStatus::Succeeded),
        failed("Ntfy.Rejected"),
        failed("Message.NotFound"),
        failed("Ntfy.ServerError"),
        Ok(WorkflowStatus::TimedOut),
        Err("throttled".to_string()),
    ];
    let n = script.len();
    let starter = Arc::new(Scripted(Mutex::new(script), Mutex::new(vec![])));
    let deps = Deps {
        workflow: starter.clone(),
        store: Arc::new(MemoryStore::new()),
        executions: None,
    };
    let records: Vec<QueueRecord> = (0..n)
        .map(|i| QueueRecord {
            id: format!("r{i}"),
            body: body(),
        })
        .collect();
    let outcome = handle_batch(&deps, &records).await;
    assert_eq!(outcome.failed_ids, vec!["r3", "r4", "r5"]);
    let inputs = starter.1.lock().unwrap();
    assert!(inputs.iter().all(|r| r.input["message_id"].is_string()));
}

#[tokio::test]
async fn an_unreadable_body_is_acknowledged_without_starting_anything() {
    let starter = Arc::new(Scripted(Mutex::new(vec![]), Mutex::new(vec![])));
    let deps = Deps {
        workflow: starter.clone(),
        store: Arc::new(MemoryStore::new()),
        executions: None,
    };
    for body in ["", "{}", r#"{"message_id":""}"#, "not json"] {
        let d = handle_record(
            &deps,
            &QueueRecord {
                id: "r".into(),
                body: body.into(),
            },
        )
        .await;
        assert!(matches!(d, Disposition::Acknowledge(_)), "{body}");
    }
    assert!(starter.1.lock().unwrap().is_empty());
}

/// Records each visibility change and refuses every one of them.
#[derive(Default)]
struct Refusing(Mutex<Vec<(String, std::time::Duration)>>);

#[async_trait::async_trait]
impl rez_core::ports::RedeliveryScheduler for Refusing {
    async fn redeliver_after(
        &self,
        receipt_handle: &str,
        delay: std::time::Duration,
    ) -> Result<(), rez_core::ports::RedeliveryError> {
        self.0
            .lock()
            .unwrap()
            .push((receipt_handle.to_owned(), delay));
        Err(rez_core::ports::RedeliveryError {
            reason: "AccessDenied".into(),
        })
    }
}

#[cfg(feature = "lambda")]
#[tokio::test]
async fn a_failed_record_is_hidden_for_its_wait_and_reported_even_when_hiding_fails() {
    use crate::redelivery::{Redelivery, RedeliveryPolicy};
    use std::time::Duration;

    let starter = Arc::new(Scripted(
        Mutex::new(vec![
            Ok(WorkflowStatus::Succeeded),
            failed("Ntfy.ServerError"),
        ]),
        Mutex::new(vec![]),
    ));
    let deps = Deps {
        workflow: starter,
        store: Arc::new(MemoryStore::new()),
        executions: None,
    };
    let scheduler = Arc::new(Refusing::default());
    let redelivery = Redelivery {
        scheduler: scheduler.clone(),
        policy: RedeliveryPolicy::standard(Duration::from_secs(1800)),
    };
    let record = |id: &str, count: &str| {
        serde_json::json!({
            "messageId": id, "receiptHandle": format!("handle-{id}"), "body": body(),
            "attributes": {"ApproximateReceiveCount": count},
        })
    };
    let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_value(
        serde_json::json!({"Records": [record("ok", "1"), record("again", "2")]}),
    )
    .unwrap();

    let response = lambda::handle_event(&deps, &redelivery, &event)
        .await
        .unwrap();

    assert_eq!(
        serde_json::to_value(response).unwrap(),
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": "again"}]})
    );
    assert_eq!(
        *scheduler.0.lock().unwrap(),
        [("handle-again".to_owned(), Duration::from_secs(120))]
    );
}

/// Claims the message for the execution, as LoadMessage would, and then ends
/// the execution with `status` without recording an outcome.
struct ClaimsThenEnds {
    store: Arc<MemoryStore>,
    status: WorkflowStatus,
}

#[async_trait::async_trait]
impl WorkflowStarter for ClaimsThenEnds {
    async fn start_sync(
        &self,
        request: &WorkflowRequest,
    ) -> Result<WorkflowOutcome, WorkflowError> {
        let execution_id = format!("arn:{}", request.name);
        let id: MessageId = serde_json::from_value(request.input["message_id"].clone())
            .map_err(|e| WorkflowError::Unreadable(e.to_string()))?;
        let mut claim = StatusChange::new(
            id,
            &[Status::Queued],
            Status::Processing,
            chrono::Utc::now(),
        );
        claim.execution_id = Some(execution_id.clone());
        claim.claim = ClaimRule::Take;
        self.store.transition(&claim).await?;
        Ok(WorkflowOutcome {
            execution_id,
            status: self.status.clone(),
            output: None,
            start_date: started(),
            stop_date: started(),
        })
    }
}

#[tokio::test]
async fn an_execution_that_ended_without_an_outcome_gives_its_claim_back() {
    for (status, released) in [
        (WorkflowStatus::TimedOut, true),
        (
            WorkflowStatus::Failed {
                error: Some("Store.Unavailable".into()),
                cause: None,
            },
            true,
        ),
        (WorkflowStatus::Succeeded, false),
    ] {
        let store = Arc::new(MemoryStore::new());
        let mut message = rez_core::Message::new(
            chrono::Utc::now(),
            "test",
            Stage::Dev,
            MessageType::Notification,
            rez_core::Notification::text("claimed"),
        );
        message.status = Status::Queued;
        store.create(&message, None).await.unwrap();
        let deps = Deps {
            workflow: Arc::new(ClaimsThenEnds {
                store: store.clone(),
                status: status.clone(),
            }),
            store: store.clone(),
            executions: None,
        };
        let record = QueueRecord {
            id: "r".into(),
            body: serde_json::to_string(&MessageEvent::of(&message)).unwrap(),
        };
        handle_record(&deps, &record).await;
        let after = store.get(&message.id).await.unwrap().unwrap();
        let expected = if released {
            Status::Queued
        } else {
            Status::Processing
        };
        assert_eq!(after.status, expected, "{status:?}");
        assert_eq!(after.retry_count, u32::from(released), "{status:?}");
    }
}

/// Ends every execution SUCCEEDED with the given output.
struct SucceedsWith(serde_json::Value);

#[async_trait::async_trait]
impl WorkflowStarter for SucceedsWith {
    async fn start_sync(
        &self,
        request: &WorkflowRequest,
    ) -> Result<WorkflowOutcome, WorkflowError> {
        Ok(WorkflowOutcome {
            execution_id: format!("arn:{}", request.name),
            status: WorkflowStatus::Succeeded,
            output: Some(self.0.clone()),
            start_date: started(),
            stop_date: started(),
        })
    }
}

#[tokio::test]
async fn an_execution_that_found_the_message_claimed_leaves_its_record_for_the_next_delivery() {
    let record = QueueRecord {
        id: "r".into(),
        body: body(),
    };
    let ended_with = |output: serde_json::Value| Deps {
        workflow: Arc::new(SucceedsWith(output)),
        store: Arc::new(MemoryStore::new()),
        executions: None,
    };
    let claimed = ended_with(serde_json::json!({
        "message_id": "m",
        "claimed": {"Error": "Message.Claimed", "Cause": "held by arn:other"},
    }));
    assert!(matches!(
        handle_record(&claimed, &record).await,
        Disposition::Retry(_)
    ));
    let delivered = ended_with(serde_json::json!({"message_id": "m", "delivery": {"status": 200}}));
    assert!(matches!(
        handle_record(&delivered, &record).await,
        Disposition::Acknowledge(_)
    ));
}
