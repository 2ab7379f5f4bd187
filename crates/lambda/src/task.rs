//! A state machine task as a Lambda function.
//!
//! Step Functions turns a Lambda failure's `errorType` into the States error
//! name its Retry and Catch match, so a task fails with the name from
//! [`FunctionError::error_type`] (`Ntfy.RateLimited`, `Message.NotFound`, …),
//! never with a Rust type name.

use std::future::Future;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use rez_core::FunctionError;
use serde_json::Value;

/// The Diagnostic Lambda reports for a task failure: the States error name
/// as `errorType`, the cause as `errorMessage`.
pub fn diagnostic(failure: FunctionError) -> Diagnostic {
    Diagnostic {
        error_type: failure.error_type,
        error_message: failure.error_message,
    }
}

/// Runs the task `invoke` (a library's `invoke(&deps, input)`) for every
/// event the Runtime API hands out, until the runtime stops.
///
/// # Errors
/// The runtime's own error: the Runtime API could not be reached.
pub async fn run<F, Fut>(invoke: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(Value) -> Fut,
    Fut: Future<Output = Result<Value, FunctionError>>,
{
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let output = invoke(event.payload);
        async move { output.await.map_err(diagnostic) }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_failure_keeps_its_states_name_as_the_error_type() {
        let d = diagnostic(FunctionError::new("Ntfy.RateLimited", "attempt 1: 429"));
        assert_eq!(d.error_type, "Ntfy.RateLimited");
        assert_eq!(d.error_message, "attempt 1: 429");
    }
}
