//! The delivery promises of RELIABILITY.md on the AWS deployment: one owner per message,
//! and the reconciler moving on what nothing else will.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use rez_core::ports::{CLAIM_LEASE, MessageStore};
use rez_core::{Message, MessageType, Notification, Stage, Status};
use serde_json::json;

use crate::support::{
    assert_none_published_after_completion, ended_execution, eventually, function_name, history,
    no_execution_running, reconcile, send, settled, start, step_functions, store,
};

/// How many publishes of `text` the stub received.
fn publishes_of(local: &rez_aws_local::AwsLocal, text: &str) -> usize {
    local
        .ntfy()
        .expect("the stub")
        .received()
        .iter()
        .filter(|r| r.body["message"] == text)
        .count()
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn one_message_delivered_twice_by_sqs_and_started_three_times_at_once_is_published_once() {
    let local = start().await;
    let processor = function_name(&local, "processor");
    // ntfy takes a second to answer, so every execution is under way while
    // the first publish is in flight.
    local
        .ntfy()
        .expect("the stub")
        .answer_with(&[], Duration::from_secs(1));
    local.faults().duplicate_deliveries(1);
    let text = "one owner on AWS";
    let (_, sent) = send(&local, &json!({"message": text})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();
    let arn = local.declared().state_machines[0].arn.clone();
    let requests: Vec<_> = (1..=3)
        .map(|n| {
            json!({
                "stateMachineArn": arn,
                "name": format!("again-{n}"),
                "input": json!({"message_id": id}).to_string(),
            })
        })
        .collect();
    let starts = requests
        .iter()
        .map(|request| step_functions(&local, "StartSyncExecution", request));
    let started = futures::future::join_all(starts).await;
    for answer in &started {
        assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
    }
    let message = settled(&local, &id).await;
    assert_eq!(message.status, Status::Completed, "{message:?}");
    eventually("both processor invocations done", || async {
        (local.lambda().invocations(&processor).unwrap_or(0) == 2
            && local.lambda().running(&processor).unwrap_or(1) == 0)
            .then_some(())
    })
    .await;
    for answer in &started {
        ended_execution(&local, answer["executionArn"].as_str().unwrap_or_default()).await;
    }
    assert_eq!(
        publishes_of(&local, text),
        1,
        "five executions, one publish"
    );
    local.shutdown().await;
}

/// A message as a process that died would leave it: `status`, last changed
/// `idle` ago, with no queue record.
fn left_behind(status: Status, idle: TimeDelta, text: &str) -> Message {
    let mut message = Message::new(
        Utc::now() - idle,
        "aws-local-test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text(text),
    );
    message.status = status;
    if status == Status::Processing {
        message.execution_id = Some("arn:aws:states:us-east-1:0:express:gone:gone".to_owned());
    }
    message
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn the_reconcile_schedule_sends_round_what_no_record_or_execution_will() {
    let local = start().await;
    let table = store(&local);
    let never_published = left_behind(
        Status::Created,
        TimeDelta::minutes(10),
        "stored, not published",
    );
    let dead_claim = left_behind(
        Status::Processing,
        CLAIM_LEASE + TimeDelta::minutes(1),
        "claimed by a dead execution",
    );
    let due = left_behind(
        Status::Deferred,
        TimeDelta::days(2),
        "deferred before the reset",
    );
    let live_claim = left_behind(Status::Processing, TimeDelta::minutes(1), "still claimed");
    for message in [&never_published, &dead_claim, &due, &live_claim] {
        table.create(message, None).await.expect("stored");
    }
    let report = reconcile(&local).await;
    assert_eq!(report["republished"], 3, "{report}");

    for message in [&never_published, &dead_claim, &due] {
        let done = settled(&local, message.id.as_str()).await;
        assert_eq!(done.status, Status::Completed, "{done:?}");
        assert_eq!(
            publishes_of(&local, &message.payload.message),
            1,
            "{done:?}"
        );
    }
    let untouched = table
        .get(&live_claim.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        untouched.status,
        Status::Processing,
        "a live claim is its execution's"
    );
    assert_eq!(publishes_of(&local, "still claimed"), 0);
    local.shutdown().await;
}

/// The operation of every status write: the message and its counters.
const TRANSACT_WRITE_ITEMS: &str = "DynamoDB_20120810.TransactWriteItems";

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_task_crashing_after_ntfy_accepted_and_before_the_status_is_recorded_is_tried_again() {
    let local = start().await;
    let table = store(&local);
    let recorder = function_name(&local, "record-status");
    // ntfy accepts after a second: the time to hold the status write that
    // follows.
    let stub = local.ntfy().expect("the stub");
    stub.answer_with(&[200], Duration::from_secs(1));
    let text = "crash before the status";
    let (status, sent) = send(&local, &json!({"message": text})).await;
    assert_eq!(status, 202, "{sent}");
    let id: rez_core::MessageId = sent["id"].as_str().expect("an id").parse().expect("an id");
    eventually("ntfy's first publish", || async {
        (publishes_of(&local, text) == 1).then_some(())
    })
    .await;
    let first = table
        .get(&id)
        .await
        .expect("readable")
        .and_then(|m| m.execution_id)
        .expect("the message is claimed by the publishing execution");
    // RecordSuccess's transaction is held, never sent on to DynamoDB, and
    // the task is killed while it waits: the crash falls between ntfy's
    // acceptance and any status write.
    local.faults().inject(rez_aws_local::faults::InjectedError {
        operation: TRANSACT_WRITE_ITEMS.to_owned(),
        count: 1,
        status: 500,
        error_type: "InternalServerError".to_owned(),
        message: "held while the task was killed".to_owned(),
        details: serde_json::Map::new(),
        delay_ms: 20_000,
    });
    eventually("RecordSuccess waiting on its write", || async {
        (local.lambda().running(&recorder).unwrap_or(0) > 0).then_some(())
    })
    .await;
    assert_eq!(local.lambda().kill_running(&recorder), Ok(1));

    // RecordSuccess tries the crashed task again (its write is the claim
    // holder's, so a repeat is harmless): the same execution records the
    // delivery, and ntfy saw the message once.
    let ended = ended_execution(&local, &first).await;
    assert_eq!(ended["status"], "SUCCEEDED", "{ended}");
    let events = history(&local, &first).await;
    let crash = events
        .iter()
        .position(|e| e["taskFailedEventDetails"]["error"] == "Runtime.ExitError")
        .expect("the killed task failed");
    assert!(
        events[crash..].iter().any(|e| e["type"] == "TaskSucceeded"),
        "the retried task succeeded after the crash"
    );
    let done = settled(&local, id.as_str()).await;
    assert_eq!(done.execution_id.as_deref(), Some(first.as_str()));
    assert_none_published_after_completion(&local, &done, text);
    assert_eq!(publishes_of(&local, text), 1);
    no_execution_running(&local).await;
    local.shutdown().await;
}
