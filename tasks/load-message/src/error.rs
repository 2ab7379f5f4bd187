//! The LoadMessage task's errors and their States names.

use rez_core::ports::StoreError;
use rez_core::{FunctionError, MessageId, error_names};

/// Why a message could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadMessageError {
    /// No stored message has this id (permanent).
    #[error("message {0} does not exist")]
    NotFound(MessageId),
    /// Another execution holds a live claim on the message and delivers it.
    #[error("message {id} is being delivered by execution {owner} (claimed until {until})")]
    Claimed {
        /// The message.
        id: MessageId,
        /// The execution that holds the claim.
        owner: String,
        /// When the claim runs out.
        until: chrono::DateTime<chrono::Utc>,
    },
    /// Another execution changed the message between our read and write.
    #[error("message {0} was changed by another execution")]
    Conflict(MessageId),
    /// The store failed (transient).
    #[error("the message store failed: {0}")]
    Store(StoreError),
}

impl From<StoreError> for LoadMessageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(id) => LoadMessageError::NotFound(id),
            StoreError::Conflict { id, .. } => LoadMessageError::Conflict(id),
            other => LoadMessageError::Store(other),
        }
    }
}

impl LoadMessageError {
    /// The States error name this failure raises.
    pub fn error_name(&self) -> &'static str {
        match self {
            LoadMessageError::NotFound(_) => error_names::MESSAGE_NOT_FOUND,
            LoadMessageError::Claimed { .. } => error_names::MESSAGE_CLAIMED,
            LoadMessageError::Conflict(_) => error_names::MESSAGE_CONFLICT,
            LoadMessageError::Store(StoreError::Corrupt(_)) => error_names::MESSAGE_INVALID,
            LoadMessageError::Store(_) => error_names::STORE_UNAVAILABLE,
        }
    }
}

impl From<LoadMessageError> for FunctionError {
    fn from(e: LoadMessageError) -> Self {
        FunctionError::new(e.error_name(), e.to_string())
    }
}
