//! How one run of the copy goes.

use chrono::{DateTime, Utc};
use rez_core::Stage;

/// The Scan page size when none is given: small enough that a page's
/// writes (one transaction each) finish well within a minute.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// How one run of the copy goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    /// The stage both tables hold. An old item without a `stage` is taken
    /// to be of this stage; one of another stage is skipped.
    pub stage: Stage,
    /// Write nothing; report what a copy would write (it still reads the
    /// new table to tell what is already there).
    pub dry_run: bool,
    /// Copy messages older than rez-agent's retention too. They expire
    /// [`RETENTION_DAYS`](rez_core::message::RETENTION_DAYS) after
    /// [`CopyOptions::now`] instead of after their creation, which has
    /// passed (DynamoDB would delete them within a day or two).
    pub include_expired: bool,
    /// The time of the copy: what is expired is judged against it, and it
    /// is the `updated_date` of the messages closed as failed.
    pub now: DateTime<Utc>,
    /// Items per Scan page of the old table (at least 1).
    pub page_size: u32,
}

impl CopyOptions {
    /// A copy of `stage` at `now` that writes, skips expired messages and
    /// reads pages of [`DEFAULT_PAGE_SIZE`].
    pub fn new(stage: Stage, now: DateTime<Utc>) -> Self {
        Self {
            stage,
            dry_run: false,
            include_expired: false,
            now,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}
