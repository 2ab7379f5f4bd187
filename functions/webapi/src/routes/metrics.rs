//! `GET /api/metrics`: counts and rates over every stored message.

use axum::Json;
use axum::extract::State;
use rez_core::ports::Metrics;

use crate::error::ApiError;
use crate::state::ApiState;

/// 200 with the store's metrics.
pub(crate) async fn metrics(State(state): State<ApiState>) -> Result<Json<Metrics>, ApiError> {
    Ok(Json(state.store.metrics().await?))
}
