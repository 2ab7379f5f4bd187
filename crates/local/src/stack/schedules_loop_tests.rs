//! The local firing of defined schedules: what is due when, and passes over
//! a real database that make each fire's message once.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rez_core::memory::MemoryPublisher;
use rez_core::ports::MessageStore;
use rez_core::ports::{ListQuery, ScheduleStore};
use rez_core::schedule::{CreateScheduleRequest, Schedule};
use rez_core::{Message, Stage, StoreThenPublish};
use rez_schedule::{Timing, time_zone};
use serde_json::json;

use super::schedules_loop::{CATCH_UP_WINDOW, ScheduleFiring, due};
use rez_sqlite::{Database, SqliteStore};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0)
        .single()
        .unwrap_or_default()
}

fn timing(expression: &str, start: DateTime<Utc>) -> Timing {
    Timing::new(
        expression.parse().unwrap(),
        time_zone("UTC").unwrap(),
        start,
        None,
    )
    .unwrap()
}

#[test]
fn the_next_fire_is_due_at_its_time_and_not_before() {
    let every_minute = timing("rate(1 minute)", at(8, 0));
    let before = due(&every_minute, at(8, 0), at(8, 0) + TimeDelta::seconds(59));
    assert_eq!((before.fire, before.next), (None, Some(at(8, 1))));
    let on_time = due(&every_minute, at(8, 0), at(8, 1));
    assert_eq!(
        (on_time.fire, on_time.next),
        (Some(at(8, 1)), Some(at(8, 2)))
    );
    assert!(!on_time.missed);
}

#[test]
fn a_clock_behind_the_last_fire_waits_for_the_fire_after_it() {
    let every_minute = timing("rate(1 minute)", at(8, 0));
    let behind = due(&every_minute, at(8, 5), at(8, 2));
    assert_eq!((behind.fire, behind.next), (None, Some(at(8, 6))));
}

#[test]
fn after_a_stop_the_latest_missed_fire_is_made_once_if_it_is_young_enough() {
    // Down from 08:00 to 08:10: ten fires missed, the latest (08:10) made once.
    let every_minute = timing("rate(1 minute)", at(7, 0));
    let back = due(&every_minute, at(8, 0), at(8, 10) + TimeDelta::seconds(5));
    assert_eq!((back.fire, back.missed), (Some(at(8, 10)), false));

    // A daily 08:00 reminder, back at 09:30: older than the window, not made.
    let daily = timing("cron(0 8 * * ? *)", at(0, 0));
    let late = due(&daily, at(7, 0), at(9, 30));
    assert_eq!((late.fire, late.missed), (None, true));
    // Back at 08:10: within the window, made.
    let soon = due(
        &daily,
        at(7, 0),
        at(8, 0) + CATCH_UP_WINDOW - TimeDelta::minutes(5),
    );
    assert_eq!((soon.fire, soon.missed), (Some(at(8, 0)), false));
}

/// A schedule store and a message store on one fresh database.
async fn firing() -> (tempfile::TempDir, ScheduleFiring, Arc<MemoryPublisher>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("rez.db")).unwrap());
    let publisher = Arc::new(MemoryPublisher::new());
    let firing = ScheduleFiring {
        schedules: store.clone(),
        submitter: Arc::new(StoreThenPublish::new(Arc::new(store), publisher.clone())),
        stage: Stage::Dev,
    };
    (dir, firing, publisher)
}

async fn add(firing: &ScheduleFiring, expression: &str, made: DateTime<Utc>) -> Schedule {
    let request: CreateScheduleRequest = serde_json::from_value(json!({
        "name": "test", "expression": expression, "notification": {"message": "hello"}
    }))
    .unwrap();
    let schedule = request.into_schedule(made, Stage::Dev).unwrap();
    firing.schedules.create_schedule(&schedule).await.unwrap();
    schedule
}

async fn messages(firing: &ScheduleFiring) -> Vec<Message> {
    let mut page = firing
        .schedules
        .list(&ListQuery {
            limit: 100,
            ..ListQuery::default()
        })
        .await
        .unwrap()
        .items;
    page.reverse();
    page
}

#[tokio::test]
async fn each_fire_makes_one_scheduled_message_and_a_repeated_pass_makes_none() {
    let (_dir, firing, publisher) = firing().await;
    let schedule = add(&firing, "rate(1 minute)", at(8, 0)).await;

    let first = firing.pass(at(8, 0)).await;
    assert_eq!(first.next, Some(at(8, 1)));
    firing.pass(at(8, 0) + TimeDelta::seconds(30)).await;
    firing.pass(at(8, 1)).await;
    let made = messages(&firing).await;
    let times: Vec<&serde_json::Value> = made
        .iter()
        .map(|m| &m.arguments["scheduled_time"])
        .collect();
    assert_eq!(
        times,
        ["2026-12-07T08:00:00.000000Z", "2026-12-07T08:01:00.000000Z"],
        "one message a fire"
    );
    assert!(
        made.iter()
            .all(|m| m.arguments["schedule_id"] == schedule.id.as_str())
    );
    assert_eq!(publisher.events().len(), 2);
}

#[tokio::test]
async fn a_fire_made_but_not_recorded_is_not_made_twice() {
    let (dir, firing, _) = firing().await;
    let schedule = add(&firing, "rate(5 minutes)", at(8, 0)).await;
    firing.pass(at(8, 0)).await;
    let recorded = firing.schedules.enabled_schedules().await.unwrap();
    assert_eq!(recorded[0].1, Some(at(8, 0)), "the fire is recorded");
    // As if the process died after the message and before the record.
    rusqlite::Connection::open(dir.path().join("rez.db"))
        .unwrap()
        .execute(
            "UPDATE schedules SET last_fire = NULL WHERE id = ?1",
            [schedule.id.as_str()],
        )
        .unwrap();
    firing.pass(at(8, 0) + TimeDelta::seconds(10)).await;
    assert_eq!(
        messages(&firing).await.len(),
        1,
        "the fire key made it one message"
    );
}

#[tokio::test]
async fn a_one_time_schedule_fires_once_and_deletes_itself() {
    let (_dir, firing, _) = firing().await;
    let schedule = add(&firing, "at(2026-12-07T08:30:00)", at(8, 0)).await;
    assert_eq!(firing.pass(at(8, 0)).await.next, Some(at(8, 30)));
    firing.pass(at(8, 30)).await;
    assert_eq!(messages(&firing).await.len(), 1);
    assert_eq!(
        firing.schedules.get_schedule(&schedule.id).await.unwrap(),
        None
    );
    assert_eq!(firing.pass(at(8, 31)).await.next, None);
}

#[tokio::test]
async fn a_paused_schedule_does_not_fire_and_does_not_catch_up_when_resumed() {
    let (_dir, firing, _) = firing().await;
    let schedule = add(&firing, "rate(1 minute)", at(8, 0)).await;
    firing.pass(at(8, 0)).await;
    let mut paused = schedule.clone();
    paused.state = rez_core::schedule::ScheduleState::Disabled;
    paused.updated_date = at(8, 0) + TimeDelta::seconds(10);
    firing
        .schedules
        .replace_schedule(&paused, schedule.updated_date)
        .await
        .unwrap();
    firing.pass(at(8, 5)).await;
    let mut resumed = paused.clone();
    resumed.state = rez_core::schedule::ScheduleState::Enabled;
    resumed.updated_date = at(8, 5) + TimeDelta::seconds(30);
    firing
        .schedules
        .replace_schedule(&resumed, paused.updated_date)
        .await
        .unwrap();
    firing.pass(at(8, 5) + TimeDelta::seconds(40)).await;
    assert_eq!(
        messages(&firing).await.len(),
        1,
        "nothing while paused, nothing caught up"
    );
    firing.pass(at(8, 6)).await;
    assert_eq!(
        messages(&firing).await.len(),
        2,
        "fires again from the next time"
    );
}
