//! The moto server and the clients pointed at it.
//!
//! All test processes of this binary share one moto server on a free
//! loopback port. nextest runs every test in its own process, and starting
//! moto costs about a second of CPU, so one server per process made the
//! suite ~5× slower (measured: 27 s against 5 s for 19 tests on 2 cores).
//! Tests isolate themselves by resource name (a unique table, topic, queue or
//! parameter path each), never by resetting the server.
//!
//! How processes share it, with file locks in `target/tmp/rez-aws-moto/`:
//!
//! * every test process holds a *shared* lock on `users` for its lifetime
//!   (the kernel drops it however the process ends);
//! * under the exclusive lock `start.lock`, a process reuses the server named
//!   in `endpoint` if it answers, or starts one and writes its port there;
//! * the server (`moto.server.main`, what `.venv/bin/moto_server` runs, in a
//!   small Python supervisor, in its own process group) polls for an
//!   *exclusive* lock on `users` and exits, still holding it, once it has had
//!   it for 2 s: no test process is left, and none can join a dying server.
//!
//! `MOTO_ENDPOINT`, when set, names a server to use instead.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// Runs moto's server until no test process holds a shared lock on `users`.
const SUPERVISED_MOTO: &str = r#"
import fcntl, os, sys, threading, time
port, users_path = sys.argv[1], sys.argv[2]
users = open(users_path, "a")
def watch():
    idle = 0
    while True:
        time.sleep(0.5)
        try:
            fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            idle = 0
            continue
        idle += 1
        if idle >= 4:
            os._exit(0)
        fcntl.flock(users, fcntl.LOCK_UN)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
sys.exit(main(["-H", "127.0.0.1", "-p", port]))
"#;

/// This process's membership of the shared server.
struct Joined {
    endpoint: String,
    /// Held (shared lock) until the process ends.
    _users: File,
}

/// The endpoint of the shared moto server (started if none runs), or
/// `MOTO_ENDPOINT` when set.
pub fn moto_endpoint() -> &'static str {
    static GIVEN: OnceLock<Option<String>> = OnceLock::new();
    static JOINED: OnceLock<Result<Joined, String>> = OnceLock::new();
    if let Some(endpoint) = GIVEN.get_or_init(|| std::env::var("MOTO_ENDPOINT").ok()) {
        return endpoint;
    }
    match JOINED.get_or_init(join_moto) {
        Ok(joined) => &joined.endpoint,
        Err(why) => panic!("{why}"),
    }
}

fn repo_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn open_lock(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("opening {}: {e}", path.display()))
}

/// Joins the running server or starts one.
fn join_moto() -> Result<Joined, String> {
    let python = repo_root().join(".venv/bin/python");
    if !python.exists() || !repo_root().join(".venv/bin/moto_server").exists() {
        return Err(format!(
            "moto is not installed: run scripts/setup-python.sh (it creates {}), or set MOTO_ENDPOINT",
            repo_root().join(".venv").display()
        ));
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rez-aws-moto");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let users = open_lock(&dir.join("users"))?;
    users
        .lock_shared()
        .map_err(|e| format!("locking users: {e}"))?;
    let start = open_lock(&dir.join("start.lock"))?;
    start
        .lock()
        .map_err(|e| format!("locking start.lock: {e}"))?;
    let endpoint_file = dir.join("endpoint");
    let running = std::fs::read_to_string(&endpoint_file)
        .ok()
        .and_then(|text| text.trim().parse::<u16>().ok())
        .filter(|port| answers(*port));
    let port = match running {
        Some(port) => port,
        None => {
            let port = start_moto(&python, &dir)?;
            std::fs::write(&endpoint_file, port.to_string())
                .map_err(|e| format!("writing {}: {e}", endpoint_file.display()))?;
            port
        }
    };
    drop(start);
    Ok(Joined {
        endpoint: format!("http://127.0.0.1:{port}"),
        _users: users,
    })
}

/// Starts the supervised server on a free port and waits until it answers.
fn start_moto(python: &Path, dir: &Path) -> Result<u16, String> {
    let mut last_error = String::new();
    // A free port can be taken between asking and binding: try a few.
    for _ in 0..3 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        let log = dir.join("moto.log");
        let log_file = File::create(&log).map_err(|e| e.to_string())?;
        let users = dir.join("users");
        let mut child = Command::new(python)
            .args(["-c", SUPERVISED_MOTO, &port.to_string()])
            .arg(&users)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            // Its own group: outlives this test process, not the others.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", python.display()))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let outcome = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break Err(format!("moto exited with {status}"));
            }
            if answers(port) {
                break Ok(port);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                break Err("moto did not answer within 30 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        match outcome {
            Ok(port) => return Ok(port),
            Err(why) => {
                let output = std::fs::read_to_string(&log).unwrap_or_default();
                last_error = format!("{why}; its output ({}):\n{output}", log.display());
            }
        }
    }
    Err(format!("moto did not start: {last_error}"))
}

/// Whether a moto server answers on `port`.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut head = [0u8; 12];
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_exact(&mut head).is_ok()
        && head.starts_with(b"HTTP/1.1 200")
}

/// Shows the adapters' logs (and the SDK's warnings) when `TEST_LOG` is set.
fn init_tracing() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("rez_aws=debug,aws_smithy_runtime=warn,info")
                .with_test_writer()
                .try_init();
        }
    });
}

/// SDK configuration pointing at moto, with fixed test credentials and region.
pub fn sdk_config() -> SdkConfig {
    init_tracing();
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto_endpoint())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "moto",
        )))
        .build()
}

/// A name no other test (in this or any other process) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh message table shaped like production's (keys, both GSIs with
/// projection ALL, on-demand billing), and a store over it for `stage`.
pub async fn new_store(stage: rez_core::Stage) -> (rez_aws::DynamoMessageStore, TestTable) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
        Projection, ProjectionType, ScalarAttributeType,
    };
    let client = aws_sdk_dynamodb::Client::new(&sdk_config());
    let name = unique(&format!("rez-agent-messages-{stage}"));
    let attribute = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .unwrap()
    };
    let index = |name: &str, pk: &str| {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(pk, KeyType::Hash))
            .key_schema(key("created_date", KeyType::Range))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("id"))
        .attribute_definitions(attribute("created_date"))
        .attribute_definitions(attribute("stage"))
        .attribute_definitions(attribute("status"))
        .key_schema(key("id", KeyType::Hash))
        .key_schema(key("created_date", KeyType::Range))
        .global_secondary_indexes(index(rez_aws::dynamo::STAGE_INDEX, "stage"))
        .global_secondary_indexes(index(rez_aws::dynamo::STATUS_INDEX, "status"))
        .send()
        .await
        .unwrap();
    let store = rez_aws::DynamoMessageStore::new(client.clone(), &name, stage);
    (store, TestTable { client, name })
}

/// The raw table behind a test store, for looking under the hood.
pub struct TestTable {
    /// A client on moto.
    pub client: aws_sdk_dynamodb::Client,
    /// The table's name.
    pub name: String,
}

/// A notification message created `offset_ms` after a fixed instant.
pub fn message_at(
    offset_ms: i64,
    stage: rez_core::Stage,
    kind: rez_core::MessageType,
) -> rez_core::Message {
    use chrono::TimeZone;
    let base = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .unwrap();
    let at = base + chrono::Duration::milliseconds(offset_ms);
    let mut payload = rez_core::Notification::text(format!("message at +{offset_ms} ms"));
    payload.title = Some("rez-aws test".into());
    payload.tags = vec!["test".into()];
    rez_core::Message::new(at, "test", stage, kind, payload)
}

/// What every test returns, so it can use `?`.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A change of `m` from `from` to `to`, `after_ms` after its creation.
pub fn change(
    m: &rez_core::Message,
    from: &[rez_core::Status],
    to: rez_core::Status,
    after_ms: i64,
) -> rez_core::ports::StatusChange {
    rez_core::ports::StatusChange::new(
        m.id.clone(),
        from,
        to,
        m.created_date + chrono::Duration::milliseconds(after_ms),
    )
}
