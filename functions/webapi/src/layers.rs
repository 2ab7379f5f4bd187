//! The middleware stack, added in one place, and the error normaliser in it.
//!
//! From the outside in: set `x-request-id` → trace span → propagate
//! `x-request-id` → CORS (only with allowed origins) → normalise and log
//! errors → catch panics (→ 500) → timeout (→ 503) → body limit (→ 413).

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, ErrorCode, ErrorDetail, Rendered};
use crate::extract::IDEMPOTENCY_KEY;

/// Largest request body accepted, in bytes (64 KiB).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// How long one request may take before it is answered 503 (API Gateway's
/// integration limit is 30 s, so the API answers first).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(29);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the whole middleware stack.
pub(crate) fn apply(router: Router, cors_origins: &[String]) -> Router {
    let mut router = router
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(render_errors));
    if let Some(cors) = cors(cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!(
                    "http_request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// An allow-list CORS layer, or `None` when no origin is allowed.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| match HeaderValue::from_str(origin.trim()) {
            Ok(value) => Some(value),
            Err(_) => {
                tracing::warn!(origin, "ignoring a CORS origin that is not a header value");
                None
            }
        })
        .collect();
    if allowed.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static(IDEMPOTENCY_KEY),
            ])
            .expose_headers([
                header::LOCATION,
                HeaderName::from_static("idempotent-replayed"),
                REQUEST_ID,
            ]),
    )
}

/// The 413 answer, whichever layer noticed the size.
pub(crate) fn payload_too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the request body is larger than {BODY_LIMIT_BYTES} bytes"),
    )
}

/// A panic becomes a generic 500; its text goes to the log only.
fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("a non-text panic payload");
    ApiError::internal(format!("handler panicked: {text}")).into_response()
}

/// Logs server faults and puts responses made outside the API's own code
/// (axum's 405, tower-http's 413 and timeout) into the one error shape,
/// keeping their headers (such as `Allow`).
async fn render_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if let Some(ErrorDetail(detail)) = response.extensions().get::<ErrorDetail>() {
        if status.is_server_error() {
            tracing::error!(%status, detail, "request failed");
        } else {
            tracing::warn!(%status, detail, "request rejected");
        }
    }
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Rendered>().is_some()
    {
        return response;
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("{method} is not allowed here; the Allow header lists what is"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
        StatusCode::NOT_FOUND => ApiError::not_found("no such resource"),
        StatusCode::UNAUTHORIZED => ApiError::unauthorized(),
        StatusCode::TOO_MANY_REQUESTS => ApiError::new(
            ErrorCode::RateLimited,
            "too many requests; retry after the time Retry-After gives",
        ),
        StatusCode::REQUEST_TIMEOUT
        | StatusCode::SERVICE_UNAVAILABLE
        | StatusCode::GATEWAY_TIMEOUT => ApiError::new(
            ErrorCode::Unavailable,
            "the request took too long; try again later",
        ),
        s if s.is_client_error() => ApiError::new(
            ErrorCode::ValidationFailed,
            format!("the request was rejected: {status}"),
        ),
        _ => ApiError::internal(format!("a layer answered {status}")),
    };
    if status.is_server_error() {
        tracing::error!(%status, "a layer answered with a server error");
    }
    let (mut parts, _) = response.into_parts();
    let rendered = error.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in rendered.headers() {
        parts.headers.insert(name, value.clone());
    }
    parts.status = rendered.status();
    Response::from_parts(parts, rendered.into_body())
}
