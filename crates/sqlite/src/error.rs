//! The errors of the SQLite layer, and how SQLite's errors map onto the store's.

use std::path::PathBuf;

use rez_core::StoreError;
use rusqlite::ErrorCode;

/// Why the database file could not be opened or prepared.
///
/// Every variant names the file; the message is one line.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The file could not be opened or created.
    #[error("cannot open database {}: {reason}; check the path and its permissions", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite or the file system said.
        reason: String,
    },
    /// The file is damaged, truncated, or not an SQLite database at all.
    #[error("database {} is corrupt or not an SQLite database ({reason}); it was left untouched: move it aside or restore a backup", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What the integrity check found.
        reason: String,
    },
    /// A valid SQLite database that belongs to another program.
    #[error("database {} is not a rez-agent database ({reason}); it was left untouched: choose another path", path.display())]
    Foreign {
        /// The database file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// The file was written by a newer rez-agent.
    #[error("database {} has schema version {found}, newer than the {supported} this rez-agent knows; upgrade rez-agent", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// A statement failed while preparing the file (pragmas, migrations).
    #[error("cannot prepare database {}: {reason}", path.display())]
    Setup {
        /// The database file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

/// What can go wrong in the local queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The database cannot be read or written (disk full, read-only, locked, I/O).
    #[error("the local queue is unavailable: {0}")]
    Unavailable(String),
    /// A stored queue row could not be read back.
    #[error("a queued message is corrupt: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for QueueError {
    fn from(e: rusqlite::Error) -> Self {
        match classify(&e) {
            Kind::Corrupt => QueueError::Corrupt(describe(&e)),
            Kind::Unavailable => QueueError::Unavailable(describe(&e)),
        }
    }
}

/// Maps an SQLite error onto the store port's error: what the caller can act on.
pub(crate) fn store_error(e: rusqlite::Error) -> StoreError {
    match classify(&e) {
        Kind::Corrupt => StoreError::Corrupt(describe(&e)),
        Kind::Unavailable => StoreError::Unavailable(describe(&e)),
    }
}

/// The failure of the blocking task itself (a panic inside the closure).
pub(crate) fn task_failed(e: &tokio::task::JoinError) -> String {
    one_line(&format!("the database task failed: {e}"))
}

enum Kind {
    Unavailable,
    Corrupt,
}

fn classify(e: &rusqlite::Error) -> Kind {
    use rusqlite::Error as E;
    match e {
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::InvalidColumnType(..)
        | E::Utf8Error(..) => Kind::Corrupt,
        _ => match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Kind::Corrupt,
            _ => Kind::Unavailable,
        },
    }
}

/// A one-line description of an SQLite error, with what to do where there is something to do.
pub(crate) fn describe(e: &rusqlite::Error) -> String {
    let hint = match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => Some("the disk is full: free some space and retry"),
        Some(ErrorCode::ReadOnly) => {
            Some("the database is read-only: check the file's and directory's permissions")
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Some("the database is locked by another process: stop it or retry")
        }
        Some(ErrorCode::SystemIoFailure) => Some("a disk I/O error occurred: check the disk"),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            Some("the database file cannot be opened: check its permissions")
        }
        _ => None,
    };
    match hint {
        Some(hint) => one_line(&format!("{hint} ({e})")),
        None => one_line(&e.to_string()),
    }
}

/// Joins the lines of `text` so an error message stays on one line.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Errors that can report the failure of the blocking task itself.
pub(crate) trait BlockingFailure {
    /// The error for a blocking task that panicked or was cancelled.
    fn task_failed(reason: String) -> Self;
}

impl BlockingFailure for StoreError {
    fn task_failed(reason: String) -> Self {
        rez_core::StoreError::Unavailable(reason)
    }
}

impl BlockingFailure for QueueError {
    fn task_failed(reason: String) -> Self {
        QueueError::Unavailable(reason)
    }
}
