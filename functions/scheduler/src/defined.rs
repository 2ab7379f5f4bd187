//! A fire of a schedule people define: EventBridge Scheduler invokes the
//! function with the schedule's id and the fire time; the schedule's
//! notification is read from the store at that moment, so the fire sends
//! the schedule as the API last stored it.
//!
//! The fire is idempotent: its key is the schedule's id and the fire time
//! ([`Schedule::fire_key`](rez_core::schedule::Schedule::fire_key)), so Scheduler's and Lambda's retries make one
//! message. A schedule deleted or paused since Scheduler took the fire makes
//! none. An `at(…)` schedule is deleted from the store once its fire made
//! its message, as Scheduler deletes its own (`ActionAfterCompletion:
//! DELETE`) and as the embedded stack does.

use chrono::{DateTime, Utc};
use rez_core::ports::{ScheduleStore, ScheduleStoreError};
use rez_core::schedule::{ScheduleId, ScheduleState};
use rez_core::{SubmitError, Submitted};

use crate::{Deps, submit_fire};

/// What one fire of a defined schedule did.
#[derive(Debug)]
pub enum DefinedFire {
    /// The fire's message, made now or by an earlier attempt.
    Submitted(Box<Submitted>),
    /// No message: the schedule is gone, paused, or its notification no
    /// longer validates (the reason says which).
    Skipped(String),
}

/// Why a fire of a defined schedule failed; a retry may succeed.
#[derive(Debug, thiserror::Error)]
pub enum DefinedFireError {
    /// The schedule could not be read.
    #[error(transparent)]
    Schedules(#[from] ScheduleStoreError),
    /// Its message could not be stored or published.
    #[error(transparent)]
    Submit(#[from] SubmitError),
}

/// Makes the message of schedule `id`'s fire at `fire`.
///
/// # Errors
/// [`DefinedFireError`] when the schedule or its message could not be
/// read or written.
#[tracing::instrument(
    level = "error",
    skip_all,
    fields(schedule_id = %id, fire_time = %fire, message_id)
)]
pub async fn fire_defined(
    deps: &Deps,
    schedules: &dyn ScheduleStore,
    id: &ScheduleId,
    fire: DateTime<Utc>,
) -> Result<DefinedFire, DefinedFireError> {
    let Some(schedule) = schedules.get_schedule(id).await? else {
        tracing::info!("the schedule is gone: no message");
        return Ok(DefinedFire::Skipped(format!("schedule {id} is gone")));
    };
    if schedule.state == ScheduleState::Disabled {
        tracing::info!("the schedule is paused: no message");
        return Ok(DefinedFire::Skipped(format!("schedule {id} is paused")));
    }
    let message = match schedule.message_for(fire, deps.stage) {
        Ok(message) => message,
        Err(e) => {
            tracing::error!(error = %e, "the schedule's notification no longer validates");
            return Ok(DefinedFire::Skipped(format!(
                "schedule {id}'s notification no longer validates: {e}"
            )));
        }
    };
    let submitted = submit_fire(deps, &message, &schedule.fire_key(fire)).await?;
    if schedule.is_one_time() {
        match schedules.delete_schedule(id).await {
            Ok(()) | Err(ScheduleStoreError::NotFound(_)) => {}
            // The message is made; the schedule stays listed, with no fire
            // time ahead, until it is deleted.
            Err(e) => tracing::warn!(error = %e, "the fired one-time schedule was not deleted"),
        }
    }
    Ok(DefinedFire::Submitted(Box::new(submitted)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rez_core::memory::{MemoryPublisher, MemoryScheduleStore, MemoryStore};
    use rez_core::ports::{ListQuery, MessageStore};
    use rez_core::schedule::{CreateScheduleRequest, Schedule};
    use rez_core::{MessageType, Stage};
    use serde_json::json;
    use std::sync::Arc;

    fn deps() -> (Deps, Arc<MemoryStore>, Arc<MemoryPublisher>) {
        let store = Arc::new(MemoryStore::new());
        let publisher = Arc::new(MemoryPublisher::new());
        let deps = Deps {
            submitter: Arc::new(rez_core::StoreThenPublish::new(
                store.clone(),
                publisher.clone(),
            )),
            store: store.clone(),
            publisher: publisher.clone(),
            stage: Stage::Dev,
            title: "Daily".into(),
            metrics: Arc::new(rez_core::ports::NoMetrics),
            dead_letters: None,
            schedules: None,
        };
        (deps, store, publisher)
    }

    async fn stored(expression: &str) -> (MemoryScheduleStore, Schedule) {
        let request: CreateScheduleRequest = serde_json::from_value(json!({
            "name": "stand-up",
            "expression": expression,
            "notification": {"title": "Stand-up", "message": "in 5 minutes", "tags": ["bell"]}
        }))
        .unwrap();
        let schedule = request.into_schedule(Utc::now(), Stage::Dev).unwrap();
        let schedules = MemoryScheduleStore::default();
        schedules.create_schedule(&schedule).await.unwrap();
        (schedules, schedule)
    }

    #[tokio::test]
    async fn a_fire_delivered_twice_makes_one_scheduled_message_with_the_schedule_s_notification() {
        let (deps, store, publisher) = deps();
        let (schedules, schedule) = stored("rate(1 minute)").await;
        let fire: DateTime<Utc> = "2026-12-07T12:00:00Z".parse().unwrap();
        let first = fire_defined(&deps, &schedules, &schedule.id, fire)
            .await
            .unwrap();
        let second = fire_defined(&deps, &schedules, &schedule.id, fire)
            .await
            .unwrap();
        let (DefinedFire::Submitted(first), DefinedFire::Submitted(second)) = (first, second)
        else {
            panic!("both fires submit");
        };
        assert!(matches!(*first, Submitted::Accepted(_)));
        assert!(matches!(*second, Submitted::Replayed(_)));
        let listed = store
            .list(&ListQuery {
                limit: 50,
                ..ListQuery::default()
            })
            .await
            .unwrap()
            .items;
        assert_eq!(listed.len(), 1);
        let message = &listed[0];
        assert_eq!(message.message_type, MessageType::Scheduled);
        assert_eq!(message.payload.title.as_deref(), Some("Stand-up"));
        assert_eq!(
            message.arguments["schedule_id"],
            json!(schedule.id.as_str())
        );
        assert_eq!(publisher.events().len(), 1);
        // A recurring schedule stays.
        assert!(
            schedules
                .get_schedule(&schedule.id)
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn a_one_time_schedule_is_deleted_once_it_fired() {
        let (deps, _, _) = deps();
        let at = (Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S");
        let (schedules, schedule) = stored(&format!("at({at})")).await;
        let fired = fire_defined(&deps, &schedules, &schedule.id, Utc::now())
            .await
            .unwrap();
        assert!(matches!(fired, DefinedFire::Submitted(_)), "{fired:?}");
        assert_eq!(schedules.get_schedule(&schedule.id).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_gone_or_paused_schedule_makes_no_message() {
        let (deps, store, _) = deps();
        let (schedules, mut schedule) = stored("rate(1 minute)").await;
        let old = schedule.updated_date;
        schedule.state = ScheduleState::Disabled;
        schedule.updated_date = Utc::now();
        schedules.replace_schedule(&schedule, old).await.unwrap();
        let paused = fire_defined(&deps, &schedules, &schedule.id, Utc::now())
            .await
            .unwrap();
        assert!(matches!(paused, DefinedFire::Skipped(_)), "{paused:?}");
        schedules.delete_schedule(&schedule.id).await.unwrap();
        let gone = fire_defined(&deps, &schedules, &schedule.id, Utc::now())
            .await
            .unwrap();
        assert!(matches!(gone, DefinedFire::Skipped(_)), "{gone:?}");
        assert!(
            store
                .list(&ListQuery {
                    limit: 50,
                    ..ListQuery::default()
                })
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
}
