//! `/api/statemachine`: the definition the deployment runs.

use axum::Json;
use axum::extract::State;
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
