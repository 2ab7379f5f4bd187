//! Shared test data: a database in a temporary directory and fully populated messages.

use chrono::{DateTime, TimeZone, Utc};
use rez_core::{Message, MessageType, Notification, Priority, Stage, Status};
use tempfile::TempDir;

use crate::Database;

/// What every test returns, so it can use `?`.
pub(super) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A new database file in its own temporary directory (kept alive by the `TempDir`).
pub(super) fn temp_db() -> Result<(TempDir, Database), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = Database::open(&dir.path().join("rez.db"))?;
    Ok((dir, db))
}

/// A fixed instant, whole microseconds (the precision stores keep).
pub(super) fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .single()
        .unwrap_or_default()
        + chrono::Duration::seconds(seconds)
}

/// A message created at `created` with only the required fields set.
pub(super) fn message(
    created: DateTime<Utc>,
    stage: Stage,
    status: Status,
    kind: MessageType,
) -> Message {
    let mut m = Message::new(created, "api", stage, kind, Notification::text("hello"));
    m.status = status;
    m
}

/// A message with every optional field set to something distinctive.
pub(super) fn full_message(created: DateTime<Utc>) -> Message {
    let mut m = Message::new(
        created + chrono::Duration::microseconds(123_456),
        "scheduler",
        Stage::Prod,
        MessageType::Scheduled,
        Notification {
            title: Some("Daily \"digest\" ☕".into()),
            message: "line one\nline two — ünïcode".into(),
            priority: Some(Priority::High),
            tags: vec!["warning".into(), "skull".into()],
            click: Some("https://example.com/a?b=c".into()),
            markdown: true,
            icon: Some("https://example.com/icon.png".into()),
        },
    );
    m.status = Status::Completed;
    m.arguments = serde_json::json!({"n": 1, "nested": {"list": [1, "two", null]}})
        .as_object()
        .cloned()
        .unwrap_or_default();
    m.updated_date = created + chrono::Duration::seconds(5);
    m.error_message = Some("retried after a 429".into());
    m.retry_count = 2;
    m.delivery_attempts = 3;
    m.execution_id = Some("arn:aws:states:local:000000000000:execution:notification:x".into());
    m.delivered_at = Some(created + chrono::Duration::milliseconds(4_321));
    m.ntfy_message_id = Some("sPs71M8A2T".into());
    m
}
