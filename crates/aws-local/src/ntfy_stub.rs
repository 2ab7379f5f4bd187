//! A stand-in ntfy server on loopback: it keeps every publish it receives
//! and answers with the statuses it is told to (ntfy's JSON on 200), so
//! tests and people can see what would have reached the phone.
//!
//! Besides ntfy's publish (`POST /` with JSON, `POST`/`PUT /<topic>`), it
//! serves `GET /_stub/received` (what it received) and
//! `POST /_stub/answers` (`{"statuses": [503, 503, 200], "delayMs": 0}`:
//! the next answers, then 200 again; an optional `"codes": [50300, …]` gives
//! the ntfy error codes of the failing ones, such as 42908 for a used-up
//! daily quota, where the default is the status × 100).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::AwsLocalError;

/// One publish the stub received.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Received {
    /// `POST` or `PUT`.
    pub method: String,
    /// The request path (`/` for JSON publishing).
    pub path: String,
    /// The `Authorization` header, when sent.
    pub authorization: Option<String>,
    /// The body: JSON when it parses, else the text.
    pub body: Value,
    /// The status it was answered with.
    pub status: u16,
    /// When it arrived (before any scripted delay).
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// One answer the stub is told to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StubAnswer {
    /// The HTTP status.
    pub status: u16,
    /// For an error, ntfy's error code (default: the status × 100).
    pub code: Option<u32>,
    /// How long to wait before answering (default: the script's delay). A
    /// wait past the client's timeout is a hang: the publish is received,
    /// and nobody reads its answer.
    pub delay: Option<Duration>,
    /// A `Retry-After` header, in seconds.
    pub retry_after: Option<u32>,
}

impl StubAnswer {
    /// An answer with `status` and nothing else.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            code: None,
            delay: None,
            retry_after: None,
        }
    }

    /// A 200 given only after `delay`.
    pub fn hang(delay: Duration) -> Self {
        Self {
            delay: Some(delay),
            ..Self::status(200)
        }
    }
}

#[derive(Default)]
struct Script {
    answers: VecDeque<StubAnswer>,
    delay: Duration,
    received: Vec<Received>,
}

/// The stub; stops when its token is cancelled.
#[derive(Clone)]
pub struct NtfyStub {
    address: SocketAddr,
    script: Arc<Mutex<Script>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answers {
    statuses: Vec<u16>,
    #[serde(default)]
    codes: Vec<u32>,
    #[serde(default)]
    delay_ms: u64,
}

impl NtfyStub {
    /// Serves on `listen` until `stop` is cancelled.
    ///
    /// # Errors
    /// [`AwsLocalError::Io`] when it cannot bind.
    pub async fn start(listen: SocketAddr, stop: CancellationToken) -> Result<Self, AwsLocalError> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(AwsLocalError::io(format!(
                "binding the ntfy stub on {listen}"
            )))?;
        let address = listener
            .local_addr()
            .map_err(AwsLocalError::io("reading the ntfy stub's address"))?;
        let stub = Self {
            address,
            script: Arc::default(),
        };
        let app = Router::new()
            .route("/_stub/received", get(received).delete(forget))
            .route("/_stub/answers", post(set_answers))
            .fallback(publish)
            .with_state(stub.clone());
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the ntfy stub stopped");
            }
        });
        Ok(stub)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every publish so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// The next answers (then 200 again), each after `delay`.
    pub fn answer_with(&self, statuses: &[u16], delay: Duration) {
        self.answer_with_codes(statuses, &[], delay);
    }

    /// The next answers (then 200 again), each after `delay`; the failing
    /// ones carry ntfy's error codes `codes` in order (status × 100 past
    /// their end), as ntfy answers 429 with 42908 once the day's quota is
    /// used up.
    pub fn answer_with_codes(&self, statuses: &[u16], codes: &[u32], delay: Duration) {
        let answers = statuses.iter().enumerate().map(|(i, status)| StubAnswer {
            code: codes.get(i).copied(),
            ..StubAnswer::status(*status)
        });
        self.script(answers, delay);
    }

    /// The next answers (then 200 again); those without a delay of their
    /// own are given after `delay`.
    pub fn script(&self, answers: impl IntoIterator<Item = StubAnswer>, delay: Duration) {
        let mut script = self.lock();
        script.answers = answers.into_iter().collect();
        script.delay = delay;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn received(State(stub): State<NtfyStub>) -> Response {
    axum::Json(stub.received()).into_response()
}

async fn forget(State(stub): State<NtfyStub>) -> StatusCode {
    stub.lock().received.clear();
    StatusCode::NO_CONTENT
}

async fn set_answers(State(stub): State<NtfyStub>, body: Bytes) -> Response {
    match serde_json::from_slice::<Answers>(&body) {
        Ok(a) => {
            stub.answer_with_codes(&a.statuses, &a.codes, Duration::from_millis(a.delay_ms));
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"code": "invalid_json", "message": e.to_string()})),
        )
            .into_response(),
    }
}

async fn publish(
    State(stub): State<NtfyStub>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::POST && method != Method::PUT {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let received_at = chrono::Utc::now();
    let body_value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let (answer, delay) = {
        let mut script = stub.lock();
        let answer = script
            .answers
            .pop_front()
            .unwrap_or(StubAnswer::status(200));
        (answer, answer.delay.unwrap_or(script.delay))
    };
    let status = answer.status;
    let topic = body_value.get("topic").and_then(Value::as_str).map_or_else(
        || uri.path().trim_start_matches('/').to_owned(),
        str::to_owned,
    );
    stub.lock().received.push(Received {
        method: method.to_string(),
        path: uri.path().to_owned(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body_value.clone(),
        status,
        received_at,
    });
    // Recorded on arrival, so a test sees a publish while its answer waits.
    tokio::time::sleep(delay).await;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if status.is_success() {
        let answer = json!({
            "id": uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
            "time": chrono::Utc::now().timestamp(),
            "event": "message",
            "topic": topic,
            "message": body_value.get("message").cloned().unwrap_or(Value::Null),
        });
        (status, axum::Json(answer)).into_response()
    } else {
        let mut response = (
            status,
            axum::Json(json!({
                "code": answer.code.unwrap_or(u32::from(status.as_u16()) * 100),
                "http": status.as_u16(),
                "error": "stub answer",
            })),
        )
            .into_response();
        if let Some(seconds) = answer.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
