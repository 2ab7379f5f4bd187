//! `/api/messages`: create (store queued → publish), list and read messages.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rez_core::ports::{DEFAULT_LIST_LIMIT, ListQuery, MAX_LIST_LIMIT, MetricEvent, Page};
use rez_core::schedule::ScheduleId;
use rez_core::{CreateMessageRequest, Cursor, Message, MessageId, SubmitError, Submitted};

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, IdempotencyKeyHeader, QueryParams};
use crate::state::ApiState;

const LIST_PARAMS: &[&str] = &[
    "stage",
    "status",
    "message_type",
    "schedule_id",
    "limit",
    "cursor",
];
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// `POST /api/messages`: 202 with the message, queued for delivery.
///
/// A new message is stored `queued`, then published (in one write where the
/// stack has an atomic submitter). A replayed
/// idempotency key answers with the message stored the first time; if that
/// one never got published (the first attempt answered 503), it is published
/// now, so retrying with the same key is how a client recovers.
pub(crate) async fn create(
    State(state): State<ApiState>,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    ApiJson(request): ApiJson<CreateMessageRequest>,
) -> Result<Response, ApiError> {
    let message = request
        .into_message(state.clock.now(), state.stage)
        .map_err(|err| ApiError::validation(&err))?;
    let submitted = state
        .submitter
        .submit(&message, key.as_ref())
        .await
    .map_err(|err| match err {
        SubmitError::Store(err) => ApiError::from(err),
        SubmitError::Publish(err) => ApiError::unavailable(
            "the message was stored but could not be queued; retry with the same Idempotency-Key",
            err.to_string(),
        ),
    })?;
    if let Submitted::Accepted(accepted) = &submitted {
        state.metrics.record(&MetricEvent::created(accepted));
    }
    let message = submitted.message();
    tracing::Span::current().record("message_id", tracing::field::display(&message.id));
    tracing::info!(
        target: crate::ACCEPTED_LOG_TARGET,
        message_id = %message.id,
        replayed = matches!(submitted, Submitted::Replayed(_)),
        "message accepted"
    );
    let mut response = (StatusCode::ACCEPTED, Json(message)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/messages/{}", message.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if matches!(submitted, Submitted::Replayed(_)) {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// `GET /api/messages`: one page, newest first; `schedule_id` narrows it to
/// the messages that schedule fired.
pub(crate) async fn list(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page>, ApiError> {
    let params = QueryParams::parse(query.as_deref(), LIST_PARAMS)?;
    let mut query = ListQuery {
        stage: params.parsed("stage")?,
        status: params.parsed("status")?,
        message_type: params.parsed("message_type")?,
        schedule_id: params
            .text("schedule_id")
            .map(|text| {
                text.parse::<ScheduleId>()
                    .map_err(|err| ApiError::invalid_query(format!("schedule_id: {}", err.message)))
            })
            .transpose()?,
        limit: params.limit(DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT)?,
        cursor: None,
    };
    if let Some(text) = params.text("cursor") {
        let cursor = Cursor::decode(text, &query.filter_fingerprint())
            .map_err(|err| ApiError::invalid_cursor(&err))?;
        query.cursor = Some(cursor);
    }
    Ok(Json(state.store.list(&query).await?))
}

/// `GET /api/messages/{id}`: the message, 404 when unknown, 400 when not an id.
pub(crate) async fn get(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Message>, ApiError> {
    let id: MessageId = id.parse().map_err(|err| ApiError::validation(&err))?;
    match state.store.get(&id).await? {
        Some(message) => Ok(Json(message)),
        None => Err(ApiError::not_found(format!("no message has id {id}"))),
    }
}
