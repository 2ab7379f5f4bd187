//! The failure every task function reports: a States error name and a message.

use serde::{Deserialize, Serialize};

/// A task function's failure as Lambda reports it: `errorType` becomes the
/// States error name that Retry/Catch match; `errorMessage` the cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{error_type}: {error_message}")]
pub struct TaskFailure {
    /// A stable name from [`crate::error_names`].
    #[serde(rename = "errorType")]
    pub error_type: String,
    /// What happened, for people.
    #[serde(rename = "errorMessage")]
    pub error_message: String,
}

impl TaskFailure {
    /// A failure named `error_type` with `error_message`.
    pub fn new(error_type: &str, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.to_owned(),
            error_message: error_message.into(),
        }
    }

    /// The Cause text Step Functions records for a Lambda failure: the JSON
    /// of `{"errorType", "errorMessage"}`.
    pub fn to_cause(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| self.error_message.clone())
    }

    /// Reads a Cause back: the Lambda JSON envelope when it is one, else the
    /// text as the message.
    pub fn from_cause(error_type: &str, cause: &str) -> Self {
        serde_json::from_str::<TaskFailure>(cause)
            .unwrap_or_else(|_| TaskFailure::new(error_type, cause))
    }
}
