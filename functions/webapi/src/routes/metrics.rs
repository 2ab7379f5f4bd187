//! `GET /api/metrics`: counts and rates over the messages created in the
//! last [`METRICS_WINDOW_DAYS`] days.

use axum::Json;
use axum::extract::State;
use rez_core::ports::{METRICS_WINDOW_DAYS, Metrics, MetricsWindow};
use serde::Serialize;

use crate::error::ApiError;
use crate::state::ApiState;

/// The metrics, with the window they count.
#[derive(Debug, Serialize)]
pub(crate) struct WindowedMetrics {
    /// The first instant counted (midnight UTC, [`METRICS_WINDOW_DAYS`] − 1
    /// days before today).
    since: String,
    /// How many UTC days are counted, today included.
    window_days: u32,
    #[serde(flatten)]
    metrics: Metrics,
}

/// 200 with the store's metrics over the window ending now.
pub(crate) async fn metrics(
    State(state): State<ApiState>,
) -> Result<Json<WindowedMetrics>, ApiError> {
    let window = MetricsWindow::ending(state.clock.now());
    let metrics = state.store.metrics(window).await?;
    Ok(Json(WindowedMetrics {
        since: rez_core::time::format(window.since()),
        window_days: METRICS_WINDOW_DAYS,
        metrics,
    }))
}
