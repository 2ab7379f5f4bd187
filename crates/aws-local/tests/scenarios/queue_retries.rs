//! Issue [3] on AWS: a record the processor gives back comes back on a
//! human time scale (its `ChangeMessageVisibility`, not the queue's 30 min
//! visibility timeout), and a record given up on shows in `GET /api/dlq`
//! and goes round again with `POST /api/dlq/redrive`.

use std::time::Duration;

use rez_aws_local::faults::InjectedError;
use rez_core::message::MessageId;
use rez_core::ports::MessageStore;
use serde_json::json;
use tokio::time::Instant;

use crate::support::{
    api, eventually, eventually_within, function_name, no_execution_running, reconcile, send,
    start, start_adjusted, start_visible_after, store,
};
use rez_send_notification::NTFY_TIMEOUT_VAR;

const START_SYNC_EXECUTION: &str = "AWSStepFunctions.StartSyncExecution";

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_record_that_failed_transiently_comes_back_after_thirty_seconds_not_the_queues_timeout() {
    // The queues keep the declared visibility timeout (1800 s).
    let local = start().await;
    let visibility = local
        .declared()
        .queues
        .iter()
        .find(|q| q.redrive_policy.is_some())
        .and_then(|q| q.visibility_timeout_seconds)
        .expect("the queue declares its visibility timeout");
    let processor = function_name(&local, "processor");
    let stub = local.ntfy().expect("the stub");
    // The first execution's four attempts (one and three retries) all fail:
    // the execution fails with Ntfy.ServerError, which the processor
    // reports for redelivery; the fifth publish is answered 200.
    stub.answer_with(&[500, 500, 500, 500], Duration::ZERO);
    let (status, sent) = send(&local, &json!({"message": "after a bad minute"})).await;
    assert_eq!(status, 202, "{sent}");
    let id: MessageId = sent["id"].as_str().expect("an id").parse().expect("an id");

    let failed_at = eventually("the first execution's four publishes", || async {
        (stub.received().len() >= 4).then(Instant::now)
    })
    .await;
    let again_at = eventually("the second delivery's publish", || async {
        (stub.received().len() >= 5).then(Instant::now)
    })
    .await;
    let waited = again_at - failed_at;
    assert!(
        waited >= Duration::from_secs(25),
        "the record came back after {waited:?}, before the processor's 30 s"
    );
    assert!(
        waited < Duration::from_secs(visibility / 20),
        "the record came back after {waited:?}: not the first wait (30 s) but near the queue's {visibility} s"
    );

    let store = store(&local);
    eventually("the message completed", || async {
        store
            .get(&id)
            .await
            .ok()
            .flatten()
            .filter(|m| m.status.as_str() == "completed")
    })
    .await;
    let statuses: Vec<u16> = stub.received().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 500, 500, 500, 200]);
    assert_eq!(local.lambda().invocations(&processor).unwrap_or(0), 2);
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_dead_letter_is_listed_by_the_api_and_its_redrive_delivers_it() {
    // Every queue's visibility timeout is 5 s, the processor's longest wait
    // with it, so three failed receives take seconds, not the declared hour.
    let local = start_visible_after(Some(5)).await;
    local.faults().inject(InjectedError {
        operation: START_SYNC_EXECUTION.to_owned(),
        count: 1000,
        status: 400,
        error_type: "ThrottlingException".to_owned(),
        message: "Rate exceeded".to_owned(),
        details: serde_json::Map::new(),
        delay_ms: 0,
    });
    let (_, sent) = send(&local, &json!({"message": "dead, then alive"})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();

    let listed = eventually("the record in GET /api/dlq", || async {
        let (status, list) = api(&local, reqwest::Method::GET, "/api/dlq", None).await;
        assert_eq!(status, 200, "{list}");
        list["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
            .then_some(list)
    })
    .await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["message_id"], id.as_str(), "{listed}");
    assert!(
        items[0]["receive_count"].as_u64().unwrap_or(0) >= 1,
        "{listed}"
    );
    assert_eq!(listed["depth"]["dead"], 1, "{listed}");
    assert!(local.ntfy().expect("the stub").received().is_empty());

    // The reconcile schedule marks the dead letter's message failed, with
    // the reason, as the local queue does when it moves a record.
    let report = reconcile(&local).await;
    assert_eq!(report["dead_lettered"], 1, "{report}");
    let dead: MessageId = id.parse().expect("a message id");
    let failed = store(&local)
        .get(&dead)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(failed.status.as_str(), "failed", "{failed:?}");
    assert!(
        failed
            .error_message
            .as_deref()
            .is_some_and(|e| e.starts_with("Queue.DeadLettered")),
        "{failed:?}"
    );

    local.faults().clear(START_SYNC_EXECUTION);
    let record_id = items[0]["id"].as_str().expect("a record id");
    let (status, redriven) = api(
        &local,
        reqwest::Method::POST,
        "/api/dlq/redrive",
        Some(&json!({"ids": [record_id]})),
    )
    .await;
    assert_eq!((status, &redriven), (200, &json!({"redriven": 1})));

    // The message reads failed until the redriven record's execution takes
    // it up again (LoadMessage takes a failed message).
    let table = store(&local);
    let message = eventually("the redriven message delivered", || async {
        table
            .get(&dead)
            .await
            .ok()
            .flatten()
            .filter(|m| m.status.as_str() == "completed")
    })
    .await;
    assert!(message.execution_id.is_some(), "{message:?}");
    assert!(!local.ntfy().expect("the stub").received().is_empty());
    let (_, after) = api(&local, reqwest::Method::GET, "/api/dlq", None).await;
    assert_eq!(after["items"], json!([]), "{after}");
    assert_eq!(after["depth"]["dead"], 0, "{after}");
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_message_whose_ntfy_never_answers_ends_failed_with_its_record_in_the_dlq() {
    // send-notification gives up on a publish after 1 s
    // (`REZ_NTFY_TIMEOUT_MS`, which a deployment may lower from 10 s), so an
    // execution takes its four publishes plus the jittered waits between
    // them, at most about 20 s. The queues' visibility timeout is 30 s
    // instead of the declared 30 min: longer than an execution, as AWS
    // requires of the declared one, so no record comes back while its
    // execution runs; and the ceiling of the processor's waits, so the
    // record waits 30 s between deliveries.
    let local = start_adjusted(Some(30), |declared| {
        for function in &mut declared.functions {
            if function.key == "send-notification" {
                function
                    .environment
                    .insert(NTFY_TIMEOUT_VAR.to_owned(), "1000".to_owned());
            }
        }
    })
    .await;
    let receives = local
        .declared()
        .queues
        .iter()
        .find_map(|q| q.redrive_policy.as_ref())
        .map(|p| p.max_receive_count)
        .expect("the queue declares its redrive policy");
    let stub = local.ntfy().expect("the stub");
    stub.answer_with(&[], Duration::from_secs(5));
    let (status, sent) = send(&local, &json!({"message": "into the void"})).await;
    assert_eq!(status, 202, "{sent}");
    let id: MessageId = sent["id"].as_str().expect("an id").parse().expect("an id");

    // moto may count a record it moved to the DLQ a while before a peek can
    // see it (it keeps the visibility of the receive that moved it): the
    // wait is for the record listed, up to one more visibility timeout.
    let limit = Duration::from_secs(60) * receives + Duration::from_secs(60);
    let listed = eventually_within(limit, "the record listed in the DLQ", || async {
        let (_, list) = api(&local, reqwest::Method::GET, "/api/dlq", None).await;
        (list["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()))
        .then_some(list)
    })
    .await;
    assert_eq!(listed["depth"]["dead"], 1, "{listed}");
    assert_eq!(listed["items"][0]["message_id"], id.as_str(), "{listed}");
    assert_eq!(listed["depth"]["visible"], 0, "{listed}");
    assert_eq!(listed["depth"]["in_flight"], 0, "{listed}");

    let message = store(&local)
        .get(&id)
        .await
        .expect("read")
        .expect("nothing accepted is lost");
    assert_eq!(message.status.as_str(), "failed", "{message:?}");
    let reason = message.error_message.clone().unwrap_or_default();
    assert!(reason.starts_with("Ntfy.Unreachable"), "{reason}");
    // Each delivery tried ntfy four times (the first try and three retries).
    assert_eq!(stub.received().len(), 4 * receives as usize);
    no_execution_running(&local).await;
    local.shutdown().await;
}
