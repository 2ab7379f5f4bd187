//! The real binary: SIGKILL loses nothing, and one process per data dir.

use crate::helpers::*;
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Starts `rez-agent up` on `dir` and returns it with the address it listens on.
async fn start_binary(dir: &std::path::Path, ntfy: &MockServer) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rez-agent"))
        .args([
            "up",
            "--listen",
            "127.0.0.1:0",
            "--time-scale",
            "0.1",
            "--schedule",
            "cron(0 12 * * ? 2199)",
        ])
        .arg("--data-dir")
        .arg(dir)
        .arg("--ntfy-url")
        .arg(format!("{}/rez-test", ntfy.uri()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("rez-agent starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(WAIT_LIMIT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(address) = line.strip_prefix("listening on ") {
                return address.to_owned();
            }
        }
        panic!("rez-agent exited before listening");
    })
    .await
    .expect("rez-agent listens in time");
    (child, address)
}

/// A stub ntfy that never answers in time, `rez-agent up` on `dir` delivering
/// to it, and the id of one message posted to it; returns once that message's
/// publish is in flight, so the process can be killed mid-publish.
async fn posted_to_a_hung_ntfy(
    dir: &std::path::Path,
    text: &str,
) -> Result<(MockServer, Child, String, String), Box<dyn std::error::Error>> {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .mount(&ntfy)
        .await;
    let (child, address) = start_binary(dir, &ntfy).await;
    let response = reqwest::Client::new()
        .post(format!("{address}/api/messages"))
        .json(&json!({"message": text}))
        .send()
        .await?;
    assert_eq!(response.status(), 202);
    let id = response.json::<serde_json::Value>().await?["id"]
        .as_str()
        .ok_or("no id")?
        .to_owned();
    tokio::time::timeout(WAIT_LIMIT, async {
        while ntfy
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await?;
    Ok((ntfy, child, address, id))
}

#[tokio::test]
async fn a_message_accepted_before_a_sigkill_is_delivered_promptly_after_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (ntfy, mut first, _, id) = posted_to_a_hung_ntfy(dir.path(), "survive").await?;
    let client = reqwest::Client::new();
    // The publish is in flight: kill -9.
    first.start_kill()?;
    first.wait().await?;

    ntfy.reset().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok())
        .mount(&ntfy)
        .await;
    let restarted = tokio::time::Instant::now();
    let (mut second, address) = start_binary(dir.path(), &ntfy).await;
    let message = eventually_within(
        Duration::from_secs(10),
        Duration::from_millis(20),
        async || {
            let m: serde_json::Value = client
                .get(format!("{address}/api/messages/{id}"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            match m["status"] == "completed" {
                true => Ok(m),
                false => Err(format!("message {id} not delivered after the restart: {m}")),
            }
        },
    )
    .await;
    // Promptly: far sooner than the 30 s (scaled) visibility timeout.
    assert!(restarted.elapsed() < Duration::from_secs(10));
    assert_eq!(message["retry_count"], 1, "taken up again after the kill");
    let bodies = received_bodies(&ntfy).await;
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["sequence_id"], id.as_str());
    second.start_kill()?;
    second.wait().await?;
    Ok(())
}

#[tokio::test]
async fn an_execution_running_at_a_sigkill_shows_aborted_after_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (ntfy, mut first, address, id) = posted_to_a_hung_ntfy(dir.path(), "interrupted").await?;
    let client = reqwest::Client::new();
    let executions_of = |address: String| {
        let client = client.clone();
        let url = format!("{address}/api/executions?message_id={id}");
        async move {
            let page: serde_json::Value = client.get(url).send().await?.json().await?;
            Ok::<_, reqwest::Error>(page["items"].as_array().cloned().unwrap_or_default())
        }
    };
    // The execution is publishing: kill -9.
    let before = executions_of(address).await?;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["status"], "RUNNING");
    let killed = before[0]["execution_id"]
        .as_str()
        .ok_or("no execution id")?
        .to_owned();
    first.start_kill()?;
    first.wait().await?;

    ntfy.reset().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok())
        .mount(&ntfy)
        .await;
    let (mut second, address) = start_binary(dir.path(), &ntfy).await;
    let execution: serde_json::Value = client
        .get(format!("{address}/api/executions/{}", url_encode(&killed)))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(execution["status"], "ABORTED", "{execution}");
    assert_eq!(execution["error"], "RezAgent.ProcessStopped");
    assert!(execution["stop_date"].is_string(), "{execution}");
    assert_eq!(event_types(&execution), vec!["ExecutionAborted"]);
    // The message itself is taken up again by a new execution.
    let after = eventually(Duration::from_millis(20), async || {
        let executions = executions_of(address.clone())
            .await
            .map_err(|e| e.to_string())?;
        match executions.iter().any(|e| e["status"] == "SUCCEEDED") {
            true => Ok(executions),
            false => Err(format!(
                "no execution succeeded after the restart: {executions:?}"
            )),
        }
    })
    .await;
    let statuses: Vec<&str> = after.iter().filter_map(|e| e["status"].as_str()).collect();
    assert_eq!(statuses, vec!["SUCCEEDED", "ABORTED"], "newest first");
    second.start_kill()?;
    second.wait().await?;
    Ok(())
}

#[tokio::test]
async fn a_second_process_on_the_same_data_dir_is_refused_with_a_clear_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ntfy = ntfy_accepting().await;
    let (mut first, _) = start_binary(dir.path(), &ntfy).await;
    let output = Command::new(env!("CARGO_BIN_EXE_rez-agent"))
        .args(["up", "--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--ntfy-url")
        .arg(format!("{}/rez-test", ntfy.uri()))
        .output()
        .await?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("rez-agent: data dir")
            && last.contains("in use by another rez-agent process"),
        "{stderr}"
    );
    first.start_kill()?;
    first.wait().await?;
    Ok(())
}

#[tokio::test]
async fn bad_flags_exit_non_zero_with_a_one_line_reason() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cases: &[(&[&str], &str)] = &[
        (
            &["up", "--listen", "0.0.0.0:0"],
            "refusing to listen on 0.0.0.0:0 without an API key",
        ),
        (
            &["up", "--schedule", "cron(0 12 * * * *)"],
            "--schedule cron(0 12 * * * *)",
        ),
        (
            &["up", "--time-scale", "0"],
            "--time-scale must be a number above 0",
        ),
        (&["up", "--stage", "qa"], "--stage"),
    ];
    for (args, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_rez-agent"))
            .args(*args)
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("REZ_API_KEY")
            .output()
            .await?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("rez-agent: ") && last.contains(expected),
            "{args:?}: {stderr}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_corrupt_database_stops_start_up_naming_the_file_and_leaves_it_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("rez-agent.db");
    let garbage = b"this is not an SQLite database, it is a test of what a user sees".repeat(100);
    std::fs::write(&db, &garbage)?;
    let output = Command::new(env!("CARGO_BIN_EXE_rez-agent"))
        .args([
            "up",
            "--listen",
            "127.0.0.1:0",
            "--ntfy-url",
            "http://127.0.0.1:9/t",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .await?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("rez-agent: ") && last.contains("rez-agent.db"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db)?, garbage);
    Ok(())
}
