//! The schedule store port: where the schedules people define live.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Cursor;
use crate::schedule::{Schedule, ScheduleId};

/// The filter fingerprint of a schedule list's cursor: the list has no filters.
pub const SCHEDULE_LIST_FILTERS: &str = "schedules";

/// Why a schedule store refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleStoreError {
    /// No schedule has this id.
    #[error("schedule {0} not found")]
    NotFound(ScheduleId),
    /// A schedule with this id exists already.
    #[error("schedule {0} already exists")]
    AlreadyExists(ScheduleId),
    /// The schedule changed (or went) since it was read: read it again.
    #[error("schedule {0} changed since it was read")]
    Changed(ScheduleId),
    /// The store cannot be reached or cannot write.
    #[error("the schedule store is unavailable: {0}")]
    Unavailable(String),
    /// A stored schedule could not be read back.
    #[error("a stored schedule is corrupt: {0}")]
    Corrupt(String),
}

impl From<crate::StoreError> for ScheduleStoreError {
    /// A failure of the storage a schedule store shares with the message
    /// store: a record that does not read back stays `Corrupt`, anything
    /// else is `Unavailable`.
    fn from(error: crate::StoreError) -> Self {
        match error {
            crate::StoreError::Corrupt(why) => ScheduleStoreError::Corrupt(why),
            other => ScheduleStoreError::Unavailable(other.to_string()),
        }
    }
}

/// One page of the schedule list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleQuery {
    /// Where the page starts: after this schedule.
    pub cursor: Option<Cursor>,
    /// Page size, 1–[`MAX_LIST_LIMIT`](crate::ports::MAX_LIST_LIMIT).
    pub limit: u32,
}

/// Schedules, newest first, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchedulePage {
    /// The schedules of this page.
    pub items: Vec<Schedule>,
    /// The cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// Where schedules live.
#[async_trait::async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Stores a new schedule.
    ///
    /// # Errors
    /// [`ScheduleStoreError::AlreadyExists`], [`ScheduleStoreError::Unavailable`].
    async fn create_schedule(&self, schedule: &Schedule) -> Result<(), ScheduleStoreError>;

    /// Reads one schedule.
    ///
    /// # Errors
    /// [`ScheduleStoreError::Unavailable`], [`ScheduleStoreError::Corrupt`].
    async fn get_schedule(&self, id: &ScheduleId) -> Result<Option<Schedule>, ScheduleStoreError>;

    /// Lists schedules newest first (by `created_date`, then id).
    ///
    /// # Errors
    /// [`ScheduleStoreError::Unavailable`], [`ScheduleStoreError::Corrupt`].
    async fn list_schedules(
        &self,
        query: &ScheduleQuery,
    ) -> Result<SchedulePage, ScheduleStoreError>;

    /// Replaces a schedule that is still as it was read: its stored
    /// `updated_date` is `read_updated`.
    ///
    /// # Errors
    /// [`ScheduleStoreError::Changed`] when it changed or went since,
    /// [`ScheduleStoreError::Unavailable`].
    async fn replace_schedule(
        &self,
        schedule: &Schedule,
        read_updated: DateTime<Utc>,
    ) -> Result<(), ScheduleStoreError>;

    /// Deletes a schedule.
    ///
    /// # Errors
    /// [`ScheduleStoreError::NotFound`], [`ScheduleStoreError::Unavailable`].
    async fn delete_schedule(&self, id: &ScheduleId) -> Result<(), ScheduleStoreError>;
}

/// Why a schedule could not be made to fire as stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the scheduler is unavailable: {0}")]
pub struct ScheduleRunnerError(pub String);

/// What makes stored schedules fire: EventBridge Scheduler on AWS, the
/// embedded stack's schedules loop locally. The API tells it of every
/// change after the store has it.
#[async_trait::async_trait]
pub trait ScheduleRunner: Send + Sync {
    /// `schedule` was stored new or changed: from now on it fires as it says
    /// (or not at all while disabled).
    ///
    /// # Errors
    /// [`ScheduleRunnerError`]: the change does not fire yet.
    async fn schedule_changed(&self, schedule: &Schedule) -> Result<(), ScheduleRunnerError>;

    /// Schedule `id` was deleted: it fires no more.
    ///
    /// # Errors
    /// [`ScheduleRunnerError`]: it may still fire.
    async fn schedule_deleted(&self, id: &ScheduleId) -> Result<(), ScheduleRunnerError>;
}

/// The cursor that continues a list after `last`.
pub fn schedule_cursor(last: &Schedule) -> String {
    Cursor {
        created_date: crate::time::format(last.created_date),
        id: last.id.to_string(),
        filters: SCHEDULE_LIST_FILTERS.to_owned(),
    }
    .encode()
}
