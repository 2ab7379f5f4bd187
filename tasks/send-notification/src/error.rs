//! The SendNotification task's error: a classified ntfy failure and its attempt.

use rez_core::TaskFailure;
use rez_core::ports::NotifyError;

/// A publish that failed on attempt `attempts`.
#[derive(Debug, thiserror::Error)]
#[error("{}", rez_core::task::attempt_message(*attempts, error))]
pub struct SendError {
    /// Publishes tried in this execution, the failed one included.
    pub attempts: u32,
    /// What ntfy (or the network) did.
    pub error: NotifyError,
}

impl From<SendError> for TaskFailure {
    fn from(e: SendError) -> Self {
        TaskFailure::new(e.error.kind.error_name(), e.to_string())
    }
}
