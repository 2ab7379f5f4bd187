//! Fault-injection helpers: the real `rez-agent up` as a child process (so it
//! can be SIGKILLed, SIGTERMed or started under a file-size limit), an ntfy
//! stub on loopback whose answers the test controls, and API reads.

use crate::helpers::eventually_within;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What the stub answered to one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 200 with an id.
    Accepted,
    /// 500 or 503.
    ServerError(u16),
    /// 429 with `Retry-After`.
    RateLimited,
    /// No answer until long after the task timeout (then a 200 nobody reads).
    Hang,
}

/// How the stub chooses its answers.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// 25 % 500/503, 10 % 429 + `Retry-After`, 5 % a hang of `hang`, else 200.
    ///
    /// The answer to the k-th publish of a notification text is drawn from an
    /// RNG seeded with (`seed`, text, k), so a seed repeats every message's
    /// sequence of answers whatever order the publishes arrive in.
    Chaos {
        /// The run's seed.
        seed: u64,
        /// How long a hang lasts.
        hang: Duration,
    },
    /// Every publish is accepted after `delay`.
    Slow(Duration),
    /// Every publish hangs for `d` (far past any timeout), then gets a 200 nobody reads.
    Hang(Duration),
}

/// One publish the stub received.
#[derive(Debug, Clone)]
pub struct Publish {
    /// The `sequence_id` (the message id).
    pub sequence_id: String,
    /// When it arrived, before the stub answered.
    pub at: DateTime<Utc>,
    /// What the stub answered.
    pub answer: Answer,
}

struct StubState {
    behaviour: Mutex<Behaviour>,
    publishes: Mutex<Vec<Publish>>,
    seen: Mutex<HashMap<String, u64>>,
    next_id: AtomicU64,
    in_flight: AtomicU64,
}

/// An ntfy stub on loopback: accepts JSON publishes at its root.
#[derive(Clone)]
pub struct NtfyStub {
    /// Where it listens.
    pub address: SocketAddr,
    state: Arc<StubState>,
}

impl NtfyStub {
    /// Starts the stub on a free loopback port.
    pub async fn start(behaviour: Behaviour) -> NtfyStub {
        let state = Arc::new(StubState {
            behaviour: Mutex::new(behaviour),
            publishes: Mutex::new(Vec::new()),
            seen: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            in_flight: AtomicU64::new(0),
        });
        let app = Router::new()
            .fallback(axum::routing::post(publish))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        NtfyStub { address, state }
    }

    /// The topic URL to give `--ntfy-url`.
    pub fn topic_url(&self) -> String {
        format!("http://{}/rez-test", self.address)
    }

    /// Answers from now on as `behaviour` says.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
    }

    /// Every publish received so far, in arrival order.
    pub fn publishes(&self) -> Vec<Publish> {
        self.state.publishes.lock().unwrap().clone()
    }

    /// Publishes received and not answered yet.
    pub fn in_flight(&self) -> u64 {
        self.state.in_flight.load(Ordering::SeqCst)
    }
}

async fn publish(State(state): State<Arc<StubState>>, body: Bytes) -> Response {
    let at = Utc::now();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let sequence_id = json["sequence_id"].as_str().unwrap_or_default().to_owned();
    let text = json["message"].as_str().unwrap_or_default().to_owned();
    let nth = {
        let mut seen = state.seen.lock().unwrap();
        let n = seen.entry(text.clone()).or_default();
        *n += 1;
        *n
    };
    let behaviour = *state.behaviour.lock().unwrap();
    let (answer, delay) = match behaviour {
        Behaviour::Chaos { seed, hang } => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (seed, &text, nth).hash(&mut hasher);
            let roll: f64 = StdRng::seed_from_u64(hasher.finish()).random();
            match roll {
                r if r < 0.125 => (Answer::ServerError(500), Duration::ZERO),
                r if r < 0.25 => (Answer::ServerError(503), Duration::ZERO),
                r if r < 0.35 => (Answer::RateLimited, Duration::ZERO),
                r if r < 0.40 => (Answer::Hang, hang),
                _ => (Answer::Accepted, Duration::ZERO),
            }
        }
        Behaviour::Slow(delay) => (Answer::Accepted, delay),
        Behaviour::Hang(delay) => (Answer::Hang, delay),
    };
    state.publishes.lock().unwrap().push(Publish {
        sequence_id,
        at,
        answer,
    });
    state.in_flight.fetch_add(1, Ordering::SeqCst);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    match answer {
        Answer::Accepted | Answer::Hang => {
            let n = state.next_id.fetch_add(1, Ordering::SeqCst);
            Json(json!({
                "id": format!("stub{n:08}"), "time": Utc::now().timestamp(),
                "event": "message", "topic": "rez-test", "message": text
            }))
            .into_response()
        }
        Answer::ServerError(status) => (
            StatusCode::from_u16(status).unwrap(),
            Json(json!({"code": 50001, "http": status, "error": "internal server error"})),
        )
            .into_response(),
        Answer::RateLimited => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({"code": 42901, "http": 429, "error": "limit reached"})),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}

use axum::Json;

/// How to start `rez-agent up`.
#[derive(Debug, Clone)]
pub struct AgentOptions {
    /// `--time-scale`.
    pub time_scale: f64,
    /// A file-size limit in bytes (RLIMIT_FSIZE, with SIGXFSZ ignored so
    /// writes past it fail with EFBIG: a full disk, without privileges).
    pub file_size_limit: Option<u64>,
}

/// Log lines of a child kept for a failure's message.
pub const LOG_TAIL: usize = 100;

/// A running `rez-agent up` child process.
pub struct Agent {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its process id.
    pub pid: u32,
    panics: Arc<Mutex<Vec<String>>>,
    tail: Arc<Mutex<std::collections::VecDeque<String>>>,
}

/// Starts `rez-agent up` on `dir`, delivering to `ntfy_url`, and waits until it listens.
pub async fn start_agent(dir: &std::path::Path, ntfy_url: &str, options: &AgentOptions) -> Agent {
    let binary = env!("CARGO_BIN_EXE_rez-agent");
    let mut command = match options.file_size_limit {
        // `ulimit -f` counts 512-byte blocks in POSIX shells; ignored signals
        // stay ignored across `exec`.
        Some(bytes) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!(
                    "trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"",
                    bytes.div_ceil(512)
                ))
                .arg(binary);
            c
        }
        None => Command::new(binary),
    };
    command
        .args([
            "up",
            "--listen",
            "127.0.0.1:0",
            "--schedule",
            "cron(0 12 * * ? 2199)",
        ])
        .arg("--time-scale")
        .arg(options.time_scale.to_string())
        .arg("--data-dir")
        .arg(dir)
        .arg("--ntfy-url")
        .arg(ntfy_url)
        .env_remove("REZ_API_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("rez-agent starts");
    let pid = child.id().expect("the child has a pid");
    let panics = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().expect("stderr is piped");
    let seen = panics.clone();
    let tail: Arc<Mutex<std::collections::VecDeque<String>>> = Arc::default();
    let kept = tail.clone();
    let echo = std::env::var_os("TEST_LOG").is_some();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if echo {
                eprintln!("[rez-agent {pid}] {line}");
            }
            if line.contains("panicked") {
                seen.lock().unwrap().push(line.clone());
            }
            let mut kept = kept.lock().unwrap();
            if kept.len() >= LOG_TAIL {
                kept.pop_front();
            }
            kept.push_back(line);
        }
    });
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(address) = line.strip_prefix("listening on ") {
                return address.to_owned();
            }
        }
        panic!("rez-agent exited before listening");
    })
    .await
    .expect("rez-agent listens within 30 s");
    // Keep reading stdout so the child never writes into a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Agent {
        child,
        base: address,
        pid,
        panics,
        tail,
    }
}

impl Agent {
    /// SIGKILL, then reap it.
    pub async fn kill9(mut self) -> Vec<String> {
        self.child.start_kill().unwrap();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("a SIGKILLed process is reaped at once");
        self.panics()
    }

    /// Sends SIGTERM (through `kill`, so no signal crate is needed).
    pub async fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await
            .unwrap();
        assert!(status.success(), "kill -TERM {}", self.pid);
    }

    /// Waits at most `limit` for the process to exit.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .map(Result::unwrap)
    }

    /// How it exited, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last lines it logged (at most [`LOG_TAIL`]).
    pub fn log_tail(&self) -> Vec<String> {
        self.tail.lock().unwrap().iter().cloned().collect()
    }

    /// The lines of its stderr that reported a panic so far.
    pub fn panics(&self) -> Vec<String> {
        self.panics.lock().unwrap().clone()
    }
}

/// Every message the API lists, following `next_cursor` (at most 1000 pages).
pub async fn list_all(client: &reqwest::Client, base: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut request = client
            .get(format!("{base}/api/messages"))
            .query(&[("limit", "1000")]);
        if let Some(c) = &cursor {
            request = request.query(&[("cursor", c.as_str())]);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("GET /api/messages: {}", response.status()));
        }
        let page: Value = response.json().await.map_err(|e| e.to_string())?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(items),
        }
    }
    Err("more than 1000 pages of messages".into())
}

/// The queue's depth as `GET /api/dlq` reports it: (visible, in flight, dead).
pub async fn queue_depth(client: &reqwest::Client, base: &str) -> Result<(u64, u64, u64), String> {
    let response = client
        .get(format!("{base}/api/dlq"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    let depth = &body["depth"];
    let n = |k: &str| {
        depth[k]
            .as_u64()
            .ok_or_else(|| format!("no depth.{k}: {body}"))
    };
    Ok((n("visible")?, n("in_flight")?, n("dead")?))
}

/// Whether a status is final.
pub fn is_final(message: &Value) -> bool {
    matches!(message["status"].as_str(), Some("completed" | "failed"))
}

/// A message's `updated_date`.
pub fn updated_date(message: &Value) -> DateTime<Utc> {
    message["updated_date"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("no updated_date: {message}"))
}

/// Posts one message and returns its id, asserting the 202.
pub async fn post_message(client: &reqwest::Client, base: &str, text: &str) -> String {
    let response = client
        .post(format!("{base}/api/messages"))
        .json(&json!({"message": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202, "POST {text}");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// Waits (at most `limit`) until at least `n` messages exist, all final, and
/// the queue holds nothing visible or in flight; returns the messages.
pub async fn wait_settled(
    client: &reqwest::Client,
    base: &str,
    n: usize,
    limit: Duration,
) -> Vec<Value> {
    eventually_within(limit, Duration::from_millis(100), async || {
        let messages = list_all(client, base).await.unwrap();
        let (visible, in_flight, _) = queue_depth(client, base).await.unwrap();
        if messages.len() >= n && messages.iter().all(is_final) && visible + in_flight == 0 {
            return Ok(messages);
        }
        Err(format!(
            "not settled within {limit:?}: {} messages, {} final, queue visible {visible}, in flight {in_flight}",
            messages.len(),
            messages.iter().filter(|m| is_final(m)).count()
        ))
    })
    .await
}

/// Publishes the stub accepted, per message id.
pub fn accepted_publishes(stub: &NtfyStub) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for publish in stub.publishes() {
        if publish.answer == Answer::Accepted {
            *counts.entry(publish.sequence_id).or_default() += 1;
        }
    }
    counts
}
