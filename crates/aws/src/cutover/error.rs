//! Why a copy stopped before the end of the old table.

use rez_core::{MessageId, StoreError};

use super::report::Report;

/// A copy stopped: the old table could not be read, or the new one could
/// not be written. Items are never the cause (a bad item is skipped and
/// reported); running the copy again resumes safely, since what was copied
/// is found again and left as it is.
#[derive(Debug, thiserror::Error)]
pub enum CutoverError {
    /// A Scan page of the old table could not be read.
    #[error("reading the old table {table} failed: {reason}; run the copy again to resume")]
    Scan {
        /// The old table.
        table: String,
        /// The SDK's error, on one line.
        reason: String,
        /// What the copy had done until then.
        report: Box<Report>,
    },
    /// A message could not be written to (or, in a dry run, looked up in)
    /// the new table.
    #[error("copying {legacy_id} as {id} failed: {source}; run the copy again to resume")]
    Store {
        /// The message's id in the old table.
        legacy_id: String,
        /// Its id in the new table.
        id: MessageId,
        /// What the store said.
        source: StoreError,
        /// What the copy had done until then.
        report: Box<Report>,
    },
}

impl CutoverError {
    /// What the copy had done before it stopped.
    pub fn report(&self) -> &Report {
        match self {
            CutoverError::Scan { report, .. } | CutoverError::Store { report, .. } => report,
        }
    }
}
