//! The cut-over copy: a table of the Go system (keyed on `id` alone) copied
//! into rez-agent's, then read back the way the API reads it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use chrono::{DateTime, Duration, Utc};
use rez_aws::cutover::{
    CopyOptions, LegacyTable, Report, SkipReason, UNFINISHED_REASON, legacy_message_id,
};
use rez_core::ports::{ListQuery, MessageStore, MetricsWindow};
use rez_core::{Message, MessageType, Stage, Status};

use crate::helpers::{TestResult, TestTable, new_store, sdk_config, unique};

type Item = HashMap<String, AttributeValue>;

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// A date as the Go system wrote it: RFC 3339, whole seconds.
fn go_date(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The time of the copies, in whole seconds.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap()
}

/// One Go item, last changed two seconds after its creation.
fn go_item(
    id: &str,
    created: DateTime<Utc>,
    kind: &str,
    status: &str,
    payload: Option<AttributeValue>,
) -> Item {
    let mut item: Item = [
        ("id", s(id)),
        ("version", s("1.0")),
        ("created_date", s(&go_date(created))),
        ("created_by", s("go-scheduler")),
        ("stage", s("prod")),
        ("message_type", s(kind)),
        ("status", s(status)),
        (
            "arguments",
            AttributeValue::M([("origin".to_owned(), s("go"))].into()),
        ),
        ("updated_date", s(&go_date(created + Duration::seconds(2)))),
        ("retry_count", AttributeValue::N("0".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(payload) = payload {
        item.insert("payload".to_owned(), payload);
    }
    item
}

fn text_and_title(message: &str, title: &str) -> AttributeValue {
    AttributeValue::M(
        [
            ("message".to_owned(), s(message)),
            ("title".to_owned(), s(title)),
        ]
        .into(),
    )
}

/// An old-style table keyed on `id` alone, holding `items`.
async fn old_table(items: &[Item]) -> Result<(LegacyTable, TestTable), Box<dyn std::error::Error>> {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config());
    let name = unique("rez-agent-messages-prod-go");
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()?,
        )
        .send()
        .await?;
    for item in items {
        client
            .put_item()
            .table_name(&name)
            .set_item(Some(item.clone()))
            .send()
            .await?;
    }
    Ok((
        LegacyTable::new(client.clone(), &name),
        TestTable { client, name },
    ))
}

/// How many items a table holds (messages and counters alike).
async fn count(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    let output = client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await?;
    Ok(output.items().len())
}

fn ids(messages: &[Message]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m.arguments["legacy_id"].as_str().unwrap_or_default())
        .collect()
}

fn skipped_ids(report: &Report, reason: SkipReason) -> Vec<&str> {
    report.skipped.get(&reason).map_or_else(Vec::new, |items| {
        items.iter().map(|i| i.legacy_id.as_str()).collect()
    })
}

#[tokio::test]
async fn cutover_copies_go_messages_once_as_a_user_would_see_them() -> TestResult {
    let now = now();
    let day = |d: i64| now - Duration::days(d);
    let items = [
        go_item(
            "msg_done",
            day(3),
            "manual",
            "completed",
            Some(text_and_title("Deploy finished", "CI")),
        ),
        go_item(
            "msg_failed",
            day(2),
            "hello_world",
            "failed",
            Some(s("Hello, world!")),
        ),
        go_item(
            "msg_inflight",
            day(1),
            "manual",
            "processing",
            Some(text_and_title("Still going", "Job")),
        ),
        go_item(
            "msg_action",
            day(1),
            "web_action",
            "completed",
            Some(text_and_title("GET /weather", "Action")),
        ),
        go_item("msg_broken", day(1), "manual", "completed", None),
        go_item(
            "msg_ancient",
            day(200),
            "manual",
            "completed",
            Some(s("From long ago")),
        ),
    ];
    let (old, go) = old_table(&items).await?;
    let (store, ours) = new_store(Stage::Prod).await;
    let mut options = CopyOptions::new(Stage::Prod, now);
    // Several Scan pages for six items.
    options.page_size = 2;

    // A dry run reports the copy and writes nothing.
    options.dry_run = true;
    let dry = old.copy_into(&store, &options).await?;
    assert!(dry.dry_run);
    assert_eq!((dry.scanned, dry.copied, dry.already_present), (6, 3, 0));
    assert_eq!(dry.closed_unfinished, ["msg_inflight"]);
    assert_eq!(
        count(&ours.client, &ours.name).await?,
        0,
        "a dry run writes nothing"
    );

    // The copy.
    options.dry_run = false;
    let report = old.copy_into(&store, &options).await?;
    assert_eq!(
        (report.scanned, report.copied, report.already_present),
        (6, 3, 0)
    );
    assert_eq!(report.closed_unfinished, ["msg_inflight"]);
    assert_eq!(skipped_ids(&report, SkipReason::WebAction), ["msg_action"]);
    assert_eq!(skipped_ids(&report, SkipReason::Malformed), ["msg_broken"]);
    assert_eq!(skipped_ids(&report, SkipReason::Expired), ["msg_ancient"]);
    let broken = &report.skipped[&SkipReason::Malformed][0];
    assert!(
        broken.detail.contains("payload is missing"),
        "{}",
        broken.detail
    );

    // Each message under its new id, as the API shows it.
    let done = store
        .get(&legacy_message_id("msg_done", day(3))?)
        .await?
        .ok_or("msg_done was not copied")?;
    assert_eq!(done.payload.message, "Deploy finished");
    assert_eq!(done.payload.title.as_deref(), Some("CI"));
    assert_eq!(done.status, Status::Completed);
    assert_eq!(done.message_type, MessageType::Notification);
    assert_eq!(done.created_date, day(3));
    assert_eq!(done.delivered_at, Some(day(3) + Duration::seconds(2)));
    assert_eq!(done.created_by, "go-scheduler");
    assert_eq!(done.arguments["legacy_id"], "msg_done");
    assert_eq!(done.arguments["origin"], "go");
    assert_eq!(done.error_message, None);

    let failed = store
        .get(&legacy_message_id("msg_failed", day(2))?)
        .await?
        .ok_or("msg_failed was not copied")?;
    assert_eq!(failed.payload.message, "Hello, world!");
    assert_eq!(failed.payload.title, None);
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(failed.message_type, MessageType::Scheduled);
    assert_eq!(failed.delivered_at, None);
    assert!(failed.error_message.is_some());

    let inflight = store
        .get(&legacy_message_id("msg_inflight", day(1))?)
        .await?
        .ok_or("msg_inflight was not copied")?;
    assert_eq!(inflight.status, Status::Failed);
    assert_eq!(inflight.error_message.as_deref(), Some(UNFINISHED_REASON));
    assert_eq!(inflight.updated_date, now);

    // The lists, newest first, and the metrics count the copies.
    let all = store
        .list(&ListQuery {
            limit: 10,
            ..ListQuery::default()
        })
        .await?;
    assert_eq!(ids(&all.items), ["msg_inflight", "msg_failed", "msg_done"]);
    let failures = store
        .list(&ListQuery {
            status: Some(Status::Failed),
            limit: 10,
            ..ListQuery::default()
        })
        .await?;
    assert_eq!(ids(&failures.items), ["msg_inflight", "msg_failed"]);
    let metrics = store.metrics(MetricsWindow::ending(now)).await?;
    assert_eq!(metrics.total, 3);
    assert_eq!(metrics.by_status.get("completed"), Some(&1));
    assert_eq!(metrics.by_status.get("failed"), Some(&2));
    assert_eq!(metrics.by_message_type.get("scheduled"), Some(&1));

    // A second run copies nothing twice, and changes nothing; a dry run
    // now finds everything present.
    let written = count(&ours.client, &ours.name).await?;
    options.dry_run = true;
    let dry = old.copy_into(&store, &options).await?;
    assert_eq!((dry.copied, dry.already_present), (0, 3));
    options.dry_run = false;
    let again = old.copy_into(&store, &options).await?;
    assert_eq!((again.copied, again.already_present), (0, 3));
    assert!(again.closed_unfinished.is_empty());
    assert_eq!(again.skipped, report.skipped);
    assert_eq!(count(&ours.client, &ours.name).await?, written);
    assert_eq!(store.metrics(MetricsWindow::ending(now)).await?.total, 3);

    // Expired messages on request, kept for a retention from the copy.
    options.include_expired = true;
    let expired = old.copy_into(&store, &options).await?;
    assert_eq!((expired.copied, expired.already_present), (1, 3));
    assert_eq!(expired.skipped_count(SkipReason::Expired), 0);
    let ancient = store
        .get(&legacy_message_id("msg_ancient", day(200))?)
        .await?
        .ok_or("msg_ancient was not copied")?;
    assert_eq!(ancient.payload.message, "From long ago");
    assert_eq!(ancient.ttl, now.timestamp() + 90 * 24 * 3600);

    // The old table is as it was.
    assert_eq!(count(&go.client, &go.name).await?, 6);
    Ok(())
}
