//! The record-status task's errors and their States names.

use rez_core::ports::StoreError;
use rez_core::{FunctionError, error_names};

/// Why the final status could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The store failed, or the delivered message no longer exists.
    #[error("recording the delivery failed: {0}")]
    Store(#[from] StoreError),
}

impl From<RecordError> for FunctionError {
    fn from(e: RecordError) -> Self {
        let name = match &e {
            RecordError::Store(StoreError::NotFound(_)) => error_names::MESSAGE_NOT_FOUND,
            RecordError::Store(StoreError::Corrupt(_)) => error_names::MESSAGE_INVALID,
            RecordError::Store(_) => error_names::STORE_UNAVAILABLE,
        };
        FunctionError::new(name, e.to_string())
    }
}
