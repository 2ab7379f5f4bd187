//! What an Invoke API answer means to the Task that made the call, as AWS
//! Step Functions reports it ("Handle errors in Step Functions", "Handle
//! Lambda service exceptions" in the Step Functions Developer Guide; the
//! Lambda API Reference's Invoke errors):
//!
//! - a 2xx without `X-Amz-Function-Error`: the payload is the result;
//! - `X-Amz-Function-Error` (`Handled`/`Unhandled`): the function failed;
//!   Error is the body's `errorType` (`Lambda.Unknown` without one, as AWS
//!   reports an unhandled error it cannot name) and Cause the body as sent;
//! - any other status: a Lambda service exception, `Lambda.<Exception>`,
//!   with the Cause worded as the AWS SDK for Java (which Step Functions
//!   uses) words it.

use axum::http::HeaderMap;
use rez_states::TaskFailure;
use serde_json::Value;

/// Header saying the function failed (`Handled` or `Unhandled`).
pub const FUNCTION_ERROR_HEADER: &str = "x-amz-function-error";
/// Header naming a service exception.
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";
/// Header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";
/// Header naming the version that ran.
pub const EXECUTED_VERSION_HEADER: &str = "x-amz-executed-version";

/// A function error without an `errorType`: "Unhandled errors in Lambda
/// are reported as Lambda.Unknown" (Handle Lambda service exceptions).
pub const LAMBDA_UNKNOWN: &str = "Lambda.Unknown";
/// The service exceptions the Invoke API declares (Lambda API Reference,
/// Invoke, "Errors"): each is reported as `Lambda.<name>`.
pub const INVOKE_EXCEPTIONS: &[&str] = &[
    "EC2AccessDeniedException",
    "EC2ThrottledException",
    "EC2UnexpectedException",
    "EFSIOException",
    "EFSMountConnectivityException",
    "EFSMountFailureException",
    "EFSMountTimeoutException",
    "ENILimitReachedException",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "InvalidRuntimeException",
    "InvalidSecurityGroupIDException",
    "InvalidSubnetIDException",
    "InvalidZipFileException",
    "KMSAccessDeniedException",
    "KMSDisabledException",
    "KMSInvalidStateException",
    "KMSNotFoundException",
    "RecursiveInvocationException",
    "RequestTooLargeException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "ResourceNotReadyException",
    "ServiceException",
    "SnapStartException",
    "SnapStartNotReadyException",
    "SnapStartTimeoutException",
    "SubnetIPAddressLimitReachedException",
    "TooManyRequestsException",
    "UnsupportedMediaTypeException",
];
/// Any other service error: the SDK's base exception, as Step Functions
/// reports e.g. an `AccessDeniedException`.
pub const LAMBDA_AWS_EXCEPTION: &str = "Lambda.AWSLambdaException";
/// The request never got an answer: the SDK's client-side exception.
pub const LAMBDA_SDK_CLIENT_EXCEPTION: &str = "Lambda.SdkClientException";

/// One answer of the Invoke API, as read off the wire.
#[derive(Debug, Clone)]
pub struct InvokeAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body.
    pub body: Vec<u8>,
}

impl InvokeAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The function's payload, or the failure the Task reports.
    ///
    /// # Errors
    /// A function error or a service exception, named as AWS names them.
    pub fn payload(&self) -> Result<Value, TaskFailure> {
        if !(200..300).contains(&self.status) {
            return Err(self.service_exception());
        }
        let text = String::from_utf8_lossy(&self.body);
        if self.header(FUNCTION_ERROR_HEADER).is_some() {
            let error_type = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    v.get("errorType")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| LAMBDA_UNKNOWN.to_owned());
            return Err(TaskFailure::new(error_type, text.into_owned()));
        }
        // A payload that is not JSON reaches the state as a JSON string.
        Ok(serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned())))
    }

    /// The result of `arn:aws:states:::lambda:invoke`: the Invoke answer's
    /// members, with the payload under `Payload`.
    ///
    /// # Errors
    /// As [`InvokeAnswer::payload`].
    pub fn integration_result(&self) -> Result<Value, TaskFailure> {
        let payload = self.payload()?;
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.into())))
            .collect();
        Ok(serde_json::json!({
            "ExecutedVersion": self.header(EXECUTED_VERSION_HEADER).unwrap_or("$LATEST"),
            "Payload": payload,
            "SdkHttpMetadata": {"HttpHeaders": headers, "HttpStatusCode": self.status},
            "SdkResponseMetadata": {"RequestId": self.header(REQUEST_ID_HEADER)},
            "StatusCode": self.status,
        }))
    }

    /// A non-2xx answer as `Lambda.<Exception>` with the SDK's message.
    fn service_exception(&self) -> TaskFailure {
        let body: Value = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        let member = |name: &str| body.get(name).and_then(Value::as_str);
        // The header names the exception; restJson1 bodies may too.
        let code = self
            .header(ERROR_TYPE_HEADER)
            .or_else(|| member("__type"))
            .or_else(|| member("code"))
            .or_else(|| member("Type").filter(|t| t.ends_with("Exception")))
            .map(bare_code)
            .or(match self.status {
                429 => Some("TooManyRequestsException"),
                404 => Some("ResourceNotFoundException"),
                500..=599 => Some("ServiceException"),
                _ => None,
            });
        let error = match code {
            Some(code) if INVOKE_EXCEPTIONS.contains(&code) => format!("Lambda.{code}"),
            _ => LAMBDA_AWS_EXCEPTION.to_owned(),
        };
        let message = member("message")
            .or_else(|| member("Message"))
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned());
        let cause = format!(
            "{message} (Service: AWSLambda; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
            self.status,
            code.unwrap_or("null"),
            self.header(REQUEST_ID_HEADER).unwrap_or("null"),
        );
        TaskFailure::new(error, cause)
    }
}

/// `ns#Name:detail` → `Name`, as SDKs read an error code.
fn bare_code(raw: &str) -> &str {
    let name = raw.rsplit('#').next().unwrap_or(raw);
    name.split(':').next().unwrap_or(name).trim()
}

/// The failure of a call that got no answer: the endpoint could not be
/// reached, or the answer broke off.
pub fn unanswered(endpoint: &str, error: &reqwest::Error) -> TaskFailure {
    let why = if error.is_connect() {
        format!("the Lambda endpoint {endpoint} could not be reached")
    } else if error.is_timeout() {
        format!("the Lambda endpoint {endpoint} did not answer in time")
    } else {
        format!("the call to the Lambda endpoint {endpoint} failed")
    };
    TaskFailure::new(
        LAMBDA_SDK_CLIENT_EXCEPTION,
        format!(
            "Unable to execute HTTP request: {why}: {}",
            error_chain(error)
        ),
    )
}

/// An error and its sources, on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
