//! The API key's rate limit: a token bucket (GCRA, `governor`). The access
//! guard ([`crate::access`]) draws from it for every request that passed
//! the key check, on every surface and whatever form the key came in
//! (bearer token or SigV4 signature), and answers 429 once the key's burst
//! is spent. Requests without the key never reach the bucket, so nothing an
//! anonymous client sends can spend the key's quota; the open routes
//! (`/api/health`, the console's files) are not limited. On AWS, API
//! Gateway's throttling does this job.

use std::num::NonZeroU32;

use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use rez_webapi::ApiError;

/// How many requests the key may send: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests per second, sustained.
    pub per_second: NonZeroU32,
    /// Requests allowed at once after a quiet spell.
    pub burst: NonZeroU32,
}

/// The key's bucket.
pub struct RateLimit {
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
    /// A full bucket.
    pub fn new(config: RateLimitConfig) -> Self {
        let quota = Quota::per_second(config.per_second).allow_burst(config.burst);
        Self {
            config,
            limiter: DefaultDirectRateLimiter::direct(quota),
            clock: DefaultClock::default(),
        }
    }

    /// The limit this bucket keeps.
    pub fn config(&self) -> RateLimitConfig {
        self.config
    }

    /// Takes one request from the bucket.
    ///
    /// # Errors
    /// The bucket is empty: the whole seconds to wait (at least 1).
    pub fn check(&self) -> Result<(), u64> {
        self.limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }
}

/// 429 `rate_limited` in the web API's error shape, with `Retry-After` in
/// whole seconds.
pub fn too_many_requests(retry_after: u64, config: RateLimitConfig) -> Response {
    ApiError::rate_limited(
        retry_after,
        format!(
            "too many requests for this API key: at most {} per second (bursts of {}); retry after {retry_after} s",
            config.per_second, config.burst
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{StatusCode, header};

    fn config(per_second: u32, burst: u32) -> RateLimitConfig {
        RateLimitConfig {
            per_second: NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN),
            burst: NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN),
        }
    }

    #[test]
    fn the_bucket_gives_its_burst_then_asks_to_wait_whole_seconds() {
        let limit = RateLimit::new(config(1, 3));
        for _ in 0..3 {
            assert_eq!(limit.check(), Ok(()));
        }
        assert_eq!(limit.check(), Err(1));
    }

    #[tokio::test]
    async fn the_429_is_in_the_api_shape_with_retry_after() {
        let refused = too_many_requests(2, config(1, 3));
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "2");
        let body = axum::body::to_bytes(refused.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["error"]["code"], "rate_limited");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("retry after 2 s"))
        );
    }
}
