//! Task states that call AWS Lambda, served by a Lambda Invoke API at a
//! configurable endpoint: what AWS Step Functions Local's `LAMBDA_ENDPOINT`
//! does, for `rez-agent stepfunctions`.
//!
//! A Task whose `Resource` is a function ARN
//! (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`) is a
//! `POST {endpoint}/2015-03-31/functions/{FunctionName}/invocations` with
//! the effective input as the payload (`FunctionName` is the whole ARN,
//! percent-encoded as the AWS SDKs encode it, so the qualifier travels
//! inside it), `Content-Type: application/json` and
//! `X-Amz-Invocation-Type: RequestResponse`. The function's answer is the
//! Task's result. `arn:aws:states:::lambda:invoke` takes the function from
//! `Parameters.FunctionName` (and `Qualifier`, `InvocationType`), sends
//! `Parameters.Payload` (`{}` when absent), and its result is the Invoke
//! answer: `ExecutedVersion`, `Payload`, `SdkHttpMetadata`,
//! `SdkResponseMetadata`, `StatusCode`.
//!
//! How answers become results and errors: [`answer`]. The engine enforces
//! `TimeoutSeconds` by dropping the call, which drops the HTTP request
//! and closes its connection.
//!
//! | file | what it holds |
//! |---|---|
//! | `resource.rs` | which resources are Lambda, the start-up check, the path encoding |
//! | `answer.rs` | an Invoke answer as a result or a `TaskFailure`, AWS's error names |

pub mod answer;
pub mod resource;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use axum::http::header::CONTENT_TYPE;
use rez_states::{TaskContext, TaskFailure, TaskHandler};
use serde_json::Value;
use std::time::Duration;

pub use answer::InvokeAnswer;
pub use resource::{LAMBDA_INVOKE_INTEGRATION, LambdaTarget, check};

/// The Invoke API's path prefix (API version 2015-03-31).
pub const INVOKE_PATH: &str = "/2015-03-31/functions";
/// Header choosing how Lambda runs the call.
pub const INVOCATION_TYPE_HEADER: &str = "x-amz-invocation-type";
/// The invocation type of a Task calling a function ARN.
pub const REQUEST_RESPONSE: &str = "RequestResponse";
/// How long a connection to the endpoint may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An endpoint that cannot serve the Invoke API.
#[derive(Debug, thiserror::Error)]
pub enum LambdaEndpointError {
    /// Not an `http` or `https` URL.
    #[error("the Lambda endpoint {0} is not an http(s) URL")]
    NotHttp(String),
    /// The HTTP client could not be built.
    #[error("building the HTTP client for the Lambda endpoint: {0}")]
    Client(#[source] reqwest::Error),
}

/// Runs Task states by calling the Lambda Invoke API at one endpoint.
#[derive(Debug, Clone)]
pub struct LambdaTasks {
    client: reqwest::Client,
    /// The endpoint without a trailing `/`.
    endpoint: String,
}

impl LambdaTasks {
    /// Calls to the Invoke API at `endpoint` (e.g. `http://127.0.0.1:9001`).
    ///
    /// # Errors
    /// [`LambdaEndpointError`] when the URL is not http(s) or the client cannot be built.
    pub fn new(endpoint: &url::Url) -> Result<Self, LambdaEndpointError> {
        if !matches!(endpoint.scheme(), "http" | "https") || endpoint.host().is_none() {
            return Err(LambdaEndpointError::NotHttp(endpoint.to_string()));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(LambdaEndpointError::Client)?;
        Ok(LambdaTasks {
            client,
            endpoint: endpoint.as_str().trim_end_matches('/').to_owned(),
        })
    }

    /// One Invoke call; its answer, whatever its status.
    async fn invoke_function(
        &self,
        function_name: &str,
        qualifier: Option<&str>,
        invocation_type: &str,
        payload: &Value,
    ) -> Result<InvokeAnswer, TaskFailure> {
        let mut url = format!(
            "{}{INVOKE_PATH}/{}/invocations",
            self.endpoint,
            resource::encode_label(function_name)
        );
        if let Some(qualifier) = qualifier {
            url.push_str("?Qualifier=");
            url.push_str(&resource::encode_label(qualifier));
        }
        let body = serde_json::to_vec(payload).map_err(|e| {
            TaskFailure::new(
                answer::LAMBDA_SDK_CLIENT_EXCEPTION,
                format!("the payload cannot be written as JSON: {e}"),
            )
        })?;
        let response = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(INVOCATION_TYPE_HEADER, invocation_type)
            .body(body)
            .send()
            .await
            .map_err(|e| answer::unanswered(&self.endpoint, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| answer::unanswered(&self.endpoint, &e))?;
        Ok(InvokeAnswer {
            status,
            headers,
            body: body.to_vec(),
        })
    }

    /// `arn:aws:states:::lambda:invoke`: the call its parameters describe.
    async fn invoke_integration(&self, parameters: &Value) -> Result<Value, TaskFailure> {
        let text = |name: &str| parameters.get(name).and_then(Value::as_str);
        let function_name = text("FunctionName").ok_or_else(|| {
            TaskFailure::new(
                rez_states::errors::STATES_RUNTIME,
                format!(
                    "{LAMBDA_INVOKE_INTEGRATION} needs Parameters.FunctionName (a string); got {parameters}"
                ),
            )
        })?;
        let payload = parameters
            .get("Payload")
            .cloned()
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        let invocation_type = text("InvocationType").unwrap_or(REQUEST_RESPONSE);
        self.invoke_function(function_name, text("Qualifier"), invocation_type, &payload)
            .await?
            .integration_result()
    }
}

#[async_trait]
impl TaskHandler for LambdaTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        match LambdaTarget::parse(resource) {
            Some(LambdaTarget::Function(arn)) => self
                .invoke_function(arn, None, REQUEST_RESPONSE, &input)
                .await?
                .payload(),
            Some(LambdaTarget::Invoke) => self.invoke_integration(&input).await,
            // `check` refuses such a definition at start-up.
            None => Err(TaskFailure::new(
                rez_states::errors::STATES_RUNTIME,
                format!(
                    "resource {resource} is not a Lambda function: this runtime runs only {}",
                    resource::SUPPORTED
                ),
            )),
        }
    }
}
