//! The failure every task function reports: a States error name and a message.

use serde::{Deserialize, Serialize};

/// A task function's failure as Lambda reports it: `errorType` becomes the
/// States error name that Retry/Catch match; `errorMessage` the cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{error_type}: {error_message}")]
pub struct FunctionError {
    /// A stable name from [`crate::error_names`].
    #[serde(rename = "errorType")]
    pub error_type: String,
    /// What happened, for people.
    #[serde(rename = "errorMessage")]
    pub error_message: String,
}

impl FunctionError {
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
        serde_json::from_str::<FunctionError>(cause)
            .unwrap_or_else(|_| FunctionError::new(error_type, cause))
    }
}

/// Runs a task's typed `handle` over JSON, as a Lambda or the local engine
/// passes task input: reads the input, handles it, writes the output. A
/// failure keeps the name its handler gave it; input that does not fit is
/// `Message.Invalid`.
///
/// # Errors
/// The [`FunctionError`] the state machine sees.
pub async fn invoke<I, O, E, F>(
    input: serde_json::Value,
    handle: impl FnOnce(I) -> F,
) -> Result<serde_json::Value, FunctionError>
where
    I: serde::de::DeserializeOwned,
    O: Serialize,
    E: Into<FunctionError>,
    F: std::future::Future<Output = Result<O, E>>,
{
    let output = handle(parse_input(input)?).await.map_err(Into::into)?;
    to_output(&output)
}

/// Reads a task's JSON input into its typed form.
///
/// # Errors
/// `Message.Invalid` naming what does not fit.
pub fn parse_input<T: serde::de::DeserializeOwned>(
    input: serde_json::Value,
) -> Result<T, FunctionError> {
    serde_json::from_value(input).map_err(|e| {
        FunctionError::new(
            crate::error_names::MESSAGE_INVALID,
            format!("task input is malformed: {e}"),
        )
    })
}

/// Writes a task's typed output as JSON.
///
/// # Errors
/// `Message.Invalid` when the value cannot be represented as JSON.
pub fn to_output<T: Serialize>(output: &T) -> Result<serde_json::Value, FunctionError> {
    serde_json::to_value(output).map_err(|e| {
        FunctionError::new(
            crate::error_names::MESSAGE_INVALID,
            format!("task output cannot be written: {e}"),
        )
    })
}

/// The message of a failed publish: `attempt N: what happened`.
pub fn attempt_message(attempts: u32, what: &impl std::fmt::Display) -> String {
    format!("attempt {attempts}: {what}")
}

/// Reads the attempt number back out of an [`attempt_message`].
pub fn attempts_from_message(message: &str) -> Option<u32> {
    message
        .strip_prefix("attempt ")?
        .split(':')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_number_round_trips_through_the_message() {
        assert_eq!(
            attempts_from_message(&attempt_message(4, &"ntfy answered 503")),
            Some(4)
        );
        assert_eq!(attempts_from_message("ntfy answered 503"), None);
    }

    #[test]
    fn a_cause_round_trips_through_the_lambda_envelope_or_plain_text() {
        let f = FunctionError::new("Ntfy.Rejected", "ntfy answered 400");
        assert_eq!(FunctionError::from_cause("X", &f.to_cause()), f);
        assert_eq!(
            FunctionError::from_cause("States.Timeout", "timed out"),
            FunctionError::new("States.Timeout", "timed out")
        );
    }
}
