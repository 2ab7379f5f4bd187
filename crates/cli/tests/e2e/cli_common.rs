//! Running the `rez-agent` binary against a stack started in-process.
//!
//! The binary runs as a child process (tokio's, so the stack keeps serving
//! on the test's runtime while the command waits for it).

use std::process::Output;

use crate::helpers::TestApp;

/// What one run of the binary printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts exit 0 and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "{self:#?}");
        &self.stdout
    }

    /// Asserts exit 0 and parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("{e}: {self:#?}"))
    }

    /// Asserts a failure reported on exactly one line `rez-agent: …` holding
    /// every one of `parts`, with nothing on stdout.
    pub fn fails_with(&self, parts: &[&str]) {
        assert_eq!(self.code, Some(1), "{self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{self:#?}");
        assert!(lines[0].starts_with("rez-agent: "), "{self:#?}");
        for part in parts {
            assert!(lines[0].contains(part), "{part:?} not in {:?}", lines[0]);
        }
    }

    /// Asserts clap's usage error: exit 2, `error:` on stderr naming `part`.
    pub fn usage_error(&self, part: &str) {
        assert_eq!(self.code, Some(2), "{self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        assert!(self.stderr.contains(part), "{part:?} not in {self:#?}");
    }

    /// The data rows of a table on stdout (the header line left out).
    pub fn rows(&self) -> Vec<Vec<String>> {
        table_rows(self.ok())
    }
}

/// Splits an aligned table into rows of cells (cells hold no double spaces):
/// the lines after the header with as many cells as it has.
pub fn table_rows(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines().map(cells);
    let columns = lines.next().map_or(0, |header| header.len());
    lines.take_while(|row| row.len() == columns).collect()
}

fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value of `label` in a `label  value` block.
pub fn field(text: &str, label: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(label)?;
        rest.starts_with("  ").then(|| rest.trim().to_owned())
    })
}

/// Runs `rez-agent ARGS` with a clean environment for the API flags.
pub async fn rez(args: &[&str]) -> Run {
    rez_with_env(args, &[]).await
}

/// Runs `rez-agent ARGS` with these extra environment variables.
pub async fn rez_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_rez-agent"));
    command
        .args(args)
        .env_remove("REZ_API_URL")
        .env_remove("REZ_API_KEY")
        .env("RUST_LOG", "error")
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().await.expect("rez-agent runs").into()
}

/// `rez-agent ARGS --api-url <the app>`.
pub async fn rez_at(app: &TestApp, args: &[&str]) -> Run {
    let url = api_url(app);
    let mut all = args.to_vec();
    all.extend(["--api-url", url.as_str()]);
    rez(&all).await
}

/// The app's base URL.
pub fn api_url(app: &TestApp) -> String {
    format!("http://{}", app.address)
}

/// A loopback URL where nothing listens (a port just freed).
pub fn nothing_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Checks the two failures every API command shares: nothing answering at
/// the URL, and a stack with a key called without one and with a wrong one.
pub async fn check_unreachable_and_unauthorized(args: &[&str]) {
    let url = nothing_listening();
    let mut all = args.to_vec();
    all.extend(["--api-url", url.as_str()]);
    rez(&all)
        .await
        .fails_with(&[url.as_str(), "nothing answered"]);

    let app = crate::helpers::spawn_app_with(crate::helpers::ntfy_accepting().await, |c| {
        c.api_key = Some("s3cret".to_owned());
    })
    .await;
    let url = api_url(&app);
    let mut all = args.to_vec();
    all.extend(["--api-url", url.as_str()]);
    rez(&all)
        .await
        .fails_with(&["needs an API key (401)", "REZ_API_KEY"]);
    let mut wrong = all.clone();
    wrong.extend(["--api-key", "wrong"]);
    rez(&wrong)
        .await
        .fails_with(&["rejected the API key (401)"]);
    let env_key = rez_with_env(&all, &[("REZ_API_KEY", "s3cret")]).await;
    assert_ne!(
        env_key.code,
        Some(1),
        "the right key from REZ_API_KEY: {env_key:#?}"
    );
    assert!(!env_key.stderr.contains("401"), "{env_key:#?}");
    app.shutdown().await;
}
