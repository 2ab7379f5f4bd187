//! `/api/schedules`: the schedules people define.
//!
//! The store is written first and the runner (EventBridge Scheduler, or the
//! embedded stack's loop) told after; when the runner cannot take a change,
//! the store is put back as it was and the answer is 503, so what the API
//! shows is what fires.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rez_core::Cursor;
use rez_core::ports::{
    DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, SCHEDULE_LIST_FILTERS, ScheduleQuery, ScheduleStoreError,
};
use rez_core::schedule::{
    CreateScheduleRequest, Schedule, ScheduleId, ScheduleOwner, UpdateScheduleRequest,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, QueryParams};
use crate::state::{ApiState, Schedules};

const LIST_PARAMS: &[&str] = &["limit", "cursor"];

/// A schedule as the API shows it: its fields and its next fire times.
#[derive(Debug, Serialize)]
pub(crate) struct ScheduleView {
    #[serde(flatten)]
    schedule: Schedule,
    /// The next five fire times; none while it is disabled.
    next_fire_times: Vec<DateTime<Utc>>,
}

impl ScheduleView {
    fn of(schedule: Schedule, now: DateTime<Utc>) -> Self {
        let next_fire_times = schedule.next_fire_times(now);
        Self {
            schedule,
            next_fire_times,
        }
    }
}

/// One page of schedules.
#[derive(Debug, Serialize)]
pub(crate) struct SchedulePageView {
    items: Vec<ScheduleView>,
    next_cursor: Option<String>,
}

/// The schedules, or 404 where this deployment does not run them.
fn schedules(state: &ApiState) -> Result<&Schedules, ApiError> {
    state
        .schedules
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this deployment does not run schedules"))
}

impl From<ScheduleStoreError> for ApiError {
    fn from(err: ScheduleStoreError) -> Self {
        match err {
            ScheduleStoreError::NotFound(id) => Self::not_found(format!("no schedule has id {id}")),
            ScheduleStoreError::Changed(id) => Self::conflict(format!(
                "schedule {id} changed while this request was changing it: read it again and retry"
            )),
            ScheduleStoreError::Unavailable(_) => Self::unavailable(
                "the schedule store is unavailable; try again later",
                err.to_string(),
            ),
            ScheduleStoreError::AlreadyExists(_) | ScheduleStoreError::Corrupt(_) => {
                Self::internal(err.to_string())
            }
        }
    }
}

/// The stored schedule `id`, 404 when there is none, 400 when `id` is not one.
async fn stored(schedules: &Schedules, id: &str) -> Result<Schedule, ApiError> {
    let id: ScheduleId = id.parse().map_err(|err| ApiError::validation(&err))?;
    schedules
        .store
        .get_schedule(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no schedule has id {id}")))
}

/// Refuses to change what the deployment's configuration owns.
fn changeable(schedule: &Schedule) -> Result<(), ApiError> {
    match schedule.owner {
        ScheduleOwner::Api => Ok(()),
        ScheduleOwner::Configuration => Err(ApiError::conflict(format!(
            "schedule {} is the deployment's own (schedulerCron or --schedule): change it there",
            schedule.id
        ))),
    }
}

/// 503 for a change the runner did not take (the store was put back).
fn not_running(err: &impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(
        "the scheduler did not take the change, and nothing was changed; try again later",
        err.to_string(),
    )
}

/// `POST /api/schedules`: 201 with the new schedule and its next fire times.
pub(crate) async fn create(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<CreateScheduleRequest>,
) -> Result<Response, ApiError> {
    let schedules = schedules(&state)?;
    let now = state.clock.now();
    let schedule = request
        .into_schedule(now, state.stage)
        .map_err(|err| ApiError::validation(&err))?;
    schedules.store.create_schedule(&schedule).await?;
    if let Err(err) = schedules.runner.schedule_changed(&schedule).await {
        if let Err(undo) = schedules.store.delete_schedule(&schedule.id).await {
            tracing::error!(schedule_id = %schedule.id, error = %undo, "a schedule the runner refused stays stored");
        }
        return Err(not_running(&err));
    }
    tracing::info!(schedule_id = %schedule.id, "schedule created");
    let mut response = (
        StatusCode::CREATED,
        Json(ScheduleView::of(schedule.clone(), now)),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/schedules/{}", schedule.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The body of `POST /api/schedules/preview`: the timing fields of
/// [`CreateScheduleRequest`], as that body takes them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreviewRequest {
    #[serde(default)]
    expression: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    start_date: Option<DateTime<Utc>>,
    #[serde(default)]
    end_date: Option<DateTime<Utc>>,
}

/// The answer of `POST /api/schedules/preview`.
#[derive(Debug, Serialize)]
pub(crate) struct PreviewView {
    /// The next five fire times of a schedule with this timing made now.
    next_fire_times: Vec<DateTime<Utc>>,
}

/// `POST /api/schedules/preview`: 200 with the next fire times a schedule
/// with the body's timing would have if it were created now, or the 400
/// that creating it would answer for that timing; nothing is stored.
pub(crate) async fn preview(
    State(state): State<ApiState>,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> Result<Json<PreviewView>, ApiError> {
    schedules(&state)?;
    let request = CreateScheduleRequest {
        expression: request.expression,
        timezone: request.timezone,
        start_date: request.start_date,
        end_date: request.end_date,
        ..CreateScheduleRequest::default()
    };
    let next_fire_times = request
        .next_fire_times(state.clock.now())
        .map_err(|err| ApiError::validation(&err))?;
    Ok(Json(PreviewView { next_fire_times }))
}

/// `GET /api/schedules`: one page, newest first.
pub(crate) async fn list(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SchedulePageView>, ApiError> {
    let schedules = schedules(&state)?;
    let params = QueryParams::parse(query.as_deref(), LIST_PARAMS)?;
    let mut query = ScheduleQuery {
        cursor: None,
        limit: params.limit(DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT)?,
    };
    if let Some(text) = params.text("cursor") {
        query.cursor = Some(
            Cursor::decode(text, SCHEDULE_LIST_FILTERS)
                .map_err(|err| ApiError::invalid_cursor(&err))?,
        );
    }
    let page = schedules.store.list_schedules(&query).await?;
    let now = state.clock.now();
    Ok(Json(SchedulePageView {
        items: page
            .items
            .into_iter()
            .map(|s| ScheduleView::of(s, now))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `GET /api/schedules/{id}`.
pub(crate) async fn get(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ScheduleView>, ApiError> {
    let schedule = stored(schedules(&state)?, &id).await?;
    Ok(Json(ScheduleView::of(schedule, state.clock.now())))
}

/// `PUT /api/schedules/{id}`: changes what the body names (`{"state":
/// "DISABLED"}` pauses, `{"state": "ENABLED"}` resumes); 200 with the schedule.
pub(crate) async fn update(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<UpdateScheduleRequest>,
) -> Result<Json<ScheduleView>, ApiError> {
    let schedules = schedules(&state)?;
    let current = stored(schedules, &id).await?;
    changeable(&current)?;
    let now = state.clock.now();
    let changed = request
        .apply(&current, now, state.stage)
        .map_err(|err| ApiError::validation(&err))?;
    schedules
        .store
        .replace_schedule(&changed, current.updated_date)
        .await?;
    if let Err(err) = schedules.runner.schedule_changed(&changed).await {
        if let Err(undo) = schedules
            .store
            .replace_schedule(&current, changed.updated_date)
            .await
        {
            tracing::error!(schedule_id = %changed.id, error = %undo, "a change the runner refused stays stored");
        }
        return Err(not_running(&err));
    }
    tracing::info!(schedule_id = %changed.id, "schedule changed");
    Ok(Json(ScheduleView::of(changed, now)))
}

/// `DELETE /api/schedules/{id}`: 204.
pub(crate) async fn delete(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let schedules = schedules(&state)?;
    let current = stored(schedules, &id).await?;
    changeable(&current)?;
    schedules.store.delete_schedule(&current.id).await?;
    if let Err(err) = schedules.runner.schedule_deleted(&current.id).await {
        if let Err(undo) = schedules.store.create_schedule(&current).await {
            tracing::error!(schedule_id = %current.id, error = %undo, "a deletion the runner refused stays done");
        }
        return Err(not_running(&err));
    }
    tracing::info!(schedule_id = %current.id, "schedule deleted");
    Ok(StatusCode::NO_CONTENT)
}
