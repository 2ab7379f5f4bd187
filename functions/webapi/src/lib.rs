//! The HTTP API of rez-agent: one axum [`Router`] served by `lambda_http` on
//! AWS and by the local `rez-agent up` process.
//!
//! | module | what it holds |
//! |---|---|
//! | `state` | [`ApiState`] (the ports and settings) and the secret [`ApiKey`] |
//! | `error` | `ApiError`: the one `{"error":{"code","message"}}` shape |
//! | `extract` | JSON, path, query and `Idempotency-Key` extractors that reject in that shape |
//! | `headers` | the names of the API's own request headers |
//! | `auth` | the `Authorization: Bearer` check (constant time) |
//! | `layers` | the middleware stack: request id, trace, CORS, error rendering, panics, timeout, body limit |
//! | `routes` | the route table and one module per resource: `health`, `messages`, `metrics`, `series`, `executions`, `dead_letters`, `statemachine` |
//! | `openapi` | the OpenAPI 3.0 document (`openapi.json`) |
//! | `unavailable` | [`unavailable_router`]: health and 503s while the API key cannot be read |
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
mod headers;
mod layers;
mod openapi;
mod routes;
mod state;
mod unavailable;

use axum::Router;
use axum::middleware::from_fn_with_state;

pub use auth::bearer_token;
pub use error::ApiError;
pub use layers::{BODY_LIMIT_BYTES, CorsOrigin, InvalidCorsOrigin, REQUEST_TIMEOUT};
pub use state::{ApiKey, ApiState, InvalidApiKey, Schedules, StateMachineInfo};
pub use unavailable::unavailable_router;

/// The log target of the line `POST /api/messages` writes for each message it
/// accepts (INFO, with `message_id`): on AWS it links the request's log lines
/// to the message; `rez-agent up` leaves it off, one line per message being
/// noise on a terminal (its console and API show every message).
pub const ACCEPTED_LOG_TARGET: &str = "rez_webapi::accepted";

/// The whole API: every route, the auth check, and every layer.
///
/// `/api/health` always answers; with `state.api_key` set, every other route
/// requires `Authorization: Bearer <key>`. Unknown routes answer 404 and
/// known routes with another method 405, both in the API's error shape.
pub fn router(state: ApiState) -> Router {
    layers::tracing(routes(state, true, REQUEST_TIMEOUT))
}

/// The API's routes with its own limits (64 KiB bodies, `timeout` per
/// request, the error shape, CORS) but without the key check
/// and without tracing: for a host that applies those to every surface it
/// serves at once (`rez-agent up`). `state.api_key` is not read.
pub fn surface(state: ApiState, timeout: std::time::Duration) -> Router {
    routes(state, false, timeout)
}

/// The CORS layer [`router`] uses for `origins` (`None` when no origin is
/// allowed), for a host that puts it around more than the API, so that
/// refusals made in front of the API carry CORS headers too.
pub fn with_cors(router: Router, origins: &[String]) -> Router {
    match layers::cors(origins) {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// `router` wrapped in the request id and trace layers that [`router`] uses.
pub fn with_tracing(router: Router) -> Router {
    layers::tracing(router)
}

/// The paths of the routes that answer without the API key (`/api/health`).
pub fn public_paths() -> Vec<&'static str> {
    routes::table()
        .into_iter()
        .filter(|route| route.public)
        .map(|route| route.path)
        .collect()
}

/// The paths of every route, with their methods, for tests that walk the
/// whole table.
pub fn route_table() -> Vec<(axum::http::Method, &'static str)> {
    routes::table()
        .into_iter()
        .map(|route| (route.method, route.path))
        .collect()
}

/// Every route, with the key check when `check_key` and a key is set, and
/// the API's limits.
fn routes(state: ApiState, check_key: bool, timeout: std::time::Duration) -> Router {
    let mut public = Router::new();
    let mut protected = Router::new();
    for route in routes::table() {
        if route.public {
            public = public.route(route.path, route.handler);
        } else {
            protected = protected.route(route.path, route.handler);
        }
    }
    if let Some(key) = state.api_key.clone().filter(|_| check_key) {
        protected = protected.route_layer(from_fn_with_state(key, auth::require_api_key));
    }
    let cors_origins = state.cors_origins.clone();
    let app = public
        .merge(protected)
        .fallback(routes::fallback)
        .with_state(state);
    layers::limits(app, &cors_origins, timeout)
}
