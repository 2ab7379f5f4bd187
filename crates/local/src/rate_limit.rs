//! The API key's rate limit: a token bucket (GCRA, `governor`) in front of
//! the API, answering 429 with `Retry-After` once the key's burst is spent.
//!
//! Only requests carrying the configured key draw from the bucket: a request
//! without it is refused by the API's auth check anyway (cheaply, in constant
//! time), and nothing an anonymous client sends can spend the key's quota.
//! The key is read from `Authorization` by the auth check's own parser
//! ([`rez_webapi::bearer_token`]), so every request auth lets in is counted.
//! `/api/health`, the console's files and the Step Functions endpoint are
//! not limited. On AWS, API Gateway's throttling does this job.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use rez_webapi::{ApiError, ApiKey};

/// How many requests the key may send: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests per second, sustained.
    pub per_second: NonZeroU32,
    /// Requests allowed at once after a quiet spell.
    pub burst: NonZeroU32,
}

/// The bucket of one API key.
pub struct RateLimit {
    key: ApiKey,
    config: RateLimitConfig,
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RateLimit {
    /// A full bucket for `key`.
    pub fn new(key: ApiKey, config: RateLimitConfig) -> Self {
        let quota = Quota::per_second(config.per_second).allow_burst(config.burst);
        Self {
            key,
            config,
            limiter: DefaultDirectRateLimiter::direct(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Whether `request` is one the bucket counts: an API route other than
    /// health, sent with the key.
    fn counts(&self, request: &Request) -> bool {
        let path = request.uri().path();
        if !path.starts_with("/api/") || path == "/api/health" {
            return false;
        }
        rez_webapi::bearer_token(request.headers()).is_some_and(|token| self.key.matches(token))
    }
}

/// The middleware: passes the request on, or answers 429.
pub async fn limit(State(limit): State<Arc<RateLimit>>, request: Request, next: Next) -> Response {
    if !limit.counts(&request) {
        return next.run(request).await;
    }
    match limit.limiter.check() {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(limit.clock.now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            too_many_requests(seconds.max(1), limit.config).into_response()
        }
    }
}

/// The API's 429 `rate_limited`, with `Retry-After` in whole seconds.
fn too_many_requests(retry_after: u64, config: RateLimitConfig) -> ApiError {
    ApiError::rate_limited(
        retry_after,
        format!(
            "too many requests for this API key: at most {} per second (bursts of {}); retry after {retry_after} s",
            config.per_second, config.burst
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    const KEY: &str = "0123456789abcdef";

    fn app(per_second: u32, burst: u32) -> Router {
        let limit = Arc::new(RateLimit::new(
            ApiKey::new(KEY).unwrap(),
            RateLimitConfig {
                per_second: NonZeroU32::new(per_second).unwrap(),
                burst: NonZeroU32::new(burst).unwrap(),
            },
        ));
        Router::new()
            .route("/api/messages", get(|| async { "ok" }))
            .route("/api/health", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(limit, super::limit))
    }

    async fn call(app: &Router, path: &str, key: Option<&str>) -> Response {
        call_with(app, path, key.map(|key| format!("Bearer {key}"))).await
    }

    async fn call_with(app: &Router, path: &str, authorization: Option<String>) -> Response {
        let mut request = Request::builder().uri(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        app.clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_key_gets_its_burst_then_429_with_retry_after_in_the_api_shape() {
        let app = app(1, 3);
        for _ in 0..3 {
            assert_eq!(
                call(&app, "/api/messages", Some(KEY)).await.status(),
                StatusCode::OK
            );
        }
        let refused = call(&app, "/api/messages", Some(KEY)).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(refused.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "rate_limited");
        let fields: Vec<&String> = body["error"].as_object().unwrap().keys().collect();
        assert_eq!(fields, ["code", "message"], "the API's one shape: {body}");
        assert!(
            !body.to_string().contains(KEY),
            "the key is never echoed: {body}"
        );
    }

    #[tokio::test]
    async fn every_spelling_auth_accepts_is_counted() {
        for authorization in [
            format!("bearer {KEY}"),
            format!("BEARER {KEY}"),
            format!("Bearer   {KEY}  "),
        ] {
            let app = app(1, 2);
            let statuses = [
                call_with(&app, "/api/messages", Some(authorization.clone())).await,
                call_with(&app, "/api/messages", Some(authorization.clone())).await,
                call_with(&app, "/api/messages", Some(authorization.clone())).await,
            ]
            .map(|response| response.status());
            assert_eq!(
                statuses,
                [
                    StatusCode::OK,
                    StatusCode::OK,
                    StatusCode::TOO_MANY_REQUESTS
                ],
                "{authorization:?}"
            );
        }
    }

    #[tokio::test]
    async fn health_and_requests_without_the_key_never_spend_the_bucket() {
        let app = app(1, 1);
        for _ in 0..5 {
            assert_eq!(
                call(&app, "/api/health", Some(KEY)).await.status(),
                StatusCode::OK
            );
            // Passed on: the API's own auth check answers these with 401.
            assert_eq!(
                call(&app, "/api/messages", Some("wrong-key-wrong-key"))
                    .await
                    .status(),
                StatusCode::OK
            );
            assert_eq!(
                call(&app, "/api/messages", None).await.status(),
                StatusCode::OK
            );
        }
        assert_eq!(
            call(&app, "/api/messages", Some(KEY)).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            call(&app, "/api/messages", Some(KEY)).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
