//! The API's one error shape: `{"error":{"code":"…","message":"…"}}`.
//!
//! Every failure, from a handler, an extractor, the auth check, the fallback
//! or a tower layer, ends up as an [`ApiError`] response. Rendering has no
//! side effects: a server fault's detail rides along in an [`ErrorDetail`]
//! response extension, and the middleware in `layers` logs it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rez_core::{StoreError, ValidationError};
use serde_json::json;

/// The stable, machine-readable error codes clients branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    /// 400: the body is not JSON, or not sent as JSON.
    InvalidJson,
    /// 400: the JSON is well-formed but a field breaks a rule.
    ValidationFailed,
    /// 400: a query parameter is unknown, repeated or malformed.
    InvalidQuery,
    /// 400: the cursor is not one this service issued for this query.
    InvalidCursor,
    /// 401: the API key is missing or wrong.
    Unauthorized,
    /// 403: the request is refused whatever key it carries (a keyless
    /// `rez-agent up` answers only requests addressed to its own host).
    Forbidden,
    /// 404: no such route or resource.
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: the resource is not in a state that allows the request (it
    /// changed meanwhile, or its owner is not the API).
    Conflict,
    /// 413: the body is larger than the limit.
    PayloadTooLarge,
    /// 429: the API key sent more requests than its rate limit allows;
    /// `Retry-After` says when to try again.
    RateLimited,
    /// 503: a dependency is unavailable or too slow; retrying may help.
    Unavailable,
    /// 500: a fault of the server.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order the OpenAPI document lists them.
    #[cfg(test)]
    pub(crate) const ALL: [ErrorCode; 13] = [
        ErrorCode::InvalidJson,
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidCursor,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The code as clients see it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidCursor => "invalid_cursor",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidJson
            | ErrorCode::ValidationFailed
            | ErrorCode::InvalidQuery
            | ErrorCode::InvalidCursor => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failed request: what the client is told, and what only the log sees.
///
/// Its response is the API's one error shape. Code outside this crate that
/// answers in front of the API (the local rate limit) builds its refusals
/// from the public constructors here, so they share that shape.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    detail: Option<String>,
    /// Whole seconds for the `Retry-After` header, when there is one.
    retry_after_secs: Option<u64>,
}

/// Marks a response as already in the API's error shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rendered;

/// A server fault's detail, for the logging middleware only (never sent).
#[derive(Debug, Clone)]
pub(crate) struct ErrorDetail(pub(crate) String);

impl ApiError {
    /// An error with `code` and the client-facing `message`.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
            retry_after_secs: None,
        }
    }

    /// Adds detail for the log that the client must not see.
    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The error's code.
    #[cfg(test)]
    pub(crate) fn code(&self) -> ErrorCode {
        self.code
    }

    /// 400 `invalid_json`.
    pub fn invalid_json(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidJson, message)
    }

    /// 400 `validation_failed`, naming the field (`message: is required`).
    pub(crate) fn validation(err: &ValidationError) -> Self {
        Self::new(ErrorCode::ValidationFailed, err.to_string())
    }

    /// 400 `invalid_query`.
    pub(crate) fn invalid_query(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidQuery, message)
    }

    /// 400 `invalid_cursor`.
    pub(crate) fn invalid_cursor(err: &ValidationError) -> Self {
        Self::new(ErrorCode::InvalidCursor, err.to_string())
    }

    /// 401 `unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "a valid API key is required: send it as 'Authorization: Bearer <key>'",
        )
    }

    /// 429 `rate_limited` with `Retry-After: <retry_after_secs>` (at least 1).
    ///
    /// `message` says which limit was hit; it must not repeat the key.
    pub fn rate_limited(retry_after_secs: u64, message: impl Into<String>) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(ErrorCode::RateLimited, message)
        }
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// 404 `not_found`.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// 503 `unavailable`; `detail` goes to the log only.
    /// 409 `conflict`.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub(crate) fn unavailable(message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message).with_detail(detail)
    }

    /// 500 `internal` with a generic message; `detail` goes to the log only.
    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, "an internal error occurred").with_detail(detail)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(id) => Self::not_found(format!("no message has id {id}")),
            StoreError::Unavailable(_) => Self::unavailable(
                "the message store is unavailable; try again later",
                err.to_string(),
            ),
            StoreError::AlreadyExists(_) | StoreError::Conflict { .. } | StoreError::Corrupt(_) => {
                Self::internal(err.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code.as_str(), "message": self.message } });
        let mut response = (self.code.status(), Json(body)).into_response();
        if self.code == ErrorCode::Unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(Rendered);
        if let Some(detail) = self.detail {
            response.extensions_mut().insert(ErrorDetail(detail));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rez_core::MessageId;

    #[test]
    fn store_errors_map_to_the_status_a_client_can_act_on() {
        let id: MessageId = "01936f3c-0000-7000-8000-000000000000".parse().unwrap();
        let cases = [
            (StoreError::NotFound(id.clone()), ErrorCode::NotFound),
            (
                StoreError::Unavailable("disk".into()),
                ErrorCode::Unavailable,
            ),
            (StoreError::Corrupt("bad".into()), ErrorCode::Internal),
            (StoreError::AlreadyExists(id), ErrorCode::Internal),
        ];
        for (err, code) in cases {
            assert_eq!(ApiError::from(err).code(), code);
        }
    }

    #[tokio::test]
    async fn rate_limited_is_a_429_with_retry_after_in_the_one_shape() {
        let response = ApiError::rate_limited(0, "slow down").into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert!(response.extensions().get::<Rendered>().is_some());
        let response = ApiError::rate_limited(7, "slow down").into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": "rate_limited", "message": "slow down"}})
        );
    }

    #[test]
    fn an_internal_error_hides_its_detail_in_an_extension() {
        let response = ApiError::internal("db exploded at /var/lib").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let detail = response.extensions().get::<ErrorDetail>().unwrap();
        assert_eq!(detail.0, "db exploded at /var/lib");
    }
}
