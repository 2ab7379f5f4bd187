//! `/api/executions`: the recorded workflow executions, where they are kept.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use rez_core::MessageId;
use rez_core::ports::{
    DEFAULT_LIST_LIMIT, ExecutionPage, ExecutionQuery, ExecutionReader, ExecutionRecord,
    ExecutionStatus, MAX_LIST_LIMIT,
};

use crate::error::ApiError;
use crate::extract::{ApiPath, QueryParams};
use crate::state::ApiState;

const LIST_PARAMS: &[&str] = &["status", "message_id", "limit", "cursor"];

/// The reader, or 404 where executions are not recorded.
fn reader(state: &ApiState) -> Result<&Arc<dyn ExecutionReader>, ApiError> {
    state
        .executions
        .as_ref()
        .ok_or_else(|| ApiError::not_found("executions are not recorded by this deployment"))
}

/// `GET /api/executions`: one page, newest first.
pub(crate) async fn list(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<ExecutionPage>, ApiError> {
    let reader = reader(&state)?;
    let params = QueryParams::parse(query.as_deref(), LIST_PARAMS)?;
    let status = params
        .text("status")
        .map(|text| {
            ExecutionStatus::parse_any_case(text)
                .map_err(|e| ApiError::invalid_query(format!("status: {}", e.message)))
        })
        .transpose()?;
    let message_id = params
        .text("message_id")
        .map(|text| {
            text.parse::<MessageId>()
                .map(String::from)
                .map_err(|err| ApiError::invalid_query(format!("message_id: {}", err.message)))
        })
        .transpose()?;
    let query = ExecutionQuery {
        status,
        message_id,
        limit: params.limit(DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT)?,
        cursor: params.text("cursor").map(str::to_owned),
    };
    Ok(Json(reader.list_executions(&query).await?))
}

/// `GET /api/executions/{id}`: one execution with its history, 404 when unknown.
pub(crate) async fn get(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ExecutionRecord>, ApiError> {
    let reader = reader(&state)?;
    match reader.get_execution(&id).await? {
        Some(record) => Ok(Json(record)),
        None => Err(ApiError::not_found(format!("no execution has id {id}"))),
    }
}
