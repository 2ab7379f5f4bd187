//! Request shapes, pinned through the real client against a replay script.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::TimeZone;
use rez_core::ports::{Created, ListQuery, MessageStore, MetricsWindow, StatusChange};
use rez_core::{
    Cursor, IdempotencyKey, Message, MessageType, Notification, Stage, Status, StoreError,
};
use serde_json::{Value, json};

use std::time::Duration;

use backon::BackoffBuilder;

use super::DynamoMessageStore;
use super::items::{Item, message_to_item};
use super::store::{MAX_WRITE_ATTEMPTS, WRITE_BACKOFF};
use crate::test_support::{replay, requests};

const TABLE: &str = "rez-agent-messages-dev";

fn message() -> Message {
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .unwrap();
    Message::new(
        at,
        "api",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hi"),
    )
}

/// DynamoDB's JSON for an attribute value.
fn wire(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(wire).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": wire_item(m) }),
        other => panic!("not used here: {other:?}"),
    }
}

fn wire_item(item: &Item) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), wire(v))).collect())
}

fn store(
    responses: &[(u16, &str)],
) -> (
    DynamoMessageStore,
    aws_smithy_http_client::test_util::StaticReplayClient,
) {
    let (config, http) = replay("http://127.0.0.1:8000", responses);
    (
        DynamoMessageStore::new(aws_sdk_dynamodb::Client::new(&config), TABLE, Stage::Dev),
        http,
    )
}

#[tokio::test]
async fn create_is_one_transaction_of_message_key_and_counters() {
    let m = message();
    let (store, http) = store(&[(200, "{}"), (200, "{}")]);
    assert_eq!(
        store
            .create(&m, Some(&IdempotencyKey::Client("k1".into())))
            .await
            .unwrap(),
        Created::New(m.clone())
    );
    let sent = requests(&http);
    assert_eq!(sent[0].target, "DynamoDB_20120810.GetItem");
    assert_eq!(
        sent[0].json()["Key"]["id"],
        json!({"S": "idempotency#k1"}),
        "the key's item from before namespaces is read first"
    );
    assert_eq!(sent[0].json()["ConsistentRead"], true);
    assert_eq!(sent[1].target, "DynamoDB_20120810.TransactWriteItems");
    let items = sent[1].json()["TransactItems"].clone();
    assert_eq!(items[0]["Put"]["TableName"], TABLE);
    assert_eq!(
        items[0]["Put"]["ConditionExpression"],
        "attribute_not_exists(#id)"
    );
    assert_eq!(items[0]["Put"]["Item"]["status"], json!({"S": "created"}));
    assert_eq!(
        items[1]["Put"]["Item"]["id"],
        json!({"S": "idempotency-key#client:k1"})
    );
    assert!(items[1]["Put"]["Item"].get("status").is_none());
    assert!(
        items[2]["Update"]["UpdateExpression"]
            .as_str()
            .unwrap()
            .starts_with("ADD ")
    );
}

#[tokio::test]
async fn a_transition_is_conditional_on_the_read_status_through_an_alias() {
    let m = message();
    let found =
        json!({"Items": [wire_item(&message_to_item(&m).unwrap())], "Count": 1}).to_string();
    let (store, http) = store(&[(200, &found), (200, "{}")]);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created],
        Status::Queued,
        m.created_date,
    );
    assert_eq!(
        store.transition(&change).await.unwrap().status,
        Status::Queued
    );
    let sent = requests(&http);
    let get = sent[0].json();
    assert_eq!(sent[0].target, "DynamoDB_20120810.Query");
    assert_eq!(get["ConsistentRead"], true);
    assert_eq!(get["KeyConditionExpression"], "#id = :id");
    let put = sent[1].json()["TransactItems"][0]["Put"].clone();
    assert_eq!(
        put["ConditionExpression"],
        "#status = :old_status AND #updated = :old_updated"
    );
    assert_eq!(
        put["ExpressionAttributeNames"],
        json!({"#status": "status", "#updated": "updated_date"})
    );
    assert_eq!(
        put["ExpressionAttributeValues"][":old_status"],
        json!({"S": "created"})
    );
    assert_eq!(put["ReturnValuesOnConditionCheckFailure"], "ALL_OLD");
    assert_eq!(put["Item"]["status"], json!({"S": "queued"}));
}

#[tokio::test]
async fn a_failed_condition_reports_the_status_returned_with_it() {
    let m = message();
    let mut now = m.clone();
    now.status = Status::Processing;
    let found = json!({"Items": [wire_item(&message_to_item(&m).unwrap())]}).to_string();
    let cancelled = json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled",
        "CancellationReasons": [
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": wire_item(&message_to_item(&now).unwrap())},
            {"Code": "None"}
        ]
    })
    .to_string();
    let (store, _) = store(&[(200, &found), (400, &cancelled)]);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created],
        Status::Queued,
        m.created_date,
    );
    match store.transition(&change).await {
        Err(StoreError::Conflict { current, .. }) => assert_eq!(current, Status::Processing),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_status_list_queries_its_index_newest_first_from_the_cursor() {
    let (store, http) = store(&[(200, r#"{"Items": [], "Count": 0}"#)]);
    let m = message();
    let query = ListQuery {
        status: Some(Status::Failed),
        limit: 25,
        cursor: Some(Cursor {
            created_date: "2026-11-30T12:00:00.000000Z".into(),
            id: m.id.to_string(),
            filters: String::new(),
        }),
        ..ListQuery::default()
    };
    let page = store.list(&query).await.unwrap();
    assert_eq!((page.items.len(), page.next_cursor), (0, None));
    let sent = requests(&http);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].target, "DynamoDB_20120810.Query");
    let q = sent[0].json();
    assert_eq!(q["IndexName"], "status-created_date-index");
    assert_eq!(q["ScanIndexForward"], false);
    assert_eq!(q["Limit"], 26);
    assert_eq!(q["ExpressionAttributeNames"], json!({"#pk": "status"}));
    assert_eq!(
        q["ExclusiveStartKey"],
        json!({"id": {"S": m.id.to_string()}, "created_date": {"S": "2026-11-30T12:00:00.000000Z"}, "status": {"S": "failed"}})
    );
    assert!(q.get("FilterExpression").is_none());
}

#[tokio::test]
async fn throttling_is_unavailable() {
    let throttled = json!({
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "Rate of requests exceeds the allowed throughput."
    })
    .to_string();
    let (store, _) = store(&[(400, &throttled)]);
    match store.get(&message().id).await {
        Err(StoreError::Unavailable(why)) => {
            assert!(
                why.contains(TABLE) && why.contains("ProvisionedThroughputExceeded"),
                "{why}"
            );
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn metrics_query_each_counters_shard_from_the_windows_first_day() {
    let empty = r#"{"Items": [], "Count": 0}"#;
    let shards = super::metrics::COUNTER_SHARDS as usize;
    let (store, http) = store(&vec![(200, empty); shards]);
    let window = MetricsWindow::ending(chrono::Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap());
    assert_eq!(store.metrics(window).await.unwrap().total, 0);
    let sent = requests(&http);
    assert_eq!(sent.len(), shards);
    let mut ids: Vec<String> = sent
        .iter()
        .map(|r| {
            let body = r.json();
            assert_eq!(r.target, "DynamoDB_20120810.Query");
            assert_eq!(body["ConsistentRead"], true);
            assert_eq!(
                body["ExpressionAttributeValues"][":first_day"]["S"],
                "2026-11-08"
            );
            body["ExpressionAttributeValues"][":id"]["S"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["counters#0", "counters#1", "counters#2", "counters#3"]
    );
}

fn cancelled(reasons: Value) -> String {
    json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled",
        "CancellationReasons": reasons
    })
    .to_string()
}

#[tokio::test]
async fn a_create_that_meets_another_writer_tries_again_and_finds_the_keys_message() {
    let first = message();
    let second = message();
    let conflict = cancelled(json!([
        {"Code": "None"}, {"Code": "TransactionConflict"}, {"Code": "None"}
    ]));
    let key_taken = cancelled(json!([
        {"Code": "None"}, {"Code": "ConditionalCheckFailed"}, {"Code": "None"}
    ]));
    let pointer = json!({"Item": {
        "id": {"S": "idempotency#k"}, "created_date": {"S": "#"},
        "message_id": {"S": first.id.to_string()},
        "message_created_date": {"S": "2026-11-30T12:00:00.000000Z"}
    }})
    .to_string();
    let stored = json!({"Item": wire_item(&message_to_item(&first).unwrap())}).to_string();
    let (store, http) = store(&[
        (200, "{}"),
        (400, &conflict),
        (400, &key_taken),
        (200, &pointer),
        (200, &stored),
    ]);
    assert_eq!(
        store
            .create(&second, Some(&IdempotencyKey::Client("k".into())))
            .await
            .unwrap(),
        Created::Existing(first.clone())
    );
    let targets: Vec<String> = requests(&http).into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "DynamoDB_20120810.GetItem",
            "DynamoDB_20120810.TransactWriteItems",
            "DynamoDB_20120810.TransactWriteItems",
            "DynamoDB_20120810.GetItem",
            "DynamoDB_20120810.GetItem"
        ]
    );
}

#[tokio::test]
async fn a_fire_time_stored_before_namespaces_answers_with_its_message_and_writes_nothing() {
    let fire = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .unwrap();
    let mut scheduled = Message::new(
        fire,
        "scheduler",
        Stage::Dev,
        MessageType::Scheduled,
        Notification::text("daily"),
    );
    scheduled.arguments.insert(
        "scheduled_time".into(),
        json!("2026-11-30T12:00:00.000000Z"),
    );
    let pointer = json!({"Item": {
        "id": {"S": "idempotency#schedule:2026-11-30T12:00:00.000000Z"},
        "created_date": {"S": "#"},
        "message_id": {"S": scheduled.id.to_string()},
        "message_created_date": {"S": "2026-11-30T12:00:00.000000Z"}
    }})
    .to_string();
    let stored = json!({"Item": wire_item(&message_to_item(&scheduled).unwrap())}).to_string();
    let (store, http) = store(&[(200, &pointer), (200, &stored)]);
    let again = Message::new(
        fire,
        "scheduler",
        Stage::Dev,
        MessageType::Scheduled,
        Notification::text("daily"),
    );
    assert_eq!(
        store
            .create(&again, Some(&IdempotencyKey::Scheduler(fire)))
            .await
            .unwrap(),
        Created::Existing(scheduled.clone())
    );
    let sent = requests(&http);
    assert_eq!(
        sent.iter().map(|r| r.target.as_str()).collect::<Vec<_>>(),
        ["DynamoDB_20120810.GetItem", "DynamoDB_20120810.GetItem"]
    );
    assert_eq!(
        sent[0].json()["Key"]["id"],
        json!({"S": "idempotency#schedule:2026-11-30T12:00:00.000000Z"})
    );
}

#[tokio::test]
async fn a_transition_that_meets_another_writer_reads_again_and_judges_the_new_status() {
    let m = message();
    let mut taken = m.clone();
    taken.status = Status::Processing;
    let found =
        |m: &Message| json!({"Items": [wire_item(&message_to_item(m).unwrap())]}).to_string();
    let conflict = cancelled(json!([{"Code": "TransactionConflict"}, {"Code": "None"}]));
    let (store, http) = store(&[(200, &found(&m)), (400, &conflict), (200, &found(&taken))]);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created],
        Status::Processing,
        m.created_date,
    );
    match store.transition(&change).await {
        Err(StoreError::Conflict { current, .. }) => assert_eq!(current, Status::Processing),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(requests(&http).len(), 3);
}

#[tokio::test]
async fn a_message_gone_between_read_and_write_is_not_found() {
    let m = message();
    let found = json!({"Items": [wire_item(&message_to_item(&m).unwrap())]}).to_string();
    let gone = cancelled(json!([{"Code": "ConditionalCheckFailed"}, {"Code": "None"}]));
    let (store, _) = store(&[(200, &found), (400, &gone)]);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created],
        Status::Queued,
        m.created_date,
    );
    assert!(matches!(store.transition(&change).await, Err(StoreError::NotFound(id)) if id == m.id));
}

// Retries. The tests that could wait run on paused time, whose clock moves
// only when something sleeps (and then at once): none measures a wait; two
// check that nothing waited.

#[test]
fn a_write_waits_longer_before_each_attempt_with_one_wait_fewer_than_attempts() {
    let waits: Vec<Duration> = WRITE_BACKOFF.build().collect();
    assert_eq!(waits.len(), MAX_WRITE_ATTEMPTS - 1);
    for (k, wait) in waits.iter().enumerate() {
        // 5 ms doubling (320 ms at the seventh), plus jitter of up to as much
        // again; the jitter is an f32 product, hence the microsecond.
        let base = Duration::from_millis(5 << k);
        assert!(
            base <= *wait && *wait <= base * 2 + Duration::from_micros(1),
            "wait {k}: {wait:?}"
        );
    }
}

fn found(m: &Message) -> String {
    json!({"Items": [wire_item(&message_to_item(m).unwrap())]}).to_string()
}

fn targets(http: &aws_smithy_http_client::test_util::StaticReplayClient) -> Vec<String> {
    requests(http)
        .into_iter()
        .map(|r| r.target.trim_start_matches("DynamoDB_20120810.").to_owned())
        .collect()
}

fn assert_busy<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Unavailable(why)) => assert!(
            why.contains(&format!("gave up after {MAX_WRITE_ATTEMPTS} attempts")),
            "{why}"
        ),
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_that_keeps_meeting_other_writers_gives_up_after_its_attempts() {
    let conflict = cancelled(json!([{"Code": "TransactionConflict"}, {"Code": "None"}]));
    let (store, http) = store(&[(400, conflict.as_str()); MAX_WRITE_ATTEMPTS]);
    assert_busy(store.create(&message(), None).await);
    assert_eq!(
        targets(&http),
        vec!["TransactWriteItems"; MAX_WRITE_ATTEMPTS]
    );
}

#[tokio::test(start_paused = true)]
async fn a_transition_that_keeps_meeting_other_writers_reads_again_each_time_then_gives_up() {
    let m = message();
    let conflict = cancelled(json!([{"Code": "TransactionConflict"}, {"Code": "None"}]));
    let mut responses = vec![(200, found(&m))];
    for attempt in 1..=MAX_WRITE_ATTEMPTS {
        responses.push((400, conflict.clone()));
        if attempt < MAX_WRITE_ATTEMPTS {
            responses.push((200, found(&m)));
        }
    }
    let responses: Vec<(u16, &str)> = responses.iter().map(|(c, b)| (*c, b.as_str())).collect();
    let (store, http) = store(&responses);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created],
        Status::Queued,
        m.created_date,
    );
    assert_busy(store.transition(&change).await);
    let mut want = vec!["Query"];
    for _ in 1..MAX_WRITE_ATTEMPTS {
        want.extend(["TransactWriteItems", "Query"]);
    }
    want.push("TransactWriteItems");
    assert_eq!(targets(&http), want);
}

#[tokio::test(start_paused = true)]
async fn a_transition_whose_condition_failed_is_judged_again_at_once_on_the_returned_item() {
    let m = message();
    let mut moved = m.clone();
    moved.status = Status::Queued;
    moved.updated_date = m.updated_date + chrono::Duration::seconds(1);
    let changed = cancelled(json!([
        {"Code": "ConditionalCheckFailed", "Item": wire_item(&message_to_item(&moved).unwrap())},
        {"Code": "None"}
    ]));
    let (store, http) = store(&[(200, &found(&m)), (400, &changed), (200, "{}")]);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created, Status::Queued],
        Status::Processing,
        m.created_date,
    );
    let started = tokio::time::Instant::now();
    assert_eq!(
        store.transition(&change).await.unwrap().status,
        Status::Processing
    );
    // Paused time moves only when something sleeps: nothing waited.
    assert_eq!(started.elapsed(), Duration::ZERO);
    let sent = requests(&http);
    // No read between the two attempts.
    assert_eq!(
        targets(&http),
        ["Query", "TransactWriteItems", "TransactWriteItems"]
    );
    let put = sent[2].json()["TransactItems"][0]["Put"].clone();
    let moved_item = message_to_item(&moved).unwrap();
    assert_eq!(
        put["ExpressionAttributeValues"],
        json!({
            ":old_status": {"S": "queued"},
            ":old_updated": wire(&moved_item["updated_date"])
        })
    );
}

#[tokio::test(start_paused = true)]
async fn failed_conditions_spend_attempts_but_wait_for_nothing() {
    let m = message();
    let changed = cancelled(json!([
        {"Code": "ConditionalCheckFailed", "Item": wire_item(&message_to_item(&m).unwrap())},
        {"Code": "None"}
    ]));
    let mut responses = vec![(200, found(&m))];
    responses.extend(vec![(400, changed); MAX_WRITE_ATTEMPTS]);
    let responses: Vec<(u16, &str)> = responses.iter().map(|(c, b)| (*c, b.as_str())).collect();
    let (store, http) = store(&responses);
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Created],
        Status::Queued,
        m.created_date,
    );
    let started = tokio::time::Instant::now();
    assert_busy(store.transition(&change).await);
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(targets(&http).len(), 1 + MAX_WRITE_ATTEMPTS);
}
