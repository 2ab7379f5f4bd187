//! The publish timeout a deployment may lower through its environment.
//!
//! A deployment whose ntfy answers fast can give up on a silent one sooner
//! than [`NTFY_TIMEOUT`]: the retries then come sooner too. It can never
//! raise it, because the timeout plus [`crate::MAX_RETRY_AFTER_WAIT`] must
//! stay below SendNotification's `TimeoutSeconds`.

use std::time::Duration;

use crate::NTFY_TIMEOUT;

/// `REZ_NTFY_TIMEOUT_MS`: how long one publish may take, in milliseconds,
/// from 1 up to [`NTFY_TIMEOUT`]; unset means [`NTFY_TIMEOUT`].
pub const NTFY_TIMEOUT_VAR: &str = "REZ_NTFY_TIMEOUT_MS";

/// A `REZ_NTFY_TIMEOUT_MS` value the task refuses to start with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "{NTFY_TIMEOUT_VAR} must be a whole number of milliseconds from 1 to {}, got '{value}'",
    NTFY_TIMEOUT.as_millis()
)]
pub struct NtfyTimeoutError {
    /// The value as the environment gave it.
    pub value: String,
}

/// The publish timeout `value` (the variable's content, if set) asks for.
///
/// # Errors
/// `value` is not a whole number of milliseconds from 1 to [`NTFY_TIMEOUT`].
pub fn ntfy_timeout(value: Option<&str>) -> Result<Duration, NtfyTimeoutError> {
    let Some(value) = value else {
        return Ok(NTFY_TIMEOUT);
    };
    let refuse = || NtfyTimeoutError {
        value: value.to_owned(),
    };
    let millis: u64 = value.trim().parse().map_err(|_| refuse())?;
    let timeout = Duration::from_millis(millis);
    if timeout.is_zero() || timeout > NTFY_TIMEOUT {
        return Err(refuse());
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_means_the_budgeted_timeout() {
        assert_eq!(ntfy_timeout(None), Ok(NTFY_TIMEOUT));
    }

    #[test]
    fn a_shorter_timeout_is_taken() {
        assert_eq!(ntfy_timeout(Some("1500")), Ok(Duration::from_millis(1500)));
        assert_eq!(ntfy_timeout(Some("10000")), Ok(NTFY_TIMEOUT));
    }

    #[test]
    fn zero_a_longer_timeout_or_not_a_number_is_refused_naming_the_variable() {
        for value in ["0", "10001", "-5", "2s", ""] {
            let error = ntfy_timeout(Some(value)).expect_err(value);
            assert_eq!(error.value, value);
            let text = error.to_string();
            assert!(text.starts_with("REZ_NTFY_TIMEOUT_MS must be"), "{text}");
            assert!(text.contains("from 1 to 10000"), "{text}");
        }
    }
}
