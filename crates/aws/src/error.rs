//! The errors this crate adds to the ports' own: configuration and secrets,
//! plus how an SDK error becomes one line of text.

use std::error::Error as StdError;

use aws_smithy_types::error::display::DisplayErrorContext;

/// The environment does not describe a usable deployment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A required variable is unset or empty.
    #[error("environment variable {var} is required but not set")]
    Missing {
        /// The variable's name.
        var: &'static str,
    },
    /// A variable is set to a value we cannot use.
    #[error("environment variable {var} is invalid: {reason}")]
    Invalid {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with it (never the value of a secret).
        reason: String,
    },
}

/// A secret could not be read from SSM Parameter Store.
///
/// Messages name the parameter and what went wrong, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// The parameter does not exist (or this role may not see it).
    #[error("ssm parameter {name} does not exist: create it or fix the variable that names it")]
    NotFound {
        /// The parameter's name.
        name: String,
    },
    /// The parameter exists but could not be read or decrypted.
    #[error("ssm parameter {name} could not be read: {reason}")]
    Unreadable {
        /// The parameter's name (the names, comma-separated, when the one
        /// call that reads them all failed).
        name: String,
        /// What went wrong (access denied, KMS, throttling, network).
        reason: String,
    },
}

impl SecretsError {
    /// What went wrong, for a place anyone can read (the API's health
    /// answer): the parameter and the kind of failure, without the
    /// service's own message, which can name the account and the role.
    pub fn summary(&self) -> String {
        match self {
            SecretsError::NotFound { .. } => self.to_string(),
            SecretsError::Unreadable { name, .. } => {
                format!("ssm parameter {name} could not be read (the function's log says why)")
            }
        }
    }
}

/// An SQS call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sqs {operation} on {queue_url} failed: {reason}")]
pub struct SqsError {
    /// The operation (`GetQueueAttributes`, …).
    pub operation: &'static str,
    /// The queue it was called on.
    pub queue_url: String,
    /// What went wrong, or what the answer lacked.
    pub reason: String,
}

/// One line describing an SDK error with its whole source chain, e.g.
/// `service error: ResourceNotFoundException: Requested resource not found`.
pub(crate) fn describe<E: StdError>(error: &E) -> String {
    DisplayErrorContext(error).to_string()
}
