//! The middleware stack, added in one place, and the error normaliser in it.
//!
//! From the outside in: set `x-request-id` → trace span → propagate
//! `x-request-id` → CORS (only with allowed origins) → normalise and log
//! errors → catch panics (→ 500) → timeout (→ 503) → body limit (→ 413).

use std::any::Any;
use std::fmt::Write as _;
use std::str::FromStr;
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
use crate::headers::IDEMPOTENCY_KEY;

/// Largest request body accepted, in bytes (64 KiB).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// How long one request may take before it is answered 503 (API Gateway's
/// integration limit is 30 s, so the API answers first).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(29);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The web API's own limits and error shape: body size, timeout, panics,
/// error rendering and CORS.
pub(crate) fn limits(router: Router, cors_origins: &[String], timeout: Duration) -> Router {
    let mut router = router
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(render_errors));
    if let Some(cors) = cors(cors_origins) {
        router = router.layer(cors);
    }
    router
}

/// The request id (`x-request-id`, set when absent and sent back) and one
/// trace span per request.
pub(crate) fn tracing(router: Router) -> Router {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                // `message_id` is recorded by the route that accepts a
                // message, so the request's lines (and, when Lambda traces,
                // its X-Ray subsegment) name it.
                tracing::info_span!(
                    "http_request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id,
                    message_id = tracing::field::Empty,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// An origin CORS allows: `*` for any, or one `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigin {
    /// `*`: every origin. Safe to combine with the API key because the key
    /// travels in `Authorization`, which a page can only send if it has the
    /// key; credentials (cookies) are never allowed.
    Any,
    /// One origin exactly as browsers send it in `Origin`: the scheme and
    /// host in lower case, no default port, no trailing slash.
    Exact(HeaderValue),
}

/// A `--cors-origin` value that is neither `*` nor an origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{origin}' is not a CORS origin: {reason}; expected '*' or scheme://host[:port], such as https://console.example"
)]
pub struct InvalidCorsOrigin {
    /// The value as given.
    pub origin: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl FromStr for CorsOrigin {
    type Err = InvalidCorsOrigin;

    /// Parses `*` or `scheme://host[:port]` (surrounding spaces and one
    /// trailing `/` are ignored); anything with a path, query, fragment or
    /// user name is refused, since no browser would ever send it.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text == "*" {
            return Ok(Self::Any);
        }
        let invalid = |reason| InvalidCorsOrigin {
            origin: text.to_owned(),
            reason,
        };
        let url = url::Url::parse(text).map_err(|_| invalid("it is not a URL"))?;
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| invalid("it has no host"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it holds a user name or password"));
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it has a path, query or fragment"));
        }
        let mut origin = format!("{}://{host}", url.scheme());
        if let Some(port) = url.port() {
            let _ = write!(origin, ":{port}");
        }
        HeaderValue::from_str(&origin)
            .map(Self::Exact)
            .map_err(|_| invalid("it cannot be sent in a header"))
    }
}

/// The CORS layer for `origins`, or `None` when none is allowed.
///
/// `*` anywhere in the list allows every origin. A value that does not parse
/// is skipped with a warning (configurations are checked before they get
/// here; `rez-agent up` refuses to start with one).
pub(crate) fn cors(origins: &[String]) -> Option<CorsLayer> {
    let mut exact = Vec::new();
    let mut any = false;
    for origin in origins {
        match origin.parse::<CorsOrigin>() {
            Ok(CorsOrigin::Any) => any = true,
            Ok(CorsOrigin::Exact(value)) => exact.push(value),
            Err(error) => tracing::warn!(%error, "ignoring a CORS origin"),
        }
    }
    let allow_origin = if any {
        AllowOrigin::any()
    } else if exact.is_empty() {
        return None;
    } else {
        AllowOrigin::list(exact)
    };
    // No `allow_credentials`, and explicit methods and headers: tower-http
    // accepts every one of these layers, `*` included.
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app(origins: &[&str]) -> Router {
        let origins: Vec<String> = origins.iter().map(|o| (*o).to_owned()).collect();
        limits(
            Router::new().route("/api/x", get(|| async { "ok" })),
            &origins,
            REQUEST_TIMEOUT,
        )
    }

    async fn allowed_origin(app: Router, origin: &str) -> Option<String> {
        let request = Request::builder()
            .uri("/api/x")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[tokio::test]
    async fn a_wildcard_origin_allows_any_origin() {
        let allowed = allowed_origin(app(&["*"]), "https://anyone.example").await;
        assert_eq!(allowed.as_deref(), Some("*"));
    }

    #[tokio::test]
    async fn every_combination_of_origins_builds_a_layer() {
        let cases: [(&[&str], Option<&str>); 6] = [
            (&[], None),
            (&["not an origin"], None),
            (&["https://a.example"], Some("https://a.example")),
            (&["https://A.example:443/"], Some("https://a.example")),
            (&["*", "https://a.example"], Some("*")),
            (&["https://b.example", " * ", "bad"], Some("*")),
        ];
        for (origins, want) in cases {
            let allowed = allowed_origin(app(origins), "https://a.example").await;
            assert_eq!(allowed.as_deref(), want, "{origins:?}");
        }
    }

    #[test]
    fn origins_parse_to_what_browsers_send() {
        for (text, want) in [
            ("*", None),
            ("https://console.example", Some("https://console.example")),
            ("HTTPS://Console.Example/", Some("https://console.example")),
            ("http://localhost:3000", Some("http://localhost:3000")),
            ("http://[::1]:8080", Some("http://[::1]:8080")),
            (
                "https://console.example:443",
                Some("https://console.example"),
            ),
        ] {
            let origin: CorsOrigin = text.parse().unwrap();
            match want {
                None => assert_eq!(origin, CorsOrigin::Any, "{text}"),
                Some(want) => assert_eq!(
                    origin,
                    CorsOrigin::Exact(HeaderValue::from_static(want)),
                    "{text}"
                ),
            }
        }
    }

    #[test]
    fn values_that_are_not_origins_are_refused_with_the_reason() {
        for (text, reason) in [
            ("", "it is not a URL"),
            ("**", "it is not a URL"),
            ("console.example", "it is not a URL"),
            ("localhost:3000", "it has no host"),
            ("null", "it is not a URL"),
            (
                "https://console.example/app",
                "it has a path, query or fragment",
            ),
            (
                "https://console.example?x",
                "it has a path, query or fragment",
            ),
            (
                "https://me@console.example",
                "it holds a user name or password",
            ),
        ] {
            let err = text.parse::<CorsOrigin>().unwrap_err();
            assert_eq!(err.reason, reason, "{text}");
            assert!(err.to_string().contains("scheme://host[:port]"), "{err}");
        }
    }
}
