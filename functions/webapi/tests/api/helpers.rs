//! The test app: the Router over in-memory fakes of the ports, and one
//! helper per way of calling it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use rez_core::memory::{MemoryPublisher, MemoryScheduleStore};
use rez_core::ports::{
    Clock, Created, DeadLetterEntry, DeadLetterList, DeadLetterQueue, ExecutionPage,
    ExecutionQuery, ExecutionReader, ExecutionRecord, HourlyCounts, HourlySeries, ListQuery,
    MessageStore, Metrics, MetricsWindow, Page, QueueCounts, RecordedMetrics, ScheduleRunner,
    ScheduleRunnerError, StatusChange,
};
use rez_core::schedule::{Schedule, ScheduleId};
use rez_core::{IdempotencyKey, Message, MessageId, Stage, StoreError};
use rez_webapi::{ApiKey, ApiState, Schedules, router};
use serde_json::Value;
use tower::ServiceExt;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The JSON log lines written on this thread while it is alive, as the
/// functions write them on AWS.
#[derive(Clone, Default)]
pub(crate) struct LogLines(Arc<Mutex<Vec<u8>>>);

impl LogLines {
    /// Captures this thread's INFO lines and above until the guard drops.
    pub(crate) fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let lines = Self::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::INFO)
            .with_writer(lines.clone())
            .finish();
        (lines.clone(), tracing::subscriber::set_default(subscriber))
    }

    /// Every line so far, parsed.
    pub(crate) fn parsed(&self) -> Vec<Value> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

impl std::io::Write for LogLines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for LogLines {
    type Writer = LogLines;
    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

/// The reference in-memory store ([`rez_core::memory::MemoryStore`]) with
/// faults a test can switch on.
#[derive(Default)]
pub(crate) struct FaultyStore {
    inner: rez_core::memory::MemoryStore,
    /// Every call fails with `Unavailable`.
    pub(crate) unavailable: AtomicBool,
    /// `metrics` takes a minute (to exercise the timeout layer).
    pub(crate) slow: AtomicBool,
    /// `get` panics (to exercise the panic layer).
    pub(crate) panic_on_get: AtomicBool,
}

impl FaultyStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "disk I/O error at /secret/path".into(),
            ));
        }
        Ok(())
    }

    /// Every stored message.
    pub(crate) fn all(&self) -> Vec<Message> {
        self.inner.messages()
    }

    /// One stored message.
    pub(crate) fn message(&self, id: &str) -> Message {
        let id: MessageId = id.parse().unwrap();
        self.all().into_iter().find(|m| m.id == id).unwrap()
    }

    /// Stores `message` directly.
    pub(crate) fn insert(&self, message: Message) {
        self.inner.insert(message);
    }
}

#[async_trait::async_trait]
impl MessageStore for FaultyStore {
    async fn create(
        &self,
        message: &Message,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError> {
        self.check()?;
        self.inner.create(message, key).await
    }

    async fn get(&self, id: &MessageId) -> Result<Option<Message>, StoreError> {
        self.check()?;
        assert!(
            !self.panic_on_get.load(Ordering::SeqCst),
            "the fake store was told to panic"
        );
        self.inner.get(id).await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        self.check()?;
        self.inner.list(query).await
    }

    async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError> {
        self.check()?;
        self.inner.transition(change).await
    }

    async fn metrics(&self, window: MetricsWindow) -> Result<Metrics, StoreError> {
        self.check()?;
        if self.slow.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
        self.inner.metrics(window).await
    }

    async fn hourly_counts(&self, series: HourlySeries) -> Result<Vec<HourlyCounts>, StoreError> {
        self.check()?;
        self.inner.hourly_counts(series).await
    }
}

/// A dead-letter queue held in a Vec; redrive removes the entries.
#[derive(Default)]
pub(crate) struct MemoryDeadLetters(pub(crate) Mutex<Vec<DeadLetterEntry>>);

#[async_trait::async_trait]
impl DeadLetterQueue for MemoryDeadLetters {
    async fn list(&self) -> Result<DeadLetterList, StoreError> {
        let items = self.0.lock().unwrap().clone();
        Ok(DeadLetterList {
            depth: QueueCounts {
                dead: items.len() as u64,
                ..QueueCounts::default()
            },
            items,
        })
    }

    async fn redrive(&self, ids: Option<Vec<String>>) -> Result<u64, StoreError> {
        let mut items = self.0.lock().unwrap();
        let before = items.len();
        items.retain(|d| ids.as_ref().is_some_and(|ids| !ids.contains(&d.id)));
        Ok((before - items.len()) as u64)
    }
}

/// Why the test publisher fails when told to: names a topic ARN, which the
/// API must not show its caller.
pub(crate) const PUBLISH_FAILURE: &str = "topic arn:aws:sns:secret unreachable";

/// A clock stopped at one instant.
pub(crate) struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The instant the fixed clock shows.
pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

/// Executions held in a Vec, newest first.
#[derive(Default)]
pub(crate) struct MemoryExecutions(pub Vec<ExecutionRecord>);

#[async_trait::async_trait]
impl ExecutionReader for MemoryExecutions {
    async fn list_executions(&self, query: &ExecutionQuery) -> Result<ExecutionPage, StoreError> {
        let items = self
            .0
            .iter()
            .map(|r| r.summary.clone())
            .filter(|s| query.status.as_ref().is_none_or(|st| &s.status == st))
            .filter(|s| query.message_id.is_none() || s.message_id == query.message_id)
            .take(query.limit as usize)
            .collect();
        Ok(ExecutionPage {
            items,
            next_cursor: None,
        })
    }

    async fn get_execution(&self, id: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        Ok(self
            .0
            .iter()
            .find(|r| r.summary.execution_id == id)
            .cloned())
    }
}

/// What a call returned, with the body parsed as JSON (Null when empty).
#[derive(Debug)]
pub(crate) struct TestResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) json: Value,
}

impl TestResponse {
    /// Asserts the status and the error shape, and returns the message.
    pub(crate) fn assert_error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{:#}", self.json);
        assert_eq!(self.json["error"]["code"], code, "{:#}", self.json);
        assert_eq!(
            self.json.as_object().map(|o| o.len()),
            Some(1),
            "{:#}",
            self.json
        );
        assert_eq!(self.json["error"].as_object().map(|o| o.len()), Some(2));
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/json");
        self.json["error"]["message"].as_str().unwrap().to_owned()
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// A [`ScheduleRunner`] that records the ids it is told of, and can be
/// told to refuse.
#[derive(Default)]
pub(crate) struct RecordingRunner {
    /// Ids of schedules changed, in order.
    pub(crate) changed: Mutex<Vec<ScheduleId>>,
    /// Ids of schedules deleted, in order.
    pub(crate) deleted: Mutex<Vec<ScheduleId>>,
    /// Every call fails.
    pub(crate) failing: AtomicBool,
}

impl RecordingRunner {
    fn check(&self) -> Result<(), ScheduleRunnerError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(ScheduleRunnerError("Scheduler throttled".into()));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl ScheduleRunner for RecordingRunner {
    async fn schedule_changed(&self, schedule: &Schedule) -> Result<(), ScheduleRunnerError> {
        self.check()?;
        self.changed.lock().unwrap().push(schedule.id.clone());
        Ok(())
    }

    async fn schedule_deleted(&self, id: &ScheduleId) -> Result<(), ScheduleRunnerError> {
        self.check()?;
        self.deleted.lock().unwrap().push(id.clone());
        Ok(())
    }
}

/// The Router over fresh fakes.
pub(crate) struct TestApp {
    pub(crate) store: Arc<FaultyStore>,
    pub(crate) publisher: Arc<MemoryPublisher>,
    pub(crate) metrics: Arc<RecordedMetrics>,
    pub(crate) state: ApiState,
}

impl TestApp {
    /// Auth off, no executions, stage dev.
    pub(crate) fn new() -> Self {
        init_tracing();
        let store = Arc::new(FaultyStore::default());
        let publisher = Arc::new(MemoryPublisher::default());
        let metrics = Arc::new(RecordedMetrics::default());
        let state = ApiState {
            store: store.clone(),
            publisher: publisher.clone(),
            submitter: Arc::new(rez_core::StoreThenPublish::new(
                store.clone(),
                publisher.clone(),
            )),
            clock: Arc::new(FixedClock(now())),
            executions: None,
            dead_letters: None,
            schedules: None,
            metrics: metrics.clone(),
            state_machine: None,
            api_key: None,
            stage: Stage::Dev,
            cors_origins: Vec::new(),
        };
        Self {
            store,
            publisher,
            metrics,
            state,
        }
    }

    /// The same app with an API key.
    pub(crate) fn with_key(mut self, key: &str) -> Self {
        self.state.api_key = Some(ApiKey::new(key).unwrap());
        self
    }

    /// The same app with a schedule store and a runner that records what it
    /// is told.
    pub(crate) fn with_schedules(
        mut self,
    ) -> (Self, Arc<MemoryScheduleStore>, Arc<RecordingRunner>) {
        let store = Arc::new(MemoryScheduleStore::new());
        let runner = Arc::new(RecordingRunner::default());
        self.state.schedules = Some(Schedules {
            store: store.clone(),
            runner: runner.clone(),
        });
        (self, store, runner)
    }

    /// The same app with executions.
    pub(crate) fn with_executions(mut self, records: Vec<ExecutionRecord>) -> Self {
        self.state.executions = Some(Arc::new(MemoryExecutions(records)));
        self
    }

    /// The same app with a dead-letter queue holding `entries`.
    pub(crate) fn with_dead_letters(mut self, entries: Vec<DeadLetterEntry>) -> Self {
        self.state.dead_letters = Some(Arc::new(MemoryDeadLetters(Mutex::new(entries))));
        self
    }

    /// The same app exposing `definition` as state machine `name`.
    pub(crate) fn with_state_machine(mut self, name: &str, definition: Value) -> Self {
        self.state.state_machine = Some(rez_webapi::StateMachineInfo {
            name: name.into(),
            definition: Arc::new(definition),
        });
        self
    }

    /// `POST path` with a raw body and content type.
    pub(crate) async fn post_to(&self, path: &str, body: &str, content_type: &str) -> TestResponse {
        let req = request(Method::POST, path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(req).await
    }

    fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Sends `request` through a fresh Router.
    pub(crate) async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        TestResponse {
            status,
            headers,
            json,
        }
    }

    /// `GET path`.
    pub(crate) async fn get(&self, path: &str) -> TestResponse {
        self.send(request(Method::GET, path).body(Body::empty()).unwrap())
            .await
    }

    /// `method path` with `body` as JSON.
    pub(crate) async fn json(&self, method: Method, path: &str, body: Value) -> TestResponse {
        let req = request(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// `POST /api/messages` with `body` as JSON.
    pub(crate) async fn create(&self, body: Value) -> TestResponse {
        self.post_raw(&body.to_string(), "application/json").await
    }

    /// `POST /api/messages` with a raw body and content type.
    pub(crate) async fn post_raw(&self, body: &str, content_type: &str) -> TestResponse {
        let req = request(Method::POST, "/api/messages")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(req).await
    }
}

/// A request builder for `method path`.
pub(crate) fn request(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path)
}

fn init_tracing() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_test_writer()
                .with_env_filter("debug")
                .init();
        }
    });
}
