//! The errors of the Step Functions API, in AWS's JSON 1.0 shape.
//!
//! Every error is HTTP 400 with `{"__type": "<namespace>#<Name>", "message": "…"}`
//! except a server fault, which is a generic 500. SDKs take the name after
//! `#` (and before any `:`) as the error code, so the namespace is cosmetic but
//! matches what AWS sends: Step Functions' own exceptions live in
//! `com.amazonaws.swf.service.v2.model`, model-constraint violations in
//! `com.amazon.coral.validate`, protocol and credential failures in
//! `com.amazon.coral.service`, throttling in `com.amazon.coral.availability`.
//!
//! Rendering has no side effects: the dispatcher logs before it renders.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The content type of every request and answer, errors included.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

const SFN: &str = "com.amazonaws.swf.service.v2.model";
const VALIDATE: &str = "com.amazon.coral.validate";
const CORAL: &str = "com.amazon.coral.service";
const AVAILABILITY: &str = "com.amazon.coral.availability";

/// A failed Step Functions API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SfnError {
    /// `X-Amz-Target` is missing or names no operation this endpoint serves.
    #[error("{0}")]
    UnknownOperation(String),
    /// The body is not JSON or a member has the wrong JSON type.
    #[error("{0}")]
    Serialization(String),
    /// A member breaks a model constraint (missing, too long, not in the enum).
    #[error("{0}")]
    Validation(String),
    /// A malformed ARN, or an ARN of the wrong resource type.
    #[error("{0}")]
    InvalidArn(String),
    /// An execution name AWS would refuse.
    #[error("{0}")]
    InvalidName(String),
    /// The execution input is not JSON text.
    #[error("{0}")]
    InvalidExecutionInput(String),
    /// A `nextToken` this endpoint did not issue.
    #[error("{0}")]
    InvalidToken(String),
    /// A well-formed state machine ARN naming no state machine here.
    #[error("{0}")]
    StateMachineDoesNotExist(String),
    /// A well-formed execution ARN naming no recorded execution.
    #[error("{0}")]
    ExecutionDoesNotExist(String),
    /// An action AWS does not support for the state machine's type (strict
    /// mode: `ListExecutions` of an EXPRESS state machine).
    #[error("{0}")]
    StateMachineTypeNotSupported(String),
    /// A Map Run ARN: the local engine runs no Map Runs.
    #[error("{0}")]
    ResourceNotFound(String),
    /// Too many asynchronous executions are running.
    #[error("{0}")]
    ExecutionLimitExceeded(String),
    /// No credentials, or credentials in a form this endpoint does not take.
    #[error("{0}")]
    UnrecognizedClient(String),
    /// A SigV4 signature that does not match, or that expired.
    #[error("{0}")]
    InvalidSignature(String),
    /// Too many calls at once: the key's rate limit, or the synchronous
    /// executions' concurrency bound.
    #[error("{0}")]
    Throttling(String),
    /// The store failed; the detail is for the log, never the client.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl SfnError {
    /// The `__type` of the body: `<namespace>#<Name>`.
    pub(crate) fn type_name(&self) -> String {
        let (namespace, name) = match self {
            SfnError::UnknownOperation(_) => (CORAL, "UnknownOperationException"),
            SfnError::Serialization(_) => (CORAL, "SerializationException"),
            SfnError::Validation(_) => (VALIDATE, "ValidationException"),
            SfnError::InvalidArn(_) => (SFN, "InvalidArn"),
            SfnError::InvalidName(_) => (SFN, "InvalidName"),
            SfnError::InvalidExecutionInput(_) => (SFN, "InvalidExecutionInput"),
            SfnError::InvalidToken(_) => (SFN, "InvalidToken"),
            SfnError::StateMachineDoesNotExist(_) => (SFN, "StateMachineDoesNotExist"),
            SfnError::ExecutionDoesNotExist(_) => (SFN, "ExecutionDoesNotExist"),
            SfnError::StateMachineTypeNotSupported(_) => (SFN, "StateMachineTypeNotSupported"),
            SfnError::ResourceNotFound(_) => (SFN, "ResourceNotFound"),
            SfnError::ExecutionLimitExceeded(_) => (SFN, "ExecutionLimitExceeded"),
            SfnError::UnrecognizedClient(_) => (CORAL, "UnrecognizedClientException"),
            SfnError::InvalidSignature(_) => (CORAL, "InvalidSignatureException"),
            SfnError::Throttling(_) => (AVAILABILITY, "ThrottlingException"),
            SfnError::Internal(_) => (CORAL, "InternalFailure"),
        };
        format!("{namespace}#{name}")
    }

    /// Whether this is the server's fault (500) rather than the request's (400).
    pub(crate) fn is_server_fault(&self) -> bool {
        matches!(self, SfnError::Internal(_))
    }

    /// `1 validation error detected: Value null at '<member>' …`, as AWS words it.
    pub(crate) fn missing(member: &str) -> Self {
        SfnError::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy \
             constraint: Member must not be null"
        ))
    }

    /// A member whose value breaks a constraint, in AWS's words.
    pub(crate) fn constraint(
        member: &str,
        value: impl std::fmt::Display,
        constraint: &str,
    ) -> Self {
        SfnError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
             constraint: {constraint}"
        ))
    }

    /// The message the client sees (generic for server faults).
    fn client_message(&self) -> String {
        match self {
            SfnError::Internal(_) => "the local Step Functions endpoint failed; see its log".into(),
            other => other.to_string(),
        }
    }
}

impl From<rez_core::StoreError> for SfnError {
    fn from(e: rez_core::StoreError) -> Self {
        SfnError::Internal(e.to_string())
    }
}

impl From<rez_core::ports::WorkflowError> for SfnError {
    fn from(e: rez_core::ports::WorkflowError) -> Self {
        SfnError::Internal(e.to_string())
    }
}

impl IntoResponse for SfnError {
    fn into_response(self) -> Response {
        let status = if self.is_server_fault() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = serde_json::json!({
            "__type": self.type_name(),
            "message": self.client_message(),
        });
        let mut response = (status, body.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
            .headers_mut()
            .insert("x-amzn-errortype", header_value(&self));
        response
    }
}

/// `x-amzn-errortype`: the bare name, which SDKs prefer over the body.
fn header_value(error: &SfnError) -> HeaderValue {
    let full = error.type_name();
    let name = full.rsplit('#').next().unwrap_or_default().to_owned();
    HeaderValue::from_str(&name).unwrap_or_else(|_| HeaderValue::from_static("InternalFailure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn rendered(error: SfnError) -> (StatusCode, serde_json::Value, String) {
        let response = error.into_response();
        let status = response.status();
        let kind = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or_default();
        (status, body, kind)
    }

    #[tokio::test]
    async fn client_errors_are_400_with_the_namespaced_type_and_the_message() {
        let cases = [
            (
                SfnError::ExecutionDoesNotExist("no such execution".into()),
                "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist",
                "ExecutionDoesNotExist",
            ),
            (
                SfnError::missing("executionArn"),
                "com.amazon.coral.validate#ValidationException",
                "ValidationException",
            ),
            (
                SfnError::InvalidSignature("does not match".into()),
                "com.amazon.coral.service#InvalidSignatureException",
                "InvalidSignatureException",
            ),
            (
                SfnError::UnknownOperation("nope".into()),
                "com.amazon.coral.service#UnknownOperationException",
                "UnknownOperationException",
            ),
        ];
        for (error, type_name, header) in cases {
            let message = error.to_string();
            let (status, body, kind) = rendered(error).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(body["__type"], type_name);
            assert_eq!(body["message"], message);
            assert_eq!(kind, header);
        }
    }

    #[tokio::test]
    async fn server_faults_are_500_and_keep_their_detail_out_of_the_body() {
        let (status, body, _) = rendered(SfnError::Internal("disk /secret full".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["__type"], "com.amazon.coral.service#InternalFailure");
        assert!(
            !body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("secret")
        );
    }
}
