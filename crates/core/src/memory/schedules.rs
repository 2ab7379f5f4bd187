//! An in-memory [`ScheduleStore`]: the reference behaviour of the port.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::ports::{
    SchedulePage, ScheduleQuery, ScheduleStore, ScheduleStoreError, schedule_cursor,
};
use crate::schedule::{Schedule, ScheduleId};

/// Schedules in a map, listed and changed as the real stores do.
#[derive(Debug, Default)]
pub struct MemoryScheduleStore {
    schedules: Mutex<HashMap<ScheduleId, Schedule>>,
}

impl MemoryScheduleStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<ScheduleId, Schedule>>, ScheduleStoreError> {
        self.schedules
            .lock()
            .map_err(|_| ScheduleStoreError::Unavailable("memory store lock poisoned".into()))
    }
}

/// The sort key of the list: newest first.
fn order_key(s: &Schedule) -> (String, String) {
    (crate::time::format(s.created_date), s.id.to_string())
}

#[async_trait::async_trait]
impl ScheduleStore for MemoryScheduleStore {
    async fn create_schedule(&self, schedule: &Schedule) -> Result<(), ScheduleStoreError> {
        let mut schedules = self.lock()?;
        if schedules.contains_key(&schedule.id) {
            return Err(ScheduleStoreError::AlreadyExists(schedule.id.clone()));
        }
        schedules.insert(schedule.id.clone(), schedule.clone());
        Ok(())
    }

    async fn get_schedule(&self, id: &ScheduleId) -> Result<Option<Schedule>, ScheduleStoreError> {
        Ok(self.lock()?.get(id).cloned())
    }

    async fn list_schedules(
        &self,
        query: &ScheduleQuery,
    ) -> Result<SchedulePage, ScheduleStoreError> {
        let mut items: Vec<Schedule> = self.lock()?.values().cloned().collect();
        items.sort_by_key(|s| std::cmp::Reverse(order_key(s)));
        if let Some(cursor) = &query.cursor {
            let after = (cursor.created_date.clone(), cursor.id.clone());
            items.retain(|s| order_key(s) < after);
        }
        let more = items.len() > query.limit as usize;
        items.truncate(query.limit as usize);
        let next_cursor = items.last().filter(|_| more).map(schedule_cursor);
        Ok(SchedulePage { items, next_cursor })
    }

    async fn replace_schedule(
        &self,
        schedule: &Schedule,
        read_updated: DateTime<Utc>,
    ) -> Result<(), ScheduleStoreError> {
        let mut schedules = self.lock()?;
        match schedules.get_mut(&schedule.id) {
            Some(stored) if stored.updated_date == read_updated => {
                *stored = schedule.clone();
                Ok(())
            }
            _ => Err(ScheduleStoreError::Changed(schedule.id.clone())),
        }
    }

    async fn delete_schedule(&self, id: &ScheduleId) -> Result<(), ScheduleStoreError> {
        self.lock()?
            .remove(id)
            .map(drop)
            .ok_or_else(|| ScheduleStoreError::NotFound(id.clone()))
    }
}
