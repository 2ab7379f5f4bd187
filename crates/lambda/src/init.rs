//! Start-up failures, reported where Lambda looks for them.
//!
//! `lambda_runtime` reports errors of its own SnapStart hooks to
//! `/init/error`, but an error before `run` (a missing `REZ_TABLE_NAME`, an
//! SSM parameter that cannot be read) would only end the process, and Lambda
//! would record a bare `Runtime.ExitError`. [`or_report`] posts the error
//! with its whole context chain first, so the init failure in the console
//! and in `aws lambda invoke` says what to fix.

use std::fmt;
use std::future::Future;

use lambda_runtime::Diagnostic;
use lambda_runtime_api_client::{Client, body::Body, build_request};

/// The `errorType` of every init failure (the name the runtime itself uses).
pub const INIT_ERROR_TYPE: &str = "Runtime.InitError";

/// Where the Runtime API reads init failures.
const INIT_ERROR_PATH: &str = "/2018-06-01/runtime/init/error";

/// The function could not start; already reported to the Runtime API.
#[derive(Debug)]
pub struct InitError(anyhow::Error);

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for InitError {}

/// Awaits the start-up step `init`; when it fails, logs the error, reports
/// it to `/init/error` and returns it for `main` to return.
///
/// # Errors
/// [`InitError`] carrying `init`'s error and its context chain.
pub async fn or_report<T, E>(init: impl Future<Output = Result<T, E>>) -> Result<T, InitError>
where
    E: Into<anyhow::Error>,
{
    match init.await {
        Ok(value) => Ok(value),
        Err(error) => {
            let error = InitError(error.into());
            tracing::error!(error = %error, "the function cannot start");
            report(&diagnostic(&error)).await;
            Err(error)
        }
    }
}

/// The Diagnostic Lambda records for an init failure.
pub fn diagnostic(error: &InitError) -> Diagnostic {
    Diagnostic {
        error_type: INIT_ERROR_TYPE.to_owned(),
        error_message: error.to_string(),
    }
}

/// Posts `diagnostic` to `/init/error`; a failure to report is only logged.
async fn report(diagnostic: &Diagnostic) {
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        tracing::error!("AWS_LAMBDA_RUNTIME_API is not set: the init error was only logged");
        return;
    };
    let sent = async {
        let client = Client::builder()
            .with_endpoint(format!("http://{api}").parse()?)
            .build()?;
        let request = build_request()
            .method("POST")
            .uri(INIT_ERROR_PATH)
            .header("lambda-runtime-function-error-type", INIT_ERROR_TYPE)
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(diagnostic)?))?;
        let response = client.call(request).await?;
        if !response.status().is_success() {
            return Err(format!("the Runtime API answered {}", response.status()).into());
        }
        Ok::<_, lambda_runtime::Error>(())
    };
    if let Err(error) = sent.await {
        tracing::error!(error = %error, "reporting the init error to the Runtime API failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn the_diagnostic_carries_the_whole_context_chain_under_the_init_error_name() {
        let error = InitError(
            Err::<(), _>(anyhow::anyhow!("REZ_TABLE_NAME is not set"))
                .context("reading the function's settings")
                .unwrap_err(),
        );
        let d = diagnostic(&error);
        assert_eq!(d.error_type, "Runtime.InitError");
        assert_eq!(
            d.error_message,
            "reading the function's settings: REZ_TABLE_NAME is not set"
        );
    }
}
