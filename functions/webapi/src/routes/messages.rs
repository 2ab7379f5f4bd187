//! `/api/messages`: create (store → publish → queued), list and read messages.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rez_core::ports::{
    Created, DEFAULT_LIST_LIMIT, ListQuery, MAX_LIST_LIMIT, MessageEvent, Page, StatusChange,
};
use rez_core::{CreateMessageRequest, Cursor, Message, MessageId, Status, StoreError};

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, IdempotencyKey, QueryParams};
use crate::state::ApiState;

const LIST_PARAMS: &[&str] = &["stage", "status", "message_type", "limit", "cursor"];
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// `POST /api/messages`: 202 with the message, queued for delivery.
///
/// A new message is stored, published, then marked `queued`. A replayed
/// idempotency key answers with the message stored the first time; if that
/// one never got published (the first attempt answered 503), it is published
/// now, so retrying with the same key is how a client recovers.
pub(crate) async fn create(
    State(state): State<ApiState>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<CreateMessageRequest>,
) -> Result<Response, ApiError> {
    let message = request
        .into_message(state.clock.now(), state.stage)
        .map_err(|err| ApiError::validation(&err))?;
    let (message, replayed) = match state.store.create(&message, key.as_deref()).await? {
        Created::New(message) => (message, false),
        Created::Existing(message) => (message, true),
    };
    let message = if message.status == Status::Created {
        enqueue(&state, message).await?
    } else {
        message
    };
    let mut response = (StatusCode::ACCEPTED, Json(&message)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/messages/{}", message.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Publishes a stored message and marks it `queued`.
///
/// A failed publish is 503 and leaves the message `created`. Once published,
/// the request has succeeded: a lost race with the processor (`Conflict`) or
/// a failed status write only changes which status the answer shows.
async fn enqueue(state: &ApiState, message: Message) -> Result<Message, ApiError> {
    let event = MessageEvent {
        message_id: message.id.clone(),
        stage: message.stage,
        message_type: message.message_type,
    };
    state.publisher.publish(&event).await.map_err(|err| {
        ApiError::unavailable(
            "the message was stored but could not be queued; retry with the same Idempotency-Key",
            err.to_string(),
        )
    })?;
    let change = StatusChange::new(
        message.id.clone(),
        &[Status::Created],
        Status::Queued,
        state.clock.now(),
    );
    match state.store.transition(&change).await {
        Ok(queued) => Ok(queued),
        Err(StoreError::Conflict { .. }) => {
            Ok(state.store.get(&message.id).await?.unwrap_or(message))
        }
        Err(err) => {
            tracing::warn!(message_id = %message.id, error = %err, "published but not marked queued");
            Ok(message)
        }
    }
}

/// `GET /api/messages`: one page, newest first.
pub(crate) async fn list(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page>, ApiError> {
    let params = QueryParams::parse(query.as_deref(), LIST_PARAMS)?;
    let mut query = ListQuery {
        stage: params.parsed("stage")?,
        status: params.parsed("status")?,
        message_type: params.parsed("message_type")?,
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
