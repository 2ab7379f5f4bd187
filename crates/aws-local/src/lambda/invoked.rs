//! What an invocation comes to: the function's answer or its error
//! ([`Invoked`]), or a service error met before any function ran
//! ([`InvokeError`]). The Invoke API, the event source mapping, API Gateway
//! and the schedulers all branch on these.

use serde_json::Value;

/// An invocation's result as the Invoke API reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Invoked {
    /// The function's response payload.
    Response {
        /// The payload (the function's JSON).
        payload: Value,
        /// The version that ran.
        version: String,
    },
    /// A function error (`X-Amz-Function-Error: Unhandled`).
    FunctionError {
        /// `{"errorType", "errorMessage"}`.
        payload: Value,
        /// The version that ran.
        version: String,
    },
}

impl Invoked {
    /// The `errorType` of a function error.
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Invoked::FunctionError { payload, .. } => payload["errorType"].as_str(),
            Invoked::Response { .. } => None,
        }
    }

    /// The payload, response or error.
    pub fn payload(&self) -> &Value {
        match self {
            Invoked::Response { payload, .. } | Invoked::FunctionError { payload, .. } => payload,
        }
    }
}

/// The Lambda service errors an invocation can meet before any function runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// No such function, version or alias (404).
    #[error("ResourceNotFoundException: {0}")]
    NotFound(String),
    /// Every execution environment allowed is busy (429).
    #[error("TooManyRequestsException: {0}")]
    TooManyRequests(String),
    /// The request itself is wrong (400).
    #[error("InvalidParameterValueException: {0}")]
    InvalidParameter(String),
}
