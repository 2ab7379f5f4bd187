//! `/api/dlq`: the dead-letter queue, where it is kept, and its redrive.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use rez_core::ports::{DeadLetterList, DeadLetterQueue};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::OptionalApiJson;
use crate::state::ApiState;

/// Most ids one redrive may name.
const MAX_REDRIVE_IDS: usize = 1000;

/// The queue, or 404 where this deployment does not expose it.
fn queue(state: &ApiState) -> Result<&Arc<dyn DeadLetterQueue>, ApiError> {
    state.dead_letters.as_ref().ok_or_else(|| {
        ApiError::not_found("the dead-letter queue is not exposed by this deployment")
    })
}

/// `GET /api/dlq`: every dead letter, oldest first, and the queue's depth.
pub(crate) async fn list(State(state): State<ApiState>) -> Result<Json<DeadLetterList>, ApiError> {
    Ok(Json(queue(&state)?.list().await?))
}

/// The optional body of a redrive.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedriveRequest {
    /// Only these dead letters; all of them when the body is left out.
    ids: Vec<String>,
}

/// What a redrive did.
#[derive(Debug, Serialize)]
pub(crate) struct Redriven {
    /// How many dead letters went back to the queue.
    redriven: u64,
}

/// `POST /api/dlq/redrive`: moves the named dead letters (or all) back to
/// the queue with their receive count reset.
pub(crate) async fn redrive(
    State(state): State<ApiState>,
    OptionalApiJson(body): OptionalApiJson<RedriveRequest>,
) -> Result<Json<Redriven>, ApiError> {
    let queue = queue(&state)?;
    let ids = body.map(|body| body.ids);
    if let Some(ids) = &ids
        && (ids.is_empty() || ids.len() > MAX_REDRIVE_IDS)
    {
        return Err(ApiError::new(
            crate::error::ErrorCode::ValidationFailed,
            format!(
                "ids: must hold 1 to {MAX_REDRIVE_IDS} ids (leave the body out to redrive all)"
            ),
        ));
    }
    let redriven = queue.redrive(ids).await?;
    Ok(Json(Redriven { redriven }))
}
