//! Step Functions: `rez-agent stepfunctions` runs the declared state machine
//! with the definition as the program substitutes it, its Task states
//! calling the alias ARNs through this harness's Lambda Invoke API (what
//! Step Functions Local's `LAMBDA_ENDPOINT` does).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use crate::AwsLocalError;
use crate::declared::DeclaredStateMachine;

/// How long the endpoint may take to say it listens.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// Where the `rez-agent` binary is: `$REZ_AGENT_BIN`, else the workspace's
/// debug build (`cargo build --bins` makes it).
pub fn rez_agent_path() -> PathBuf {
    std::env::var_os("REZ_AGENT_BIN").map_or_else(
        || rez_lambda_harness::binary_path("rez-agent"),
        PathBuf::from,
    )
}

/// The running endpoint; stopped when dropped.
pub struct StepFunctions {
    url: String,
    _child: Child,
}

impl StepFunctions {
    /// Writes the definition into `work_dir` and starts the endpoint on a
    /// free loopback port, its tasks invoking `lambda_endpoint`; its log goes
    /// to `log`.
    ///
    /// # Errors
    /// [`AwsLocalError::StepFunctions`] when it does not start, with its output.
    pub async fn start(
        machine: &DeclaredStateMachine,
        lambda_endpoint: &str,
        work_dir: &Path,
        log: &Path,
    ) -> Result<Self, AwsLocalError> {
        let binary = rez_agent_path();
        if !binary.is_file() {
            return Err(AwsLocalError::StepFunctions(format!(
                "{} does not exist: build it (cargo build --bins) or set REZ_AGENT_BIN",
                binary.display()
            )));
        }
        let definition = work_dir.join(format!("{}.asl.json", machine.name));
        std::fs::write(&definition, &machine.definition).map_err(AwsLocalError::io(format!(
            "writing {}",
            definition.display()
        )))?;
        let data_dir = work_dir.join("stepfunctions");
        let mut child = Command::new(&binary)
            .arg("stepfunctions")
            .arg("--definition")
            .arg(&definition)
            .args(["--lambda-endpoint", lambda_endpoint])
            .args(["--state-machine-arn", &machine.arn])
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(&data_dir)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                AwsLocalError::StepFunctions(format!("starting {}: {e}", binary.display()))
            })?;
        let mut log_file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .await
            .map_err(AwsLocalError::io(format!("opening {}", log.display())))?;
        if let Some(stderr) = child.stderr.take() {
            let mut err_log = log_file
                .try_clone()
                .await
                .map_err(AwsLocalError::io("cloning the log"))?;
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let _ = err_log.write_all(format!("{line}\n").as_bytes()).await;
                }
            });
        }
        let Some(stdout) = child.stdout.take() else {
            return Err(AwsLocalError::StepFunctions("no stdout".to_owned()));
        };
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = String::new();
        let url = tokio::time::timeout(READY_WITHIN, async {
            while let Ok(Some(line)) = lines.next_line().await {
                seen.push_str(&line);
                seen.push('\n');
                if let Some(url) = listening_url(&line) {
                    return Some(url);
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let Some(url) = url else {
            let _ = child.kill().await;
            return Err(AwsLocalError::StepFunctions(format!(
                "it did not say where it listens within {READY_WITHIN:?}; it printed:\n{seen}(log: {})",
                log.display()
            )));
        };
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = log_file.write_all(format!("{line}\n").as_bytes()).await;
            }
        });
        Ok(Self { url, _child: child })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The URL in the endpoint's ready line (`… listening on http://…`).
fn listening_url(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    let url = rest.split_whitespace().next()?;
    url.starts_with("http://")
        .then(|| url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_ready_line_gives_the_url() {
        assert_eq!(
            super::listening_url(
                "stepfunctions: listening on http://127.0.0.1:4321 (arn:aws:states:…)"
            )
            .as_deref(),
            Some("http://127.0.0.1:4321")
        );
        assert_eq!(super::listening_url("starting"), None);
    }
}
