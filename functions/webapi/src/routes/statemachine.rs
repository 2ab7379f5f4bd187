//! `/api/statemachine`: the definition the deployment runs.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{ApiState, StateMachineInfo};

/// The definition, or 404 where this deployment does not expose it.
pub(crate) fn info(state: &ApiState) -> Result<&StateMachineInfo, ApiError> {
    state
        .state_machine
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the state machine is not exposed by this deployment"))
}

/// `GET /api/statemachine`: `{"name": …, "definition": {…}}`.
pub(crate) async fn get(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let info = info(&state)?;
    Ok(Json(
        json!({ "name": info.name, "definition": *info.definition }),
    ))
}

/// `GET /api/statemachine/graph.svg`: the definition drawn by `rez-graph`,
/// each state a `<g class="state" data-state="…">` the console colours.
#[cfg(feature = "graph")]
pub(crate) async fn graph_svg(State(state): State<ApiState>) -> Result<Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;

    let info = info(&state)?;
    let graph = rez_graph::StateGraph::from_definition(&info.definition)
        .map_err(|e| ApiError::internal(format!("drawing the state machine: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        graph.to_svg(),
    )
        .into_response())
}

/// `GET /api/statemachine/graph.svg` in a build without the `graph` feature
/// (the Lambda): 404, like every `/api/statemachine` route where the state
/// machine is not exposed.
#[cfg(not(feature = "graph"))]
pub(crate) async fn graph_svg(State(state): State<ApiState>) -> Result<Response, ApiError> {
    info(&state)?;
    Err(ApiError::not_found(
        "drawing the state machine is not built into this deployment",
    ))
}
