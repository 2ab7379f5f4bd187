//! The route table: every route, its method, whether it needs the API key,
//! and its handler. `router` builds the Router from it and the OpenAPI test
//! checks the document against it, so neither can drift.

mod dead_letters;
mod executions;
mod health;
mod messages;
mod metrics;
mod schedules;
mod series;
mod statemachine;

use axum::handler::Handler;
use axum::http::{Method, Uri};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::error::ApiError;
use crate::state::ApiState;

/// One method on one path.
pub(crate) struct Route {
    /// The HTTP method.
    pub(crate) method: Method,
    /// The path in axum's syntax (`/api/messages/{id}`), which is also OpenAPI's.
    pub(crate) path: &'static str,
    /// Whether it answers without the API key.
    pub(crate) public: bool,
    /// The handler for `method`.
    pub(crate) handler: MethodRouter<ApiState>,
}

fn route<H, T>(method: Method, path: &'static str, public: bool, handler: H) -> Route
where
    H: Handler<T, ApiState>,
    T: 'static,
{
    // The table only uses methods axum can filter on; the route tests would
    // catch an entry that fell back to GET.
    let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
    Route {
        method,
        path,
        public,
        handler: on(filter, handler),
    }
}

/// Every route the API serves.
pub(crate) fn table() -> Vec<Route> {
    vec![
        route(Method::GET, "/api/health", true, health::health),
        route(Method::GET, "/api/messages", false, messages::list),
        route(Method::POST, "/api/messages", false, messages::create),
        route(Method::GET, "/api/messages/{id}", false, messages::get),
        route(Method::GET, "/api/metrics", false, metrics::metrics),
        route(Method::GET, "/api/metrics/series", false, series::series),
        route(Method::GET, "/api/executions", false, executions::list),
        route(Method::GET, "/api/executions/{id}", false, executions::get),
        route(Method::GET, "/api/schedules", false, schedules::list),
        route(Method::POST, "/api/schedules", false, schedules::create),
        route(
            Method::POST,
            "/api/schedules/preview",
            false,
            schedules::preview,
        ),
        route(Method::GET, "/api/schedules/{id}", false, schedules::get),
        route(Method::PUT, "/api/schedules/{id}", false, schedules::update),
        route(
            Method::DELETE,
            "/api/schedules/{id}",
            false,
            schedules::delete,
        ),
        route(Method::GET, "/api/dlq", false, dead_letters::list),
        route(
            Method::POST,
            "/api/dlq/redrive",
            false,
            dead_letters::redrive,
        ),
        route(Method::GET, "/api/statemachine", false, statemachine::get),
        route(
            Method::GET,
            "/api/statemachine/graph.svg",
            false,
            statemachine::graph_svg,
        ),
        route(
            Method::GET,
            "/api/openapi.json",
            false,
            crate::openapi::document,
        ),
    ]
}

/// Any path no route matches.
pub(crate) async fn fallback(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}
