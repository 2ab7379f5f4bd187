//! The API while it cannot check requests: its key could not be read.
//!
//! A deployment whose key parameter is missing or unreadable would
//! otherwise fail every request, `/api/health` included, with API Gateway's
//! bare 500, and say why only in the function's log. Instead `/api/health`
//! answers 503 with what is wrong, and every other route 503 in the API's
//! error shape: nothing is served without the key check.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::error::ApiError;

/// The router of an API that cannot check requests because of `problem`
/// (which the health answer shows, so it must hold no secret).
pub fn unavailable_router(problem: &str) -> Router {
    let health_problem = problem.to_owned();
    let refusal = format!("the API cannot check requests: {problem}");
    let router = Router::new()
        .route(
            "/api/health",
            get(move || async move { health(&health_problem) }),
        )
        .fallback(move || async move {
            ApiError::unavailable(refusal.clone(), "the API key is unavailable").into_response()
        });
    crate::layers::tracing(router)
}

/// 503 `{"status":"unavailable","version":"…","problem":"…"}`.
fn health(problem: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({
            "status": "unavailable",
            "version": env!("CARGO_PKG_VERSION"),
            "problem": problem,
        })),
    )
        .into_response()
}
