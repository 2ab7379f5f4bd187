use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::{MessageType, Stage, Status, ValidationError};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap()
}

fn request(body: serde_json::Value) -> CreateScheduleRequest {
    serde_json::from_value(body).unwrap()
}

fn create(body: serde_json::Value) -> Result<Schedule, ValidationError> {
    request(body).into_schedule(now(), Stage::Dev)
}

fn standup() -> serde_json::Value {
    json!({
        "name": "stand-up",
        "expression": "cron(0 8 ? * mon-fri *)",
        "timezone": "Europe/Berlin",
        "notification": {"title": "Stand-up", "message": "in 5 minutes", "tags": ["calendar"]}
    })
}

fn field_of(body: serde_json::Value) -> (String, String) {
    let error = create(body).expect_err("refused");
    (error.field, error.message)
}

#[test]
fn a_valid_request_becomes_an_enabled_schedule_with_its_next_five_fire_times() {
    let schedule = create(standup()).unwrap();
    assert_eq!(schedule.expression, "cron(0 8 ? * MON-FRI *)", "canonical");
    assert_eq!(schedule.timezone, "Europe/Berlin");
    assert_eq!(schedule.state, ScheduleState::Enabled);
    assert_eq!(schedule.owner, ScheduleOwner::Api);
    assert_eq!(schedule.created_date, now());
    let fires: Vec<String> = schedule
        .next_fire_times(now())
        .iter()
        .map(|t| t.to_rfc3339())
        .collect();
    // Monday 7 December 2026, 09:00 UTC is 10:00 in Berlin: the next is Tuesday.
    assert_eq!(
        fires,
        [
            "2026-12-08T07:00:00+00:00",
            "2026-12-09T07:00:00+00:00",
            "2026-12-10T07:00:00+00:00",
            "2026-12-11T07:00:00+00:00",
            "2026-12-14T07:00:00+00:00",
        ]
    );
}

#[test]
fn the_zone_defaults_to_utc_and_a_disabled_schedule_shows_no_fire_times() {
    let schedule = create(json!({
        "name": "rent",
        "expression": "cron(0 9 1 * ? *)",
        "notification": {"message": "pay the rent"},
        "state": "DISABLED"
    }))
    .unwrap();
    assert_eq!(schedule.timezone, "UTC");
    assert!(schedule.next_fire_times(now()).is_empty());
}

#[test]
fn each_missing_or_bad_field_is_named_with_what_is_wrong() {
    let with = |key: &str, value: serde_json::Value| {
        let mut body = standup();
        body[key] = value;
        field_of(body)
    };
    let without = |key: &str| {
        let mut body = standup();
        body.as_object_mut().unwrap().remove(key);
        field_of(body)
    };
    assert_eq!(without("name").0, "name");
    assert_eq!(without("expression").0, "expression");
    assert_eq!(without("notification").0, "notification");
    assert_eq!(with("name", json!("  ")).0, "name");
    assert_eq!(with("name", json!("x".repeat(129))).0, "name");

    let (field, message) = with("expression", json!("cron(0 8 * * *)"));
    assert_eq!(field, "expression");
    assert!(message.contains("6 fields"), "{message}");
    let (_, message) = with("expression", json!("cron(0 8 * * * *)"));
    assert!(
        message.contains("exactly one of the two must be '?'"),
        "{message}"
    );
    let (_, message) = with("expression", json!("rate(0 minutes)"));
    assert!(message.contains("from 1"), "{message}");

    let (field, message) = with("timezone", json!("Europe/Atlantis"));
    assert_eq!(field, "timezone");
    assert!(message.contains("IANA"), "{message}");

    let mut ends_first = standup();
    ends_first["start_date"] = json!("2027-01-01T00:00:00Z");
    ends_first["end_date"] = json!("2026-12-31T00:00:00Z");
    assert_eq!(field_of(ends_first).0, "end_date");
}

#[test]
fn an_at_time_must_come_and_must_exist_in_its_zone() {
    let at = |expression: &str, zone: &str| {
        let mut body = standup();
        body["expression"] = json!(expression);
        body["timezone"] = json!(zone);
        create(body)
    };
    let past = at("at(2026-12-07T08:59:00)", "UTC").expect_err("past");
    assert_eq!(past.field, "expression");
    assert!(past.message.contains("never fire"), "{}", past.message);
    let skipped = at("at(2027-03-14T02:30:00)", "America/New_York").expect_err("skipped");
    assert!(
        skipped.message.contains("does not exist"),
        "{}",
        skipped.message
    );
    let train = at("at(2026-12-07T17:30:00)", "Europe/Berlin").unwrap();
    assert_eq!(
        train.next_fire_times(now()),
        [Utc.with_ymd_and_hms(2026, 12, 7, 16, 30, 0).unwrap()]
    );
}

#[test]
fn the_notification_is_checked_as_post_api_messages_checks_it() {
    let notification = |value: serde_json::Value| {
        let mut body = standup();
        body["notification"] = value;
        field_of(body)
    };
    assert_eq!(
        notification(json!({"title": "no body"})).0,
        "notification.message"
    );
    assert_eq!(
        notification(json!({"message": "x", "click": "ftp://example.com"})).0,
        "notification.click"
    );
    assert_eq!(
        notification(json!({"message": "x", "message_type": "notification"})).0,
        "notification.message_type"
    );
    assert_eq!(
        notification(json!({"message": "x", "arguments": {"schedule_id": "mine"}})).0,
        "notification.arguments.schedule_id"
    );
}

#[test]
fn a_fire_makes_a_scheduled_message_naming_its_schedule_and_time() {
    let schedule = create(standup()).unwrap();
    let fire = Utc.with_ymd_and_hms(2026, 12, 8, 7, 0, 0).unwrap();
    let message = schedule.message_for(fire, Stage::Prod).unwrap();
    assert_eq!(message.message_type, MessageType::Scheduled);
    assert_eq!(message.status, Status::Created);
    assert_eq!(message.created_date, fire);
    assert_eq!(message.created_by, "scheduler");
    assert_eq!(message.stage, Stage::Prod);
    assert_eq!(message.payload.title.as_deref(), Some("Stand-up"));
    assert_eq!(message.payload.message, "in 5 minutes");
    assert_eq!(message.arguments["schedule_id"], schedule.id.as_str());
    assert_eq!(
        message.arguments["scheduled_time"],
        "2026-12-08T07:00:00.000000Z"
    );
}

#[test]
fn an_update_changes_what_it_names_and_keeps_the_rest() {
    let schedule = create(json!({
        "name": "water the plants",
        "expression": "rate(3 days)",
        "end_date": "2027-06-01T00:00:00Z",
        "notification": {"message": "water them"}
    }))
    .unwrap();
    let later = now() + chrono::Duration::hours(5);
    let update = |body: serde_json::Value| {
        serde_json::from_value::<UpdateScheduleRequest>(body)
            .unwrap()
            .apply(&schedule, later, Stage::Dev)
    };

    let paused = update(json!({"state": "DISABLED"})).unwrap();
    assert_eq!(paused.state, ScheduleState::Disabled);
    assert_eq!(
        (paused.id.clone(), paused.created_date),
        (schedule.id.clone(), now())
    );
    assert_eq!(paused.updated_date, later);
    assert!(paused.next_fire_times(later).is_empty());

    // A rate keeps counting from when the schedule was made.
    let renamed = update(json!({"name": "plants"})).unwrap();
    assert_eq!(renamed.name, "plants");
    assert_eq!(renamed.start_date, None);
    assert_eq!(
        renamed.next_fire_times(later)[0],
        now() + chrono::Duration::days(3)
    );
    assert_eq!(update(json!({"end_date": null})).unwrap().end_date, None);
    assert_eq!(
        update(json!({"expression": "rate(1 days)"}))
            .expect_err("bad")
            .field,
        "expression"
    );
}

#[tokio::test]
async fn the_memory_store_keeps_the_schedule_store_contract() {
    conformance::check_schedule_store(&crate::memory::MemoryScheduleStore::new()).await;
}
