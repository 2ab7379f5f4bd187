//! A built bootstrap, started the way Lambda starts a custom runtime.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use crate::{HarnessError, RuntimeApi};

/// Where a bootstrap named `name` is built: `<target dir>/debug/<name>`,
/// where the target dir is `$CARGO_TARGET_DIR` or the workspace's `target/`.
///
/// `$REZ_LAMBDA_BIN_DIR` points elsewhere: at a directory of binaries
/// (`<dir>/<name>`) or at cargo-lambda's output (`<dir>/<name>/bootstrap`),
/// so the same tests run against the packaged release builds, e.g.
/// `REZ_LAMBDA_BIN_DIR=target/lambda-x86_64` (a relative path is taken from
/// the workspace root).
pub fn binary_path(name: &str) -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    if let Some(dir) = std::env::var_os("REZ_LAMBDA_BIN_DIR") {
        let dir = workspace.join(dir).join(name);
        let bootstrap = dir.join("bootstrap");
        return if bootstrap.is_file() { bootstrap } else { dir };
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| workspace.join("target"), |dir| workspace.join(dir));
    target.join("debug").join(name)
}

/// The command that starts the bootstrap at `path` as Lambda starts a custom
/// runtime: a clean environment holding only what the Lambda runtime sets for
/// a 128 MB function called `name` (its Runtime API at `api`, the log
/// settings with `log_level`, region `us-east-1`, dummy credentials, no
/// instance metadata). Callers add their own variables and stdio.
pub fn lambda_command(path: &Path, name: &str, api: &RuntimeApi, log_level: &str) -> Command {
    let mut command = Command::new(path);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.address().to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "harness")
        .env("AWS_LAMBDA_LOG_LEVEL", log_level)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .kill_on_drop(true);
    command
}

/// A running bootstrap; killed when dropped.
pub struct Function {
    name: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Function {
    /// Starts the bootstrap `name` against `api` with only the Lambda
    /// variables, dummy credentials, region `us-east-1`, and `env`.
    ///
    /// # Errors
    /// [`HarnessError::BinaryMissing`] when it is not built, [`HarnessError::Io`]
    /// when it cannot be started.
    pub fn spawn<K, V>(
        name: &str,
        api: &RuntimeApi,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, HarnessError>
    where
        K: AsRef<std::ffi::OsStr>,
        V: AsRef<std::ffi::OsStr>,
    {
        let path = binary_path(name);
        if !path.is_file() {
            return Err(HarnessError::BinaryMissing { path });
        }
        let mut command = lambda_command(&path, name, api, "DEBUG");
        command
            .env("AWS_MAX_ATTEMPTS", "1")
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(HarnessError::io(format!("starting {}", path.display())))?;
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(out) = child.stdout.take() {
            tokio::spawn(collect(out, log.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(collect(err, log.clone()));
        }
        Ok(Self {
            name: name.to_owned(),
            child,
            log,
        })
    }

    /// Everything the function printed so far (its JSON log lines).
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Waits for the function to exit.
    ///
    /// # Errors
    /// [`HarnessError::Timeout`] (with its log) when it still runs after `within`.
    pub async fn exit(&mut self, within: Duration) -> Result<ExitStatus, HarnessError> {
        match tokio::time::timeout(within, self.child.wait()).await {
            Ok(status) => status.map_err(HarnessError::io(format!("waiting for {}", self.name))),
            Err(_) => Err(HarnessError::Timeout {
                what: format!("exit of {}", self.name),
                within,
                log: Some(self.log()),
            }),
        }
    }

    /// Turns an error into one that shows this function's log.
    pub fn with_log(&self, error: HarnessError) -> HarnessError {
        match error {
            HarnessError::Timeout { what, within, .. } => HarnessError::Timeout {
                what,
                within,
                log: Some(self.log()),
            },
            other => other,
        }
    }
}

async fn collect(stream: impl AsyncRead + Unpin, log: Arc<Mutex<String>>) {
    let mut lines = BufReader::new(stream).lines();
    let echo = std::env::var_os("TEST_LOG").is_some();
    while let Ok(Some(line)) = lines.next_line().await {
        if echo {
            tracing::info!(target: "bootstrap", "{line}");
        }
        let mut log = log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        log.push_str(&line);
        log.push('\n');
    }
}
