//! Errors: definition problems found before running, and the `States.*`
//! errors an execution can raise.
//!
//! Runtime errors are data, not control flow: every [`StatesError`] carries
//! its name, optional cause and whether `Retry` / `Catch` may handle it
//! (ASL spec, "Errors": `States.Runtime` is neither retryable nor catchable).

use serde::{Deserialize, Serialize};

/// `States.ALL`: the wildcard that matches any error name except
/// `States.Runtime` (ASL spec, "Errors"). It must appear alone and last.
pub const STATES_ALL: &str = "States.ALL";
/// `States.TaskFailed`: matches any error raised by a Task except
/// `States.Timeout` (ASL spec, "Errors").
pub const STATES_TASK_FAILED: &str = "States.TaskFailed";
/// `States.Timeout`: a Task ran longer than `TimeoutSeconds` or the
/// execution exceeded its own `TimeoutSeconds`.
pub const STATES_TIMEOUT: &str = "States.Timeout";
/// `States.Runtime`: an execution-level failure, e.g. an invalid path
/// (neither retryable nor catchable).
pub const STATES_RUNTIME: &str = "States.Runtime";
/// `States.NoChoiceMatched`: a Choice state without `Default` matched nothing.
pub const STATES_NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// `States.ResultPathMatchFailure`: `ResultPath` cannot be applied to the input.
pub const STATES_RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// `States.ParameterPathFailure`: a `.$` path in Parameters has no match.
pub const STATES_PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
/// `States.IntrinsicFailure`: the ASL spec's name for a failed intrinsic
/// function. The engine never raises it: AWS reports intrinsic failures as
/// [`STATES_RUNTIME`] (see `docs/feature-support.md`); the name stays for
/// definitions that list it in `ErrorEquals`.
pub const STATES_INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// `States.BranchFailed`: a Parallel branch failed.
pub const STATES_BRANCH_FAILED: &str = "States.BranchFailed";
/// `States.ExceedToleratedFailureThreshold`: a Map exceeded its tolerated failures.
pub const STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD: &str =
    "States.ExceedToleratedFailureThreshold";
/// `States.DataLimitExceeded`: a payload exceeded [`MAX_PAYLOAD_BYTES`]; a
/// terminal error that `States.ALL` does not match (AWS, "Error names").
pub const STATES_DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
/// The largest state input or output, in bytes of JSON text: 256 KiB
/// (AWS Step Functions service quotas, "Maximum input or output size").
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// `States.QueryEvaluationError`: a JSONata expression failed.
pub const STATES_QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// A definition that cannot run, found by [`crate::StateMachine::from_json`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// The text is not JSON or does not have the shape of a state machine.
    #[error("invalid state machine definition: {0}")]
    Malformed(String),
    /// The definition is well-formed but breaks an ASL rule.
    #[error("SCHEMA_VALIDATION_FAILED: {message} at {location}")]
    Invalid {
        /// Where the problem is, e.g. `/States/Fetch/Next`.
        location: String,
        /// What rule is broken.
        message: String,
    },
}

impl From<Diagnostic> for DefinitionError {
    /// `INVALID_JSON_DESCRIPTION` becomes [`DefinitionError::Malformed`],
    /// every other code [`DefinitionError::Invalid`].
    fn from(diagnostic: Diagnostic) -> Self {
        if diagnostic.code == INVALID_JSON_DESCRIPTION {
            DefinitionError::Malformed(diagnostic.message)
        } else {
            DefinitionError::invalid(diagnostic.location, diagnostic.message)
        }
    }
}

/// Diagnostic code for text that is not JSON or not shaped like a state
/// machine (AWS `ValidateStateMachineDefinition`, `INVALID_JSON_DESCRIPTION`).
pub const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
/// Diagnostic code for a definition that breaks an ASL rule (AWS
/// `ValidateStateMachineDefinition`, `SCHEMA_VALIDATION_FAILED`).
pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";

/// How serious a [`Diagnostic`] is, with AWS's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// The definition cannot be created or run.
    Error,
    /// The definition runs, but probably not as meant.
    Warning,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        })
    }
}

/// One problem found by [`crate::StateMachine::validate_json`], shaped like
/// an entry of AWS `ValidateStateMachineDefinition`'s `diagnostics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// [`Severity::Error`] or [`Severity::Warning`].
    pub severity: Severity,
    /// [`SCHEMA_VALIDATION_FAILED`] or [`INVALID_JSON_DESCRIPTION`].
    pub code: String,
    /// What rule is broken, and where it can, what to write instead.
    pub message: String,
    /// A JSON pointer (RFC 6901) into the definition, e.g. `/States/Fetch/Next`;
    /// `/` for the whole definition.
    pub location: String,
    /// The innermost state the problem belongs to, if any.
    pub state: Option<String>,
}

impl Diagnostic {
    /// An [`Severity::Error`] with code [`SCHEMA_VALIDATION_FAILED`].
    pub fn schema(
        location: impl Into<String>,
        state: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let location = location.into();
        Diagnostic {
            severity: Severity::Error,
            code: SCHEMA_VALIDATION_FAILED.to_string(),
            message: message.into(),
            location: if location.is_empty() {
                "/".to_string()
            } else {
                location
            },
            state: state.map(str::to_string),
        }
    }

    /// Whether this diagnostic stops the definition from being created.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.code, self.message)
    }
}

impl DefinitionError {
    pub(crate) fn invalid(location: impl Into<String>, message: impl Into<String>) -> Self {
        let location = location.into();
        let location = if location.is_empty() {
            "/".to_string()
        } else {
            location
        };
        DefinitionError::Invalid {
            location,
            message: message.into(),
        }
    }
}

/// A failure raised while running a state: a task failure, a Fail state or
/// an engine (`States.*`) error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatesError {
    /// Error name, e.g. `States.Timeout` or a task's own error type.
    pub error: String,
    /// Human-readable cause, if any.
    pub cause: Option<String>,
    /// Whether a `Retry` rule may retry it.
    pub retryable: bool,
    /// Whether a `Catch` rule may catch it.
    pub catchable: bool,
    /// Whether the error came from a Task's resource (matched by `States.TaskFailed`).
    pub from_task: bool,
    /// Whether the cause still needs the AWS prefix naming the state
    /// (`An error occurred while executing the state ...`).
    #[serde(skip)]
    pub(crate) needs_state_prefix: bool,
}

impl StatesError {
    /// A retryable, catchable error with the given name and cause.
    pub fn new(error: impl Into<String>, cause: Option<String>) -> Self {
        StatesError {
            error: error.into(),
            cause,
            retryable: true,
            catchable: true,
            from_task: false,
            needs_state_prefix: false,
        }
    }

    /// A failure reported by a Task's resource.
    pub fn task(error: impl Into<String>, cause: Option<String>) -> Self {
        StatesError {
            from_task: true,
            ..StatesError::new(error, cause)
        }
    }

    /// `States.Runtime`: neither retryable nor catchable. The message gets the
    /// AWS state prefix once the executor knows which state raised it.
    pub fn runtime(message: impl Into<String>) -> Self {
        StatesError {
            retryable: false,
            catchable: false,
            needs_state_prefix: true,
            ..StatesError::new(STATES_RUNTIME, Some(message.into()))
        }
    }

    /// A catchable `States.*` error whose cause gets the state prefix.
    pub(crate) fn prefixed(error: &str, message: impl Into<String>) -> Self {
        StatesError {
            needs_state_prefix: true,
            ..StatesError::new(error, Some(message.into()))
        }
    }

    /// `States.DataLimitExceeded` for a state whose result is too large.
    pub(crate) fn data_limit_exceeded(state: &str) -> Self {
        StatesError {
            retryable: false,
            ..StatesError::new(
                STATES_DATA_LIMIT_EXCEEDED,
                Some(format!(
                    "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
                )),
            )
        }
    }

    /// `States.Timeout` raised by a Task or by the execution.
    pub fn timeout() -> Self {
        StatesError::new(STATES_TIMEOUT, None)
    }

    /// Add AWS's `An error occurred while executing the state ...` prefix if
    /// this error still lacks it.
    pub(crate) fn in_state(mut self, state: &str, entered_event_id: u64) -> Self {
        if self.needs_state_prefix {
            let message = self.cause.take().unwrap_or_default();
            self.cause = Some(format!(
                "An error occurred while executing the state '{state}' (entered at the event id #{entered_event_id}). {message}"
            ));
            self.needs_state_prefix = false;
        }
        self
    }

    /// Whether `name` from an `ErrorEquals` list matches this error.
    pub fn matches(&self, name: &str) -> bool {
        if name == STATES_ALL {
            return self.error != STATES_RUNTIME && self.error != STATES_DATA_LIMIT_EXCEEDED;
        }
        if name == STATES_TASK_FAILED {
            return self.from_task && self.error != STATES_TIMEOUT || self.error == name;
        }
        self.error == name
    }

    /// The `{"Error": .., "Cause": ..}` object a Catch passes on.
    pub fn to_error_output(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("Error".into(), self.error.clone().into());
        if let Some(cause) = &self.cause {
            map.insert("Cause".into(), cause.clone().into());
        }
        serde_json::Value::Object(map)
    }
}

impl std::fmt::Display for StatesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.error, cause),
            None => write!(f, "{}", self.error),
        }
    }
}

impl std::error::Error for StatesError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_all_matches_everything_but_runtime() {
        assert!(StatesError::task("Boom", None).matches(STATES_ALL));
        assert!(StatesError::timeout().matches(STATES_ALL));
        assert!(!StatesError::runtime("x").matches(STATES_ALL));
    }

    #[test]
    fn task_failed_matches_task_errors_but_not_timeout() {
        assert!(StatesError::task("Boom", None).matches(STATES_TASK_FAILED));
        let timeout = StatesError {
            from_task: true,
            ..StatesError::timeout()
        };
        assert!(!timeout.matches(STATES_TASK_FAILED));
        assert!(!StatesError::new("States.NoChoiceMatched", None).matches(STATES_TASK_FAILED));
    }

    #[test]
    fn runtime_errors_get_the_state_prefix_once() {
        let err = StatesError::runtime("Invalid path")
            .in_state("A", 2)
            .in_state("B", 5);
        assert_eq!(
            err.cause.as_deref(),
            Some(
                "An error occurred while executing the state 'A' (entered at the event id #2). Invalid path"
            )
        );
        assert!(!err.retryable && !err.catchable);
    }

    #[test]
    fn error_output_omits_missing_cause() {
        assert_eq!(
            StatesError::new("E", None).to_error_output(),
            serde_json::json!({"Error": "E"})
        );
    }
}
