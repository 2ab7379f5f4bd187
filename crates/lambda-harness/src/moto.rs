//! A moto server on a free loopback port: DynamoDB, SNS and SSM for the
//! bootstraps, through their real SDK clients (`AWS_ENDPOINT_URL`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::{HarnessError, WAIT};

/// The moto server; killed when dropped.
pub struct Moto {
    endpoint: String,
    _child: Child,
}

/// Where `moto_server` is: `$REZ_MOTO_SERVER`, else the repository's
/// `.venv/bin/moto_server` (made by `scripts/setup-python.sh`).
pub fn moto_server_path() -> PathBuf {
    std::env::var_os("REZ_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server")
        })
}

impl Moto {
    /// Starts moto on a free port and waits until it accepts connections.
    ///
    /// # Errors
    /// [`HarnessError::MotoMissing`] when it is not installed,
    /// [`HarnessError::Timeout`] when it does not listen within [`WAIT`].
    pub async fn start() -> Result<Self, HarnessError> {
        let path = moto_server_path();
        if !path.is_file() {
            return Err(HarnessError::MotoMissing { path });
        }
        let port = free_port().await?;
        let child = Command::new(&path)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(HarnessError::io(format!("starting {}", path.display())))?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let listening = tokio::time::timeout(WAIT, async {
            while tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
        if listening.is_err() {
            return Err(HarnessError::Timeout {
                what: format!("moto listening on {endpoint}"),
                within: WAIT,
                log: None,
            });
        }
        Ok(Self {
            endpoint,
            _child: child,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The variables that point a bootstrap's SDK clients at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("AWS_ENDPOINT_URL".to_owned(), self.endpoint.clone())]
    }
}

/// A loopback port nobody listens on (bound, read, released).
pub async fn free_port() -> Result<u16, HarnessError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(HarnessError::io("finding a free port"))?;
    Ok(listener
        .local_addr()
        .map_err(HarnessError::io("finding a free port"))?
        .port())
}
