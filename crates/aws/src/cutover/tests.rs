//! How old items convert: the mapping of `legacy.rs`, case by case.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use rez_core::{MessageType, Priority, Stage, Status};

use super::legacy::{Converted, convert};
use super::{
    CopyOptions, LEGACY_CREATED_BY, LEGACY_FAILED_REASON, SkipReason, UNFINISHED_REASON,
    legacy_message_id,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn map(fields: &[(&str, AttributeValue)]) -> AttributeValue {
    AttributeValue::M(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// A completed `manual` message of the Go system, as its table holds it.
fn item() -> HashMap<String, AttributeValue> {
    [
        ("id", s("msg_20260215120000_123456")),
        ("version", s("1.0")),
        ("created_date", s("2026-02-15T12:00:00Z")),
        ("created_by", s("web")),
        ("stage", s("prod")),
        ("message_type", s("manual")),
        ("status", s("completed")),
        (
            "payload",
            map(&[("message", s("Hello")), ("title", s("Greeting"))]),
        ),
        ("arguments", map(&[("source", s("frontend"))])),
        ("updated_date", s("2026-02-15T12:00:03Z")),
        ("retry_count", AttributeValue::N("1".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Attributes to set (`Some`) or remove (`None`) on [`item`].
type Changes<'a> = &'a [(&'a str, Option<AttributeValue>)];

fn with(changes: Changes<'_>) -> HashMap<String, AttributeValue> {
    let mut item = item();
    for (name, value) in changes {
        match value {
            Some(v) => item.insert((*name).to_owned(), v.clone()),
            None => item.remove(*name),
        };
    }
    item
}

fn options() -> CopyOptions {
    CopyOptions::new(Stage::Prod, now())
}

fn converted(item: &HashMap<String, AttributeValue>) -> Converted {
    convert(item, &options()).unwrap()
}

#[test]
fn a_completed_message_keeps_what_a_user_saw() {
    let Converted {
        legacy_id,
        message: m,
        unfinished,
    } = converted(&item());
    let created = Utc.with_ymd_and_hms(2026, 2, 15, 12, 0, 0).unwrap();
    let updated = created + chrono::Duration::seconds(3);
    assert_eq!(legacy_id, "msg_20260215120000_123456");
    assert_eq!(m.id, legacy_message_id(&legacy_id, created).unwrap());
    assert_eq!(m.created_date, created);
    assert_eq!(m.updated_date, updated);
    assert_eq!(m.delivered_at, Some(updated));
    assert_eq!(m.status, Status::Completed);
    assert_eq!(m.message_type, MessageType::Notification);
    assert_eq!(m.stage, Stage::Prod);
    assert_eq!(m.created_by, "web");
    assert_eq!(m.payload.message, "Hello");
    assert_eq!(m.payload.title.as_deref(), Some("Greeting"));
    assert_eq!(m.arguments["legacy_id"], "msg_20260215120000_123456");
    assert_eq!(m.arguments["source"], "frontend");
    assert_eq!(m.retry_count, 1);
    assert_eq!(m.error_message, None);
    assert_eq!(m.ttl, created.timestamp() + 90 * 24 * 3600);
    assert!(!unfinished);
}

#[test]
fn old_types_map_to_ours_and_the_rest_are_skipped() {
    let cases = [
        ("hello_world", Ok(MessageType::Scheduled)),
        ("scheduled", Ok(MessageType::Scheduled)),
        ("manual", Ok(MessageType::Notification)),
        ("notification", Ok(MessageType::Notification)),
        ("web_action", Err(SkipReason::WebAction)),
        ("weather", Err(SkipReason::UnknownType)),
    ];
    for (old, expected) in cases {
        let got = convert(&with(&[("message_type", Some(s(old)))]), &options())
            .map(|c| c.message.message_type)
            .map_err(|skipped| skipped.reason);
        assert_eq!(got, expected, "{old}");
    }
}

#[test]
fn statuses_map_so_that_nothing_copied_is_delivered_again() {
    let cases = [
        ("completed", Status::Completed, None, false),
        ("failed", Status::Failed, Some(LEGACY_FAILED_REASON), false),
        ("created", Status::Failed, Some(UNFINISHED_REASON), true),
        ("queued", Status::Failed, Some(UNFINISHED_REASON), true),
        ("processing", Status::Failed, Some(UNFINISHED_REASON), true),
    ];
    for (old, status, reason, unfinished) in cases {
        let c = converted(&with(&[("status", Some(s(old)))]));
        assert_eq!(c.message.status, status, "{old}");
        assert_eq!(c.message.error_message.as_deref(), reason, "{old}");
        assert_eq!(c.unfinished, unfinished, "{old}");
        let changed = if unfinished {
            now()
        } else {
            c.message.created_date + chrono::Duration::seconds(3)
        };
        assert_eq!(c.message.updated_date, changed, "{old}");
    }
    let failed = converted(&with(&[
        ("status", Some(s("failed"))),
        ("error_message", Some(s("ntfy answered 500"))),
    ]));
    assert_eq!(
        failed.message.error_message.as_deref(),
        Some("ntfy answered 500")
    );
    assert_eq!(failed.message.delivered_at, None);
}

#[test]
fn a_payload_may_be_plain_text_or_a_map_of_ntfy_fields() {
    let text = converted(&with(&[("payload", Some(s("just text")))]));
    assert_eq!(text.message.payload.message, "just text");
    assert_eq!(text.message.payload.title, None);
    let full = converted(&with(&[(
        "payload",
        Some(map(&[
            ("message", s("Body")),
            ("title", s("")),
            ("priority", AttributeValue::N("4".into())),
            ("tags", AttributeValue::L(vec![s("a"), s("b")])),
            ("markdown", AttributeValue::Bool(true)),
            ("click", s("https://example.com")),
            ("topic", s("ignored")),
        ])),
    )]));
    let p = full.message.payload;
    assert_eq!(p.message, "Body");
    assert_eq!(p.title, None, "an empty title is no title");
    assert_eq!(p.priority, Some(Priority::High));
    assert_eq!(p.tags, ["a", "b"]);
    assert!(p.markdown);
    assert_eq!(p.click.as_deref(), Some("https://example.com"));
    let named = converted(&with(&[(
        "payload",
        Some(map(&[
            ("message", s("Body")),
            ("priority", s("urgent")),
            ("tags", AttributeValue::Ss(vec!["x".into()])),
        ])),
    )]));
    assert_eq!(named.message.payload.priority, Some(Priority::Urgent));
    assert_eq!(named.message.payload.tags, ["x"]);
}

#[test]
fn absent_optional_fields_take_defaults() {
    let c = converted(&with(&[
        ("created_by", None),
        ("stage", None),
        ("arguments", None),
        ("updated_date", None),
        ("retry_count", None),
    ]));
    assert_eq!(c.message.created_by, LEGACY_CREATED_BY);
    assert_eq!(c.message.stage, Stage::Prod);
    assert_eq!(c.message.arguments.len(), 1, "only legacy_id");
    assert_eq!(c.message.updated_date, c.message.created_date);
    assert_eq!(c.message.retry_count, 0);
}

#[test]
fn malformed_items_are_skipped_with_their_id_and_the_fault() {
    let cases: [(Changes<'_>, &str); 9] = [
        (&[("created_date", None)], "created_date is missing"),
        (
            &[("created_date", Some(s("15/01/2024")))],
            "not an RFC 3339 date",
        ),
        (&[("status", Some(s("lost")))], "status 'lost'"),
        (&[("status", None)], "status is missing"),
        (&[("payload", None)], "payload is missing"),
        (
            &[("payload", Some(map(&[("title", s("t"))])))],
            "payload.message is missing",
        ),
        (&[("payload", Some(s("  ")))], "no message text"),
        (&[("retry_count", Some(s("many")))], "retry_count"),
        (&[("stage", Some(s("qa")))], "unknown stage 'qa'"),
    ];
    for (changes, fault) in cases {
        let skipped = convert(&with(changes), &options()).unwrap_err();
        assert_eq!(skipped.reason, SkipReason::Malformed, "{fault}");
        assert_eq!(skipped.legacy_id, "msg_20260215120000_123456");
        assert!(
            skipped.detail.contains(fault),
            "{}: {fault}",
            skipped.detail
        );
    }
    let no_id = convert(&with(&[("id", None)]), &options()).unwrap_err();
    assert_eq!(
        (no_id.reason, no_id.legacy_id.as_str()),
        (SkipReason::Malformed, "<no id>")
    );
}

#[test]
fn another_stage_is_skipped() {
    let skipped = convert(&with(&[("stage", Some(s("dev")))]), &options()).unwrap_err();
    assert_eq!(skipped.reason, SkipReason::OtherStage);
}

#[test]
fn messages_past_retention_are_skipped_unless_included_and_then_kept_from_now() {
    let old = with(&[("created_date", Some(s("2025-11-01T08:00:00Z")))]);
    let skipped = convert(&old, &options()).unwrap_err();
    assert_eq!(skipped.reason, SkipReason::Expired);
    let mut include = options();
    include.include_expired = true;
    let kept = convert(&old, &include).unwrap();
    assert_eq!(kept.message.ttl, now().timestamp() + 90 * 24 * 3600);
    let young = converted(&item());
    assert_eq!(
        young.message.ttl,
        young.message.created_date.timestamp() + 90 * 24 * 3600
    );
}

#[test]
fn fractions_of_a_second_are_kept_to_the_microsecond() {
    let c = converted(&with(&[(
        "created_date",
        Some(s("2026-02-15T13:00:00.123456789+01:00")),
    )]));
    assert_eq!(
        rez_core::time::format(c.message.created_date),
        "2026-02-15T12:00:00.123456Z"
    );
}
