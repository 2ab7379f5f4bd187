//! A local Lambda Runtime API (the `2018-06-01` interface a custom runtime
//! polls), on a loopback port.
//!
//! Events queued with [`RuntimeApi::invoke`] are handed out one by one from
//! `GET /runtime/invocation/next` with the headers Lambda sends; what the
//! function posts back to `/response`, `/error` or `/init/error` is kept
//! and awaited with [`RuntimeApi::outcome`] and [`RuntimeApi::init_error`].

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::HarnessError;

/// The function ARN every invocation carries.
pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:rez-agent-test";
/// How long each invocation may run, as its deadline header says, unless
/// [`RuntimeApi::start_for`] names a function's own timeout.
const INVOCATION_BUDGET: Duration = Duration::from_secs(60);

/// What the function answered for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `POST /invocation/{id}/response` with this JSON body.
    Response(Value),
    /// `POST /invocation/{id}/error`.
    Error(Reported),
}

impl Outcome {
    /// The response body, or `None` for an error.
    pub fn response(&self) -> Option<&Value> {
        match self {
            Outcome::Response(v) => Some(v),
            Outcome::Error(_) => None,
        }
    }

    /// The reported error, or `None` for a response.
    pub fn error(&self) -> Option<&Reported> {
        match self {
            Outcome::Error(e) => Some(e),
            Outcome::Response(_) => None,
        }
    }
}

/// An error the function reported: the Diagnostic body and its header.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Reported {
    /// The body's `errorType`: what Step Functions matches.
    #[serde(rename = "errorType", default)]
    pub error_type: String,
    /// The body's `errorMessage`.
    #[serde(rename = "errorMessage", default)]
    pub error_message: String,
    /// The `Lambda-Runtime-Function-Error-Type` header.
    #[serde(skip)]
    pub header_error_type: Option<String>,
}

/// One queued event.
struct Invocation {
    request_id: String,
    body: Bytes,
}

#[derive(Default)]
struct Inner {
    queue: VecDeque<Invocation>,
    outcomes: HashMap<String, Outcome>,
    init_error: Option<Reported>,
    next_calls: usize,
}

struct Shared {
    inner: Mutex<Inner>,
    /// The ARN each invocation's `Lambda-Runtime-Invoked-Function-Arn` names.
    function_arn: String,
    /// The time each invocation may run, from when it is handed out.
    budget: Duration,
    /// Bumped on every change, so waiters re-check.
    changed: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut Inner)) {
        f(&mut self.lock());
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Waits until `f` finds something, for at most `within`.
    async fn wait_for<T>(
        &self,
        within: Duration,
        mut f: impl FnMut(&mut Inner) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.changed.subscribe();
        tokio::time::timeout(within, async {
            loop {
                if let Some(found) = f(&mut self.lock()) {
                    return Some(found);
                }
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        })
        .await
        .ok()
        .flatten()
    }
}

/// The Runtime API server; stops when dropped.
pub struct RuntimeApi {
    address: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// Serves the Runtime API on a free loopback port, for a test function
    /// ([`FUNCTION_ARN`], 60 s per invocation).
    ///
    /// # Errors
    /// [`HarnessError::Io`] when no port can be bound.
    pub async fn start() -> Result<Self, HarnessError> {
        Self::start_for(FUNCTION_ARN, INVOCATION_BUDGET).await
    }

    /// Serves the Runtime API of the function `function_arn` (the ARN it was
    /// invoked by, alias included) whose invocations may run for `budget`,
    /// as the deadline header tells the function.
    ///
    /// # Errors
    /// [`HarnessError::Io`] when no port can be bound.
    pub async fn start_for(
        function_arn: impl Into<String>,
        budget: Duration,
    ) -> Result<Self, HarnessError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(HarnessError::io("binding the Runtime API"))?;
        let address = listener
            .local_addr()
            .map_err(HarnessError::io("reading the Runtime API's address"))?;
        let shared = Arc::new(Shared {
            inner: Mutex::default(),
            function_arn: function_arn.into(),
            budget,
            changed: watch::channel(0).0,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the Runtime API stopped");
            }
        });
        Ok(Self {
            address,
            shared,
            server,
        })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Queues `event` and returns its request id.
    pub fn invoke(&self, event: &Value) -> String {
        self.invoke_raw(event.to_string())
    }

    /// Queues a raw body (which need not be valid JSON) and returns its request id.
    pub fn invoke_raw(&self, body: impl Into<Bytes>) -> String {
        self.invoke_raw_with_id(&uuid::Uuid::new_v4().to_string(), body)
    }

    /// Queues a raw body under the request id the caller chose (the one its
    /// own Invoke API answers with) and returns it.
    pub fn invoke_raw_with_id(&self, request_id: &str, body: impl Into<Bytes>) -> String {
        let request_id = request_id.to_owned();
        let invocation = Invocation {
            request_id: request_id.clone(),
            body: body.into(),
        };
        self.shared
            .update(|inner| inner.queue.push_back(invocation));
        request_id
    }

    /// What the function answered for `request_id`.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] when it has not answered within `within`.
    pub async fn outcome(
        &self,
        request_id: &str,
        within: Duration,
    ) -> Result<Outcome, HarnessError> {
        self.shared
            .wait_for(within, |inner| inner.outcomes.remove(request_id))
            .await
            .ok_or_else(|| timeout(format!("answer to invocation {request_id}"), within))
    }

    /// Queues `event` and awaits its outcome.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] when the function has not answered within `within`.
    pub async fn call(&self, event: &Value, within: Duration) -> Result<Outcome, HarnessError> {
        let id = self.invoke(event);
        self.outcome(&id, within).await
    }

    /// The error posted to `/init/error`.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] when none arrived within `within`.
    pub async fn init_error(&self, within: Duration) -> Result<Reported, HarnessError> {
        self.shared
            .wait_for(within, |inner| inner.init_error.clone())
            .await
            .ok_or_else(|| timeout("init error".to_owned(), within))
    }

    /// How many times the function asked for its next event (it asks once
    /// it has started, and again after each answer).
    pub fn next_calls(&self) -> usize {
        self.shared.lock().next_calls
    }

    /// Waits until the function has asked for an event `n` times: after
    /// `n = 1` its init has finished.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] when it has not within `within`.
    pub async fn wait_next_calls(&self, n: usize, within: Duration) -> Result<(), HarnessError> {
        self.shared
            .wait_for(within, |inner| (inner.next_calls >= n).then_some(()))
            .await
            .ok_or_else(|| timeout(format!("{n} calls of /invocation/next"), within))
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn timeout(what: String, within: Duration) -> HarnessError {
    HarnessError::Timeout {
        what,
        within,
        log: None,
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    shared.update(|inner| inner.next_calls += 1);
    let Some(invocation) = shared
        .wait_for(Duration::MAX, |inner| inner.queue.pop_front())
        .await
    else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(shared.budget)
        .as_millis();
    let trace_id = format!(
        "Root=1-{:08x}-{};Parent={};Sampled=0",
        deadline / 1000,
        &invocation.request_id.replace('-', "")[..24],
        &invocation.request_id.replace('-', "")[..16]
    );
    (
        [
            ("content-type", "application/json".to_owned()),
            ("lambda-runtime-aws-request-id", invocation.request_id),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                shared.function_arn.clone(),
            ),
            ("lambda-runtime-trace-id", trace_id),
        ],
        invocation.body,
    )
        .into_response()
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    shared.update(|inner| {
        inner.outcomes.insert(id, Outcome::Response(value));
    });
    StatusCode::ACCEPTED
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let reported = reported(&headers, &body);
    shared.update(|inner| {
        inner.outcomes.insert(id, Outcome::Error(reported));
    });
    StatusCode::ACCEPTED
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let reported = reported(&headers, &body);
    shared.update(|inner| inner.init_error = Some(reported));
    StatusCode::ACCEPTED
}

fn reported(headers: &HeaderMap, body: &[u8]) -> Reported {
    let mut reported = serde_json::from_slice(body).unwrap_or_else(|_| Reported {
        error_type: String::new(),
        error_message: String::from_utf8_lossy(body).into_owned(),
        header_error_type: None,
    });
    reported.header_error_type = headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    reported
}

#[cfg(test)]
mod tests;
