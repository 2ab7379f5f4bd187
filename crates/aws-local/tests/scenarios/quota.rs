//! Issue [3] on AWS: ntfy's daily quota is a wait, not a loss. The message
//! waits `deferred`, its queue record is acknowledged (a wait of hours must
//! not spend the queue's receives), and once its time has come the reconcile
//! schedule sends it round and it is delivered.

use chrono::{TimeDelta, Utc};
use rez_core::message::MessageId;
use rez_core::ports::{MessageStore, StatusChange};
use rez_core::{Message, Status};
use serde_json::json;
use std::time::Duration;

use crate::support::{
    api, ended_execution, eventually, history, reconcile, send, settled, start, store,
};

/// The states an execution entered, in order.
fn states_entered(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_used_up_quota_defers_the_message_acknowledges_its_record_and_delivers_it_after_the_reset()
 {
    let local = start().await;
    let table = store(&local);
    let stub = local.ntfy().expect("the stub");
    // ntfy's answer once the day's quota is used up: 429 with code 42908.
    stub.answer_with_codes(&[429], &[42908], Duration::ZERO);
    let (status, sent) = send(&local, &json!({"message": "after the reset"})).await;
    assert_eq!(status, 202, "{sent}");
    let id: MessageId = sent["id"].as_str().expect("an id").parse().expect("an id");

    let deferred: Message = eventually("the message deferred", || async {
        table
            .get(&id)
            .await
            .ok()
            .flatten()
            .filter(|m| m.status == Status::Deferred)
    })
    .await;
    let reason = deferred.error_message.clone().unwrap_or_default();
    assert!(reason.starts_with("Ntfy.QuotaExceeded"), "{reason}");
    assert!(reason.contains("; tried again after "), "{reason}");
    let execution = deferred.execution_id.clone().expect("an execution id");
    assert_eq!(
        ended_execution(&local, &execution).await["status"],
        "SUCCEEDED"
    );
    assert_eq!(
        states_entered(&history(&local, &execution).await),
        [
            "LoadMessage",
            "AlreadyDelivered?",
            "SendNotification",
            "RecordDeferred",
            "DeliveryDeferred"
        ]
    );

    // The record is acknowledged, not hidden for redelivery: the queue and
    // its DLQ end empty.
    let depth = eventually("the queue and the DLQ empty", || async {
        let (_, list) = api(&local, reqwest::Method::GET, "/api/dlq", None).await;
        let depth = list["depth"].clone();
        (depth == json!({"visible": 0, "in_flight": 0, "dead": 0})).then_some(depth)
    })
    .await;
    assert_eq!(depth["dead"], 0);
    assert_eq!(stub.received().len(), 1, "the quota is not retried");
    assert_eq!(
        table.get(&id).await.expect("readable").map(|m| m.status),
        Some(Status::Deferred),
        "nothing took the message up while it waits"
    );

    // A day passes: the wait is counted from the deferral, so dating it two
    // days back makes it due, as the day's turn would.
    let back_dated = StatusChange::new(
        id.clone(),
        &[Status::Deferred],
        Status::Deferred,
        Utc::now() - TimeDelta::days(2),
    );
    table.transition(&back_dated).await.expect("back-dated");
    let report = reconcile(&local).await;
    assert_eq!(report["republished"], 1, "{report}");

    let done = settled(&local, id.as_str()).await;
    assert_eq!(done.status, Status::Completed, "{:?}", done.error_message);
    let received = stub.received();
    assert_eq!(received.len(), 2, "the deferral's publish and the delivery");
    assert_eq!(
        received.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 200]
    );
    assert_eq!(received[1].body["message"], "after the reset");
}
