//! The HTTP API of rez-agent: one axum [`Router`] served by `lambda_http` on
//! AWS and by the local `rez-agent up` process.
//!
//! | module | what it holds |
//! |---|---|
//! | `state` | [`ApiState`] (the ports and settings) and the secret [`ApiKey`] |
//! | `error` | `ApiError`: the one `{"error":{"code","message"}}` shape |
//! | `extract` | JSON, path, query and `Idempotency-Key` extractors that reject in that shape |
//! | `auth` | the `Authorization: Bearer` check (constant time) |
//! | `layers` | the middleware stack: request id, trace, CORS, error rendering, panics, timeout, body limit |
//! | `routes` | the route table and one module per resource: `health`, `messages`, `metrics`, `series`, `executions`, `dead_letters`, `statemachine` |
//! | `openapi` | the OpenAPI 3.0 document (`openapi.json`) |
//!
//! ```no_run
//! # async fn serve(state: rez_webapi::ApiState) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, rez_webapi::router(state)).await
//! # }
//! ```

mod auth;
mod error;
mod extract;
mod layers;
mod openapi;
mod routes;
mod state;

use axum::Router;
use axum::middleware::from_fn_with_state;

pub use auth::bearer_token;
pub use error::ApiError;
pub use layers::{BODY_LIMIT_BYTES, CorsOrigin, InvalidCorsOrigin, REQUEST_TIMEOUT};
pub use state::{ApiKey, ApiState, InvalidApiKey, StateMachineInfo};

/// The whole API: every route, the auth check, and every layer.
///
/// `/api/health` always answers; with `state.api_key` set, every other route
/// requires `Authorization: Bearer <key>`. Unknown routes answer 404 and
/// known routes with another method 405, both in the API's error shape.
pub fn router(state: ApiState) -> Router {
    let mut public = Router::new();
    let mut protected = Router::new();
    for route in routes::table() {
        if route.public {
            public = public.route(route.path, route.handler);
        } else {
            protected = protected.route(route.path, route.handler);
        }
    }
    if let Some(key) = state.api_key.clone() {
        protected = protected.route_layer(from_fn_with_state(key, auth::require_api_key));
    }
    let cors_origins = state.cors_origins.clone();
    let app = public
        .merge(protected)
        .fallback(routes::fallback)
        .with_state(state);
    layers::apply(app, &cors_origins)
}
