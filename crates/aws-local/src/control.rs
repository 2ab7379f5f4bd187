//! The harness's own routes on the AWS endpoint, for tests and people:
//!
//! | route | what it does |
//! |---|---|
//! | `POST /_aws-local/faults` | `{"operation", "count", "status", "errorType", "message", "details", "delayMs"}`: the next calls of an operation fail, each after `delayMs` |
//! | `POST /_aws-local/sqs/duplicate` | `{"count"}`: the next batches reach the function twice |
//! | `POST /_aws-local/functions/{name}/kill` | kills the function's running invocations: `{"killed": n}` |
//! | `POST /_aws-local/schedules/{name}/fire` | `{"scheduledTime"}`: the schedule fires for that time now (202) |
//! | `GET /_aws-local/dynamodb/write-units` | the write units counted by table: `{"<table>": {"writes", "table_units", "index_units"}}` (404 when the meter is off) |

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use tokio_util::task::TaskTracker;

use crate::declared::Declared;
use crate::faults::{Faults, InjectedError};
use crate::lambda::LambdaService;
use crate::write_meter::WriteMeter;

/// What the control routes reach.
pub struct Control {
    /// The declarations.
    pub declared: Declared,
    /// The functions.
    pub lambda: LambdaService,
    /// The faults.
    pub faults: Arc<Faults>,
    /// Where schedule firings run.
    pub tasks: TaskTracker,
    /// The DynamoDB write meter, when on.
    pub write_meter: Option<Arc<WriteMeter>>,
}

/// The `/_aws-local` routes.
pub fn router(control: Arc<Control>) -> Router {
    Router::new()
        .route("/_aws-local/faults", post(inject))
        .route("/_aws-local/sqs/duplicate", post(duplicate))
        .route("/_aws-local/functions/{name}/kill", post(kill))
        .route("/_aws-local/schedules/{name}/fire", post(fire))
        .route("/_aws-local/dynamodb/write-units", get(write_units))
        .with_state(control)
}

fn bad_request(code: &str, message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"code": code, "message": message.into()})),
    )
        .into_response()
}

fn not_found(message: impl Into<String>) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"code": "not_found", "message": message.into()})),
    )
        .into_response()
}

async fn inject(State(control): State<Arc<Control>>, body: Bytes) -> Response {
    match serde_json::from_slice::<InjectedError>(&body) {
        Ok(error) => {
            control.faults.inject(error);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request("invalid_json", e.to_string()),
    }
}

#[derive(Deserialize)]
struct Count {
    count: u32,
}

async fn duplicate(State(control): State<Arc<Control>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Count>(&body) {
        Ok(c) => {
            control.faults.duplicate_deliveries(c.count);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request("invalid_json", e.to_string()),
    }
}

async fn kill(State(control): State<Arc<Control>>, Path(name): Path<String>) -> Response {
    let (name, _) = crate::declared::split_function_name(&name);
    match control.lambda.kill_running(name) {
        Ok(killed) => axum::Json(json!({"killed": killed})).into_response(),
        Err(e) => not_found(e.to_string()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fire {
    scheduled_time: DateTime<Utc>,
}

async fn fire(
    State(control): State<Arc<Control>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let Some(schedule) = control
        .declared
        .schedules
        .iter()
        .find(|s| s.name == name)
        .cloned()
    else {
        return not_found(format!("no schedule {name}"));
    };
    let fire = match serde_json::from_slice::<Fire>(&body) {
        Ok(f) => f,
        Err(e) => return bad_request("invalid_json", e.to_string()),
    };
    let arn = crate::scheduler::schedule_arn(&control.declared, &schedule);
    let lambda = control.lambda.clone();
    control.tasks.spawn(async move {
        if let Err(e) = crate::scheduler::fire(&lambda, &schedule, &arn, fire.scheduled_time).await {
            tracing::warn!(schedule = %schedule.name, error = %e, "the schedule's target was not invoked");
        }
    });
    StatusCode::ACCEPTED.into_response()
}

async fn write_units(State(control): State<Arc<Control>>) -> Response {
    match &control.write_meter {
        Some(meter) => axum::Json(meter.counted()).into_response(),
        None => not_found("the write meter is off (Settings::meter_dynamodb_writes)"),
    }
}
