//! The moto server and the clients pointed at it.
//!
//! Each test process starts one moto server on a free loopback port the
//! first time a test needs it and shares it between its tests (`cargo test`
//! runs them all in one process; nextest runs each test in its own process,
//! so there each test gets its own server: measured at about a second each,
//! and no test can see another's state). Tests isolate themselves by
//! resource name anyway (a unique table, topic, queue or parameter path per
//! test), so a shared server given in `MOTO_ENDPOINT` works as well.
//!
//! The server is `moto.server.main` (what `.venv/bin/moto_server` runs) in a
//! Python that exits when its stdin closes: the test process holds the other
//! end, so the server goes away with the process however it ends, even
//! though a `static` is never dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// Runs moto's server and exits as soon as stdin reaches end of file.
const SUPERVISED_MOTO: &str = r#"
import os, sys, threading
def watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
sys.exit(main(["-H", "127.0.0.1", "-p", sys.argv[1]]))
"#;

/// A running moto server: killed on drop, and when this process ends.
pub struct MotoServer {
    child: Child,
    endpoint: String,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The endpoint of this process's moto server (started on first use), or
/// `MOTO_ENDPOINT` when set.
pub fn moto_endpoint() -> &'static str {
    static SERVER: OnceLock<Result<MotoServer, String>> = OnceLock::new();
    static GIVEN: OnceLock<Option<String>> = OnceLock::new();
    if let Some(endpoint) = GIVEN.get_or_init(|| std::env::var("MOTO_ENDPOINT").ok()) {
        return endpoint;
    }
    match SERVER.get_or_init(start_moto) {
        Ok(server) => &server.endpoint,
        Err(why) => panic!("{why}"),
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Starts moto on a free port and waits until it answers.
pub fn start_moto() -> Result<MotoServer, String> {
    let python = repo_root().join(".venv/bin/python");
    let moto_server = repo_root().join(".venv/bin/moto_server");
    if !python.exists() || !moto_server.exists() {
        return Err(format!(
            "moto is not installed: run scripts/setup-python.sh (it creates {}), or set MOTO_ENDPOINT",
            repo_root().join(".venv").display()
        ));
    }
    let mut last_error = String::new();
    // A free port can be taken between asking and binding: try a few.
    for _ in 0..3 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        let log = std::env::temp_dir().join(format!("rez-aws-moto-{port}.log"));
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let child = Command::new(&python)
            .args(["-c", SUPERVISED_MOTO, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", python.display()))?;
        let mut server = MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        match wait_until_ready(&mut server, port) {
            Ok(()) => return Ok(server),
            Err(why) => {
                let output = std::fs::read_to_string(&log).unwrap_or_default();
                last_error = format!("{why}; its output:\n{output}");
            }
        }
    }
    Err(format!("moto did not start: {last_error}"))
}

fn wait_until_ready(server: &mut MotoServer, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("moto exited with {status}"));
        }
        if answers(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("moto did not answer within 30 s".into())
}

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

/// SDK configuration pointing at moto, with fixed test credentials and region.
pub fn sdk_config() -> SdkConfig {
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
