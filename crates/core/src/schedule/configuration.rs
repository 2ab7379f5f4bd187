//! The deployment's own schedule in the store, so the API lists it beside
//! the schedules people define.

use super::Schedule;
use crate::ports::{ScheduleStore, ScheduleStoreError};

/// Stores the deployment's own schedule as `schedule` says it now: a new
/// record, or the stored one replaced when its configuration changed (it
/// keeps its creation date). Nothing is written when it is as stored, so
/// every start of a process (each Lambda container) may call it. Another
/// process storing it at the same moment is not an error.
///
/// # Errors
/// [`ScheduleStoreError::Unavailable`], [`ScheduleStoreError::Corrupt`].
pub async fn show_configuration_schedule(
    store: &dyn ScheduleStore,
    schedule: &Schedule,
) -> Result<(), ScheduleStoreError> {
    let written = match store.get_schedule(&schedule.id).await? {
        None => store.create_schedule(schedule).await,
        Some(stored) if same_configuration(&stored, schedule) => Ok(()),
        Some(stored) => {
            let changed = Schedule {
                created_date: stored.created_date,
                ..schedule.clone()
            };
            store.replace_schedule(&changed, stored.updated_date).await
        }
    };
    match written {
        Err(ScheduleStoreError::AlreadyExists(_) | ScheduleStoreError::Changed(_)) | Ok(()) => {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn same_configuration(stored: &Schedule, now: &Schedule) -> bool {
    stored.name == now.name
        && stored.expression == now.expression
        && stored.timezone == now.timezone
        && stored.notification == now.notification
        && stored.state == now.state
        && stored.owner == now.owner
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryScheduleStore;
    use chrono::{DateTime, Duration, Utc};

    fn daily(expression: &str, since: DateTime<Utc>) -> Schedule {
        Schedule::configuration(&expression.parse().unwrap(), "Daily", since)
    }

    #[tokio::test]
    async fn it_is_stored_once_and_replaced_only_when_its_configuration_changes() {
        let store = MemoryScheduleStore::default();
        let first = Utc::now();
        show_configuration_schedule(&store, &daily("cron(0 12 * * ? *)", first))
            .await
            .unwrap();
        let stored = store.get_schedule(&daily("rate(1 day)", first).id).await;
        let stored = stored.unwrap().unwrap();

        // The next start, same configuration: nothing changes.
        let later = first + Duration::hours(1);
        show_configuration_schedule(&store, &daily("cron(0 12 * * ? *)", later))
            .await
            .unwrap();
        let again = store.get_schedule(&stored.id).await.unwrap().unwrap();
        assert_eq!(again, stored);

        // A new expression: replaced, first created date kept.
        show_configuration_schedule(&store, &daily("cron(0 8 * * ? *)", later))
            .await
            .unwrap();
        let changed = store.get_schedule(&stored.id).await.unwrap().unwrap();
        assert_eq!(changed.expression, "cron(0 8 * * ? *)");
        assert_eq!(changed.created_date, first);
        assert_eq!(changed.updated_date, later);
    }
}
