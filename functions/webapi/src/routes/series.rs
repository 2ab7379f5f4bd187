//! `GET /api/metrics/series`: messages per hour by status.

use axum::Json;
use axum::extract::{RawQuery, State};
use rez_core::ports::{HourlyCounts, HourlySeries, MAX_SERIES_HOURS};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::ApiState;

const PARAMS: &[&str] = &["hours"];
/// Hours when the request names none.
const DEFAULT_HOURS: u32 = 24;

/// The series: `hours` buckets, oldest first, ending with the current hour.
#[derive(Debug, Serialize)]
pub(crate) struct Series {
    hours: u32,
    buckets: Vec<HourlyCounts>,
}

/// 200 with the series of the last `hours` (1–168, default 24) hours.
pub(crate) async fn series(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Series>, ApiError> {
    let params = QueryParams::parse(query.as_deref(), PARAMS)?;
    let invalid = || {
        ApiError::invalid_query(format!(
            "hours: must be a whole number from 1 to {MAX_SERIES_HOURS}"
        ))
    };
    let hours = match params.text("hours") {
        None => DEFAULT_HOURS,
        Some(text) => text.parse::<u32>().map_err(|_| invalid())?,
    };
    if !(1..=MAX_SERIES_HOURS).contains(&hours) {
        return Err(invalid());
    }
    let series = HourlySeries::new(state.clock.now(), hours);
    let buckets = state.store.hourly_counts(series).await?;
    Ok(Json(Series { hours, buckets }))
}
