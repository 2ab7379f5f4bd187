//! Shared test helpers: a stack against a stub ntfy, and API calls on it.

use rez_local::config::UpConfig;
use rez_local::stack::{RunningStack, listen, start};
use serde_json::{Value, json};
use std::time::Duration;
use tempfile::TempDir;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The time scale of in-process tests: a 2 s retry interval becomes 20 ms.
pub const TIME_SCALE: f64 = 0.01;
/// The longest any test waits for something to happen.
pub const WAIT_LIMIT: Duration = Duration::from_secs(20);

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Polls `check` every `every` until it answers `Ok`, and returns that; after
/// `limit` the test fails with the last `Err`, which says what is not so yet.
pub async fn eventually_within<T>(
    limit: Duration,
    every: Duration,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(not_yet) => assert!(tokio::time::Instant::now() < deadline, "{not_yet}"),
        }
        tokio::time::sleep(every).await;
    }
}

/// [`eventually_within`] [`WAIT_LIMIT`].
pub async fn eventually<T>(every: Duration, check: impl AsyncFnMut() -> Result<T, String>) -> T {
    eventually_within(WAIT_LIMIT, every, check).await
}

/// A running stack, its data dir and the stub ntfy it delivers to.
pub struct TestApp {
    pub address: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub ntfy: MockServer,
    pub stack: Option<RunningStack>,
    pub _dir: TempDir,
}

/// The configuration tests start from: port 0, a fresh dir, the stub's topic.
pub fn test_config(dir: &std::path::Path, ntfy: &MockServer) -> UpConfig {
    UpConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        ntfy_url: Some(format!("{}/rez-test", ntfy.uri()).parse().unwrap()),
        ntfy_token: None,
        schedule: "cron(0 12 * * ? 2199)".parse().unwrap(),
        time_scale: TIME_SCALE,
        api_key: None,
        stage: rez_core::Stage::Dev,
        cors_origins: vec![],
        web_api_timeout: rez_webapi::REQUEST_TIMEOUT,
        rate_limit: None,
        execution_retention: std::time::Duration::from_secs(90 * 86_400),
        strict: false,
    }
}

/// Starts a stack delivering to `ntfy`, with `adjust` applied to the config.
pub async fn spawn_app_with(ntfy: MockServer, adjust: impl FnOnce(&mut UpConfig)) -> TestApp {
    spawn_app_in(tempfile::tempdir().unwrap(), ntfy, adjust).await
}

/// Starts a stack on `dir` (which a test may have prepared) delivering to
/// `ntfy`, with `adjust` applied to the config.
pub async fn spawn_app_in(
    dir: TempDir,
    ntfy: MockServer,
    adjust: impl FnOnce(&mut UpConfig),
) -> TestApp {
    init_tracing();
    let mut config = test_config(dir.path(), &ntfy);
    adjust(&mut config);
    let listener = listen::bind(config.listen).await.expect("port 0 binds");
    // The test stops the stack itself (`RunningStack::shutdown`).
    let stack = start(&config, listener, std::future::pending())
        .await
        .expect("the stack starts");
    TestApp {
        address: stack.address,
        client: reqwest::Client::new(),
        ntfy,
        stack: Some(stack),
        _dir: dir,
    }
}

/// Starts a stack delivering to `ntfy`.
pub async fn spawn_app(ntfy: MockServer) -> TestApp {
    spawn_app_with(ntfy, |_| {}).await
}

fn init_tracing() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            rez_local::telemetry::init();
        }
    });
}

/// A stub ntfy that accepts every publish like ntfy.sh does.
pub async fn ntfy_accepting() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok())
        .mount(&server)
        .await;
    server
}

/// ntfy's answer to an accepted publish.
pub fn ntfy_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "ntfy123abc", "time": 1_764_480_000, "expires": 1_764_523_200,
        "event": "message", "topic": "rez-test", "message": "…"
    }))
}

/// ntfy's JSON error body.
pub fn ntfy_error(status: u16, code: u32, error: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"code": code, "http": status, "error": error}))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn post_message(&self, body: Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/messages"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a message and returns its id, asserting the 202.
    pub async fn send(&self, body: Value) -> String {
        let response = self.post_message(body).await;
        assert_eq!(response.status(), 202);
        let message: Value = response.json().await.unwrap();
        message["id"].as_str().unwrap().to_owned()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn message(&self, id: &str) -> Value {
        self.get_json(&format!("/api/messages/{id}")).await
    }

    /// Polls the message until its status is one of `statuses` (bounded).
    pub async fn wait_for_status(&self, id: &str, statuses: &[&str]) -> Value {
        eventually(Duration::from_millis(20), async || {
            let message = self.message(id).await;
            match statuses.iter().any(|s| message["status"] == *s) {
                true => Ok(message),
                false => Err(format!(
                    "message {id} never reached {statuses:?}: {message}"
                )),
            }
        })
        .await
    }

    /// The executions of one message, newest first.
    pub async fn executions_of(&self, message_id: &str) -> Vec<Value> {
        let page = self
            .get_json(&format!(
                "/api/executions?message_id={message_id}&limit=100"
            ))
            .await;
        page["items"].as_array().cloned().unwrap_or_default()
    }

    /// One execution with its history.
    pub async fn execution(&self, execution_id: &str) -> Value {
        let encoded: String = url_encode(execution_id);
        self.get_json(&format!("/api/executions/{encoded}")).await
    }

    /// What the stub ntfy received, as JSON bodies.
    pub async fn publishes(&self) -> Vec<Value> {
        received_bodies(&self.ntfy).await
    }

    pub async fn shutdown(mut self) {
        if let Some(stack) = self.stack.take() {
            stack.shutdown().await.unwrap();
        }
    }

    /// Shuts the stack down and hands back its data dir and ntfy stub, for
    /// a restart on them.
    pub async fn stop(mut self) -> (TempDir, MockServer) {
        if let Some(stack) = self.stack.take() {
            stack.shutdown().await.unwrap();
        }
        (self._dir, self.ntfy)
    }
}

/// The JSON bodies a stub received.
pub async fn received_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r: &Request| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// `text` as one percent-encoded URL path segment.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The names of the states an execution entered, in order.
pub fn states_entered(execution: &Value) -> Vec<String> {
    history(execution)
        .iter()
        .filter(|e| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("StateEntered"))
        })
        .filter_map(|e| {
            e["details"]["stateEnteredEventDetails"]["name"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

/// The event types of an execution's history, in order.
pub fn event_types(execution: &Value) -> Vec<String> {
    history(execution)
        .iter()
        .filter_map(|e| e["type"].as_str().map(str::to_owned))
        .collect()
}

pub fn history(execution: &Value) -> Vec<Value> {
    execution["history"].as_array().cloned().unwrap_or_default()
}
