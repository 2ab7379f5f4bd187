//! The bearer-key check in front of every route but `/api/health`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::ApiKey;

/// Lets the request through only with `Authorization: Bearer <key>`.
///
/// The key is compared in constant time and never logged or echoed.
pub(crate) async fn require_api_key(
    State(key): State<ApiKey>,
    request: Request,
    next: Next,
) -> Response {
    match bearer_token(request.headers()) {
        Some(token) if key.matches(token) => next.run(request).await,
        _ => ApiError::unauthorized().into_response(),
    }
}

/// The token of an `Authorization: Bearer <token>` header: the scheme in any
/// case, the token trimmed; `None` for any other header or none at all.
///
/// This is the one parser of the header: the auth check and anything that
/// must count the same credential (the local rate limit) both use it, so a
/// request that passes auth is always recognised as carrying the key.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bearer_header_yields_a_token() {
        for (value, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("abc", None),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(bearer_token(&headers), want, "{value}");
        }
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
