//! The one AWS endpoint the functions are given (`AWS_ENDPOINT_URL`), as
//! LocalStack's edge port: the Lambda API, Step Functions calls
//! (`X-Amz-Target: AWSStepFunctions.*`) to `rez-agent stepfunctions`,
//! everything else to moto, and the injected faults in front of both. An
//! execution that `StartSyncExecution` answered for has its history
//! delivered to the state machine's log group once the answer is relayed.
//!
//! DynamoDB writes reach moto one at a time. moto's `TransactWriteItems`
//! deep-copies the whole table, without a lock, to roll back a failed
//! transaction; a write landing during that copy makes moto answer 500
//! ("dictionary changed size during iteration"), a failure DynamoDB itself
//! never has. The harness serialises the writes rather than let moto's race
//! show up as faults nobody injected.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::execution_logs::ExecutionLogs;
use crate::faults::Faults;
use crate::write_meter::WriteMeter;

/// Largest request the edge forwards (DynamoDB's and Step Functions' limits are below it).
const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Where the edge forwards.
pub struct Upstreams {
    /// moto's endpoint.
    pub moto: String,
    /// The Step Functions endpoint, known once it has started.
    pub step_functions: OnceLock<String>,
    /// The injected faults.
    pub faults: Arc<Faults>,
    /// The forwarding client.
    pub client: reqwest::Client,
    /// Where ended executions' histories go; `None` when the state machine
    /// logs nowhere.
    pub execution_logs: Option<ExecutionLogs>,
    /// Held while a DynamoDB write is with moto.
    pub dynamodb_writes: tokio::sync::Mutex<()>,
    /// Counts the write units of each DynamoDB write, when on.
    pub write_meter: Option<Arc<WriteMeter>>,
}

/// The DynamoDB operations that change a table: sent to moto one at a time.
const DYNAMODB_WRITES: [&str; 6] = [
    "DynamoDB_20120810.TransactWriteItems",
    "DynamoDB_20120810.PutItem",
    "DynamoDB_20120810.UpdateItem",
    "DynamoDB_20120810.DeleteItem",
    "DynamoDB_20120810.BatchWriteItem",
    "DynamoDB_20120810.ExecuteStatement",
];

/// The operation whose answer ends an execution the caller waited for.
const START_SYNC_EXECUTION: &str = "AWSStepFunctions.StartSyncExecution";

/// The proxy part of the edge: every request no other route took.
pub fn proxy(upstreams: Arc<Upstreams>) -> Router {
    Router::new()
        .fallback(forward)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(upstreams)
}

async fn forward(State(upstreams): State<Arc<Upstreams>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Some(error) = upstreams.faults.take_error(&target) {
        tracing::info!(operation = %target, error = %error.error_type, "injected fault");
        tokio::time::sleep(std::time::Duration::from_millis(error.delay_ms)).await;
        let mut body = error.details.clone();
        body.insert("__type".to_owned(), error.error_type.clone().into());
        body.insert("message".to_owned(), error.message.clone().into());
        return (
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
            [
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amzn-errortype", error.error_type.as_str()),
            ],
            serde_json::Value::Object(body).to_string(),
        )
            .into_response();
    }
    let base = if target.starts_with("AWSStepFunctions.") {
        match upstreams.step_functions.get() {
            Some(url) => url.clone(),
            None => return unavailable("the Step Functions endpoint has not started"),
        }
    } else {
        upstreams.moto.clone()
    };
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return unavailable("the request body could not be read");
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            headers.append(name.clone(), value.clone());
        }
    }
    let write_turn = if DYNAMODB_WRITES.contains(&target.as_str()) {
        Some(upstreams.dynamodb_writes.lock().await)
    } else {
        None
    };
    let metered = match (&upstreams.write_meter, &write_turn) {
        (Some(meter), Some(_)) => {
            let targets = meter.targets(&target, &body);
            let before = meter.read(&upstreams.client, &base, &targets).await;
            Some((meter, targets, before))
        }
        _ => None,
    };
    let sent = upstreams
        .client
        .request(parts.method, format!("{base}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) => return unavailable(&format!("forwarding to {base}: {e}")),
    };
    let status = answer.status();
    let mut headers = answer.headers().clone();
    let body: Bytes = answer.bytes().await.unwrap_or_default();
    if let Some((meter, targets, before)) = metered {
        let after = meter.read(&upstreams.client, &base, &targets).await;
        meter.record(&targets, &before, &after);
    }
    drop(write_turn);
    if target == START_SYNC_EXECUTION
        && status.is_success()
        && let Some(logs) = &upstreams.execution_logs
    {
        // As on AWS, the logs arrive after the answer, not with it.
        let (logs, base, body) = (logs.clone(), base.clone(), body.clone());
        tokio::spawn(async move { deliver_logs(&logs, &base, &body).await });
    }
    headers.remove("content-length");
    headers.remove("transfer-encoding");
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Delivers the history of the execution `answer` names; a failure is
/// logged, as AWS's own delivery is best-effort.
async fn deliver_logs(logs: &ExecutionLogs, step_functions: &str, answer: &[u8]) {
    let arn = serde_json::from_slice::<serde_json::Value>(answer)
        .ok()
        .and_then(|body| body["executionArn"].as_str().map(str::to_owned));
    let Some(arn) = arn else {
        tracing::warn!("StartSyncExecution answered without an executionArn: no logs delivered");
        return;
    };
    if let Err(e) = logs.deliver(step_functions, &arn).await {
        tracing::warn!(error = %e, "the execution's logs were not delivered");
    }
}

fn unavailable(message: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "application/x-amz-json-1.0")],
        json!({"__type": "ServiceUnavailableException", "message": message}).to_string(),
    )
        .into_response()
}
