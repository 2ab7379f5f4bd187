//! What can keep the harness from starting or running.

use std::path::PathBuf;

/// A harness failure.
#[derive(Debug, thiserror::Error)]
pub enum AwsLocalError {
    /// The declarations file cannot be read or has another shape.
    #[error("the declarations {}: {problem}", path.display())]
    Declared {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The program declares something the harness cannot run.
    #[error("{0}")]
    Unsupported(String),
    /// The declared resources contradict each other (see [`crate::consistency`]).
    #[error("the declared deployment is inconsistent:\n{0}")]
    Inconsistent(String),
    /// A function's package cannot be unpacked.
    #[error("the package {} of {function}: {problem}", zip.display())]
    Package {
        /// The function.
        function: String,
        /// Its zip.
        zip: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A function failed to initialise, as Lambda reports it.
    #[error("function {function} failed to initialise: {error_type}: {message}")]
    InitFailed {
        /// The function's name.
        function: String,
        /// Lambda's `errorType` (`Runtime.InitError`, `Runtime.ExitError`, …).
        error_type: String,
        /// Lambda's `errorMessage`.
        message: String,
    },
    /// Creating a resource in moto failed.
    #[error("creating {what} in moto: {problem}")]
    Provision {
        /// The resource.
        what: String,
        /// The SDK's error.
        problem: String,
    },
    /// A helper process or server did not start.
    #[error(transparent)]
    Harness(#[from] rez_lambda_harness::HarnessError),
    /// Starting the Step Functions endpoint failed.
    #[error("the Step Functions endpoint (rez-agent stepfunctions): {0}")]
    StepFunctions(String),
    /// An I/O step failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

impl AwsLocalError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| AwsLocalError::Io { context, source }
    }

    pub(crate) fn provision(
        what: impl Into<String>,
    ) -> impl FnOnce(&dyn std::fmt::Display) -> Self {
        let what = what.into();
        move |problem| AwsLocalError::Provision {
            what,
            problem: problem.to_string(),
        }
    }
}
