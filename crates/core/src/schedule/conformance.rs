//! What every [`ScheduleStore`] must do, as one check that each store's
//! tests run on a fresh, empty store (the memory store here, SQLite in
//! `rez-local`, DynamoDB through moto in `rez-aws`). Test support: it panics
//! on the first difference.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use super::{CreateScheduleRequest, Schedule, ScheduleOwner, ScheduleState};
use crate::ports::{ScheduleQuery, ScheduleStore, ScheduleStoreError};
use crate::{Cursor, Stage};

/// A schedule made `minutes` after a fixed time, with every field set.
fn schedule(minutes: i64) -> Schedule {
    let made: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::minutes(minutes);
    let request: CreateScheduleRequest = serde_json::from_value(json!({
        "name": format!("schedule {minutes} — émoji 🔔"),
        "expression": "cron(0 8 ? * MON-FRI *)",
        "timezone": "Europe/Berlin",
        "start_date": "2026-12-08T00:00:00.123456Z",
        "end_date": "2027-12-08T00:00:00Z",
        "state": "DISABLED",
        "notification": {
            "title": "Stand-up", "message": "in 5 minutes", "priority": "high",
            "tags": ["calendar", "bell"], "click": "https://example.com/meet",
            "markdown": true, "arguments": {"room": 4}
        }
    }))
    .unwrap_or_default();
    match request.into_schedule(made, Stage::Dev) {
        Ok(schedule) => schedule,
        Err(e) => panic!("the conformance schedule is invalid: {e}"),
    }
}

async fn get(store: &dyn ScheduleStore, s: &Schedule) -> Option<Schedule> {
    store
        .get_schedule(&s.id)
        .await
        .unwrap_or_else(|e| panic!("get: {e}"))
}

/// Runs every check on `store`, which must be empty.
pub async fn check_schedule_store(store: &dyn ScheduleStore) {
    // A schedule reads back as it was stored, every field.
    let first = schedule(0);
    store
        .create_schedule(&first)
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    assert_eq!(get(store, &first).await.as_ref(), Some(&first), "read back");
    assert_eq!(
        store.create_schedule(&first).await,
        Err(ScheduleStoreError::AlreadyExists(first.id.clone())),
        "a second create of the same id"
    );

    // The list: newest first, each exactly once across pages.
    let mut made = vec![first.clone()];
    for minutes in 1..5 {
        let s = schedule(minutes);
        store
            .create_schedule(&s)
            .await
            .unwrap_or_else(|e| panic!("create: {e}"));
        made.push(s);
    }
    made.reverse();
    let mut listed = Vec::new();
    let mut cursor: Option<Cursor> = None;
    for _ in 0..10 {
        let page = store
            .list_schedules(&ScheduleQuery {
                cursor: cursor.take(),
                limit: 2,
            })
            .await
            .unwrap_or_else(|e| panic!("list: {e}"));
        assert!(page.items.len() <= 2, "a page holds at most its limit");
        listed.extend(page.items);
        match page.next_cursor {
            Some(next) => {
                cursor = Some(
                    Cursor::decode(&next, crate::ports::SCHEDULE_LIST_FILTERS)
                        .unwrap_or_else(|e| panic!("cursor: {e}")),
                );
            }
            None => break,
        }
    }
    assert_eq!(listed, made, "newest first, every schedule once");

    // A replace keeps only what was read last.
    let mut changed = first.clone();
    changed.name = "renamed".into();
    changed.state = ScheduleState::Enabled;
    changed.end_date = None;
    changed.updated_date = first.updated_date + Duration::seconds(1);
    store
        .replace_schedule(&changed, first.updated_date)
        .await
        .unwrap_or_else(|e| panic!("replace: {e}"));
    assert_eq!(
        get(store, &first).await.as_ref(),
        Some(&changed),
        "replaced"
    );
    assert_eq!(
        store.replace_schedule(&first, first.updated_date).await,
        Err(ScheduleStoreError::Changed(first.id.clone())),
        "a replace from a stale read"
    );
    assert_eq!(changed.owner, ScheduleOwner::Api);

    // A delete removes it; a second finds nothing, and a replace then fails.
    store
        .delete_schedule(&first.id)
        .await
        .unwrap_or_else(|e| panic!("delete: {e}"));
    assert_eq!(get(store, &first).await, None, "deleted");
    assert_eq!(
        store.delete_schedule(&first.id).await,
        Err(ScheduleStoreError::NotFound(first.id.clone()))
    );
    assert_eq!(
        store.replace_schedule(&changed, changed.updated_date).await,
        Err(ScheduleStoreError::Changed(first.id.clone())),
        "a replace of a deleted schedule"
    );
}
