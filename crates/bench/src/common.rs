//! What every benchmark shares: the ntfy stub, starting `rez-agent up`,
//! `/proc` memory figures, scratch directories, the report file and how it
//! says a goal was met.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// What the stub saw for one `sequence_id`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Receipt {
    /// When the first publish arrived.
    pub(crate) first: Instant,
    /// How many publishes carried it.
    pub(crate) count: u32,
}

#[derive(Default)]
struct StubState {
    receipts: Mutex<HashMap<String, Receipt>>,
    total: AtomicU64,
}

/// An instant ntfy on loopback: answers every JSON publish 200 with an id,
/// and keeps the receive time and count per `sequence_id`.
pub(crate) struct NtfyStub {
    address: SocketAddr,
    state: Arc<StubState>,
    server: JoinHandle<()>,
}

impl NtfyStub {
    /// Serves on a free loopback port.
    pub(crate) async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let state = Arc::new(StubState::default());
        let app = Router::new().fallback(publish).with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            address,
            state,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Forgets everything received.
    pub(crate) fn reset(&self) {
        lock(&self.state.receipts).clear();
        self.state.total.store(0, Ordering::SeqCst);
    }

    /// Distinct `sequence_id`s received.
    pub(crate) fn distinct(&self) -> usize {
        lock(&self.state.receipts).len()
    }

    /// All publishes received, repeats included.
    pub(crate) fn total(&self) -> u64 {
        self.state.total.load(Ordering::SeqCst)
    }

    /// A copy of the receipts.
    pub(crate) fn receipts(&self) -> HashMap<String, Receipt> {
        lock(&self.state.receipts).clone()
    }

    /// Waits until `n` distinct ids have arrived; false after `within`.
    pub(crate) async fn wait_for(&self, n: usize, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.distinct() >= n {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.distinct() >= n
    }
}

impl Drop for NtfyStub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn publish(State(state): State<Arc<StubState>>, body: Bytes) -> impl IntoResponse {
    let now = Instant::now();
    let sequence_id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("sequence_id")
                .and_then(|s| s.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    state.total.fetch_add(1, Ordering::SeqCst);
    lock(&state.receipts)
        .entry(sequence_id)
        .and_modify(|r| r.count += 1)
        .or_insert(Receipt {
            first: now,
            count: 1,
        });
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    axum::Json(serde_json::json!({
        "id": "bench0000001",
        "time": time,
        "event": "message",
        "topic": "bench",
        "message": "ok"
    }))
}

/// `VmRSS` and `VmHWM` of a process, in MB (MiB).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Memory {
    /// Resident now.
    pub(crate) rss_mb: f64,
    /// Peak resident.
    pub(crate) hwm_mb: f64,
}

/// Reads `/proc/<pid>/status`.
pub(crate) fn memory(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    Ok(Memory {
        rss_mb: field("VmRSS:"),
        hwm_mb: field("VmHWM:"),
    })
}

/// A fresh scratch directory under the system's temp dir.
pub(crate) fn scratch(label: &str) -> anyhow::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("rez-bench-{}-{label}-{n}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A loopback port nobody listens on.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A running `rez-agent up`; killed when dropped.
pub(crate) struct Agent {
    child: Child,
    /// Its pid.
    pub(crate) pid: u32,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// When it was exec'd.
    pub(crate) started: Instant,
}

impl Agent {
    /// Starts `binary up` on `data_dir`, delivering to `ntfy_url`, logging to
    /// `<data_dir>.log`.
    pub(crate) fn spawn(binary: &Path, data_dir: &Path, ntfy_url: &str) -> anyhow::Result<Self> {
        let port = free_port()?;
        let log = std::fs::File::create(data_dir.with_extension("log"))?;
        let started = Instant::now();
        let child = Command::new(binary)
            .args(["up", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .args(["--ntfy-url", ntfy_url, "--rate-limit", "0"])
            .env_remove("REZ_API_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("rez-agent exited at once")?;
        Ok(Self {
            child,
            pid,
            base: format!("http://127.0.0.1:{port}"),
            started,
        })
    }

    /// Polls `/api/health` until it answers 200; the time from exec.
    pub(crate) async fn ready(&mut self, within: Duration) -> anyhow::Result<Duration> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(0)
            .build()?;
        let url = format!("{}/api/health", self.base);
        let deadline = self.started + within;
        while Instant::now() < deadline {
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(self.started.elapsed());
            }
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("rez-agent exited with {status} before it was ready");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        anyhow::bail!("rez-agent was not healthy within {within:?}")
    }

    /// Its memory now.
    pub(crate) fn memory(&self) -> anyhow::Result<Memory> {
        memory(self.pid)
    }

    /// SIGTERM, then waits up to 10 s (SIGKILL after that).
    pub(crate) async fn stop(mut self) -> anyhow::Result<()> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        Ok(())
    }
}

/// An HTTP client for load: keep-alive, up to `connections` idle connections.
pub(crate) fn load_client(connections: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// The machine line of a report: cores, memory, load average.
pub(crate) fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gb = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "nproc = {cores}, MemTotal = {mem_gb:.1} GiB, load average at the end {} (the machine is shared with other agents' builds)",
        load.join(" ")
    )
}

/// Writes `text` to `out` (creating its directory) and to stdout.
pub(crate) fn write_report(out: Option<&Path>, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(out) = out {
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(out, text)?;
    }
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}

/// Now, as UTC `YYYY-MM-DDTHH:MM:SSZ` (from `date -u`).
pub(crate) fn now_utc() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// "met" or "not met": how a report says whether a goal was reached.
pub(crate) fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "not met" }
}
