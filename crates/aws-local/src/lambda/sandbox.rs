//! One execution environment: a bootstrap process and the Runtime API it
//! polls. It serves one invocation at a time, as Lambda's do; one that timed
//! out, ran out of memory or was killed is thrown away.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use rez_lambda_harness::{Outcome, RuntimeApi, lambda_command};
use serde_json::{Value, json};
use tokio::process::Child;
use tokio_util::sync::CancellationToken;

use crate::declared::DeclaredFunction;

/// How long a function's init may take before Lambda gives up on it.
pub(super) const INIT_LIMIT: Duration = Duration::from_secs(10);
/// How often a running invocation's memory is read.
const MEMORY_POLL: Duration = Duration::from_millis(50);

/// What starts a sandbox.
pub(crate) struct SandboxSpec<'a> {
    pub(crate) function: &'a DeclaredFunction,
    pub(crate) handler: &'a Path,
    pub(crate) version: &'a str,
    pub(crate) invoked_arn: String,
    pub(crate) extra_environment: &'a [(String, String)],
    pub(crate) log: std::fs::File,
}

/// A started execution environment, waiting for its next invocation.
pub(crate) struct Sandbox {
    api: RuntimeApi,
    child: Child,
    version: String,
}

/// How an invocation ended.
pub(crate) enum Ended {
    /// The function answered; the sandbox is reusable.
    Answered(Box<Sandbox>, Outcome),
    /// The sandbox is gone and the invocation failed with this error payload.
    Lost(Value),
}

/// A function error payload, as Lambda writes it.
pub(crate) fn error_payload(error_type: &str, message: impl Into<String>) -> Value {
    json!({"errorType": error_type, "errorMessage": message.into()})
}

impl Sandbox {
    /// Starts the bootstrap and waits for its init to finish, as Lambda's
    /// init phase does.
    ///
    /// # Errors
    /// The payload Lambda returns for a failed init: the error the function
    /// posted to `/init/error`, `Runtime.ExitError` when it exited without
    /// one, or a timeout after [`INIT_LIMIT`].
    pub(crate) async fn start(spec: SandboxSpec<'_>) -> Result<Sandbox, Value> {
        let timeout = Duration::from_secs(spec.function.timeout);
        let api = RuntimeApi::start_for(spec.invoked_arn.clone(), timeout)
            .await
            .map_err(|e| error_payload("Runtime.Unknown", e.to_string()))?;
        let mut command = lambda_command(spec.handler, &spec.function.name, &api, "INFO");
        let task_root = spec.handler.parent().unwrap_or(Path::new("."));
        let stderr = spec
            .log
            .try_clone()
            .map_err(|e| error_payload("Runtime.Unknown", e.to_string()))?;
        command
            .current_dir(task_root)
            .env("LAMBDA_TASK_ROOT", task_root)
            // Lambda's PATH for custom runtimes.
            .env("PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin")
            .env("_HANDLER", &spec.function.handler)
            .env("AWS_EXECUTION_ENV", "AWS_Lambda_rez_aws_local")
            .env(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                spec.function.memory_size.to_string(),
            )
            .env("AWS_LAMBDA_FUNCTION_VERSION", spec.version)
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                uuid::Uuid::new_v4().to_string(),
            )
            .envs(&spec.function.environment)
            .envs(spec.extra_environment.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(spec.log))
            .stderr(Stdio::from(stderr));
        let mut child = command.spawn().map_err(|e| {
            error_payload(
                "Runtime.InvalidEntrypoint",
                format!("cannot start {}: {e}", spec.handler.display()),
            )
        })?;
        tokio::select! {
            ready = api.wait_next_calls(1, INIT_LIMIT) => match ready {
                Ok(()) => Ok(Sandbox { api, child, version: spec.version.to_owned() }),
                Err(_) => {
                    let _ = child.kill().await;
                    Err(error_payload(
                        "Sandbox.Timedout",
                        format!("init did not finish within {} seconds", INIT_LIMIT.as_secs()),
                    ))
                }
            },
            reported = api.init_error(INIT_LIMIT) => {
                let _ = child.kill().await;
                Err(match reported {
                    Ok(r) => error_payload(
                        if r.error_type.is_empty() { "Runtime.InitError" } else { &r.error_type },
                        r.error_message,
                    ),
                    Err(_) => error_payload("Sandbox.Timedout", "init did not finish"),
                })
            }
            exited = child.wait() => {
                // A function that posted an init error and exited: the
                // report wins, as Lambda shows the reported error.
                if let Ok(r) = api.init_error(Duration::from_millis(200)).await {
                    let kind = if r.error_type.is_empty() { "Runtime.InitError".to_owned() } else { r.error_type };
                    return Err(error_payload(&kind, r.error_message));
                }
                Err(exit_error(exited.ok()))
            }
        }
    }

    /// The version this sandbox runs.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// Runs one invocation: the function's timeout ends it with
    /// `Sandbox.Timedout`, going over its memory with
    /// `Runtime.OutOfMemory`, `kill` or an exit with `Runtime.ExitError`.
    pub(crate) async fn invoke(
        mut self,
        request_id: &str,
        payload: axum::body::Bytes,
        timeout: Duration,
        memory_mb: u32,
        kill: CancellationToken,
    ) -> Ended {
        let id = self.api.invoke_raw_with_id(request_id, payload);
        let pid = self.child.id();
        let over_memory = async {
            let limit = u64::from(memory_mb) * 1024 * 1024;
            loop {
                tokio::time::sleep(MEMORY_POLL).await;
                if pid.and_then(resident_bytes).is_some_and(|rss| rss > limit) {
                    return;
                }
            }
        };
        tokio::select! {
            answered = self.api.outcome(&id, timeout) => match answered {
                Ok(outcome) => Ended::Answered(Box::new(self), outcome),
                Err(_) => {
                    let _ = self.child.kill().await;
                    Ended::Lost(error_payload(
                        "Sandbox.Timedout",
                        format!(
                            "RequestId: {request_id} Error: Task timed out after {}.00 seconds",
                            timeout.as_secs()
                        ),
                    ))
                }
            },
            () = over_memory => {
                let _ = self.child.kill().await;
                Ended::Lost(error_payload(
                    "Runtime.OutOfMemory",
                    format!("RequestId: {request_id} Error: Runtime exited with error: signal: killed (over {memory_mb} MB)"),
                ))
            }
            () = kill.cancelled() => {
                let _ = self.child.kill().await;
                Ended::Lost(error_payload(
                    "Runtime.ExitError",
                    format!("RequestId: {request_id} Error: Runtime exited with error: signal: killed"),
                ))
            }
            exited = self.child.wait() => {
                let mut payload = exit_error(exited.ok());
                payload["errorMessage"] = Value::String(format!(
                    "RequestId: {request_id} Error: {}",
                    payload["errorMessage"].as_str().unwrap_or_default()
                ));
                Ended::Lost(payload)
            }
        }
    }

    /// Stops the process.
    pub(crate) async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn exit_error(status: Option<std::process::ExitStatus>) -> Value {
    use std::os::unix::process::ExitStatusExt;
    let how = match status {
        Some(s) if s.signal().is_some() => format!("signal: {}", s.signal().unwrap_or_default()),
        Some(s) => format!("exit status {}", s.code().unwrap_or_default()),
        None => "unknown status".to_owned(),
    };
    error_payload(
        "Runtime.ExitError",
        format!("Runtime exited with error: {how}"),
    )
}

/// The resident memory of process `pid`, from `/proc`.
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
