//! `make smoke`'s script run against the deployment: it posts through API
//! Gateway, follows the message to `completed` and prints the execution's
//! log lines, read with the aws CLI from the state machine's log group.

use std::path::PathBuf;

use rez_core::message::MessageId;
use rez_core::ports::MessageStore;

use crate::support::{api_key, start, store};

/// The aws CLI's directory, prepared by scripts/lib/aws-local-prepare.sh.
fn aws_cli_dir() -> PathBuf {
    std::env::var_os("REZ_AWS_CLI_DIR")
        .map(PathBuf::from)
        .expect("REZ_AWS_CLI_DIR is not set: run scripts/test-aws-local.sh")
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn the_smoke_script_delivers_a_notification_and_prints_its_execution_log_lines() {
    let local = start().await;
    let machine = local.declared().state_machine().expect("one state machine");
    let log_group = machine.log_group.clone().expect("the machine logs");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smoke.sh");
    let path = format!(
        "{}:{}",
        aws_cli_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let output = tokio::process::Command::new("bash")
        .arg(&script)
        .env("REZ_API_URL", local.api_url())
        .env("REZ_API_KEY", api_key(&local))
        .env("REZ_LOG_GROUP", &log_group)
        .env(
            "REZ_AGENT_BIN",
            rez_aws_local::step_functions::rez_agent_path(),
        )
        .env("SMOKE_TIMEOUT", "60")
        .env("PATH", path)
        .env("AWS_ENDPOINT_URL", local.edge_url())
        .env("AWS_REGION", &local.declared().region)
        .env("AWS_DEFAULT_REGION", &local.declared().region)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .await
        .expect("bash runs the script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "smoke failed:\n{stdout}\n{stderr}");

    // What ntfy received: the one smoke notification.
    let received = local.ntfy().expect("the stub").received();
    assert_eq!(received.len(), 1, "{received:?}");
    let text = received[0].body["message"].as_str().unwrap_or_default();
    assert!(text.starts_with("rez-agent smoke test "), "{text}");

    // What the store holds for the message the script names, and the
    // execution's own log lines under it.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("smoke: message "))
        .unwrap_or_else(|| panic!("the script names the message:\n{stdout}"));
    let mut words = line.split_whitespace().skip(2);
    let id: MessageId = words.next().expect("an id").parse().expect("a message id");
    let execution = words.last().expect("an execution").to_owned();
    let message = store(&local)
        .get(&id)
        .await
        .expect("read")
        .expect("the message is stored");
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    assert_eq!(message.execution_id.as_deref(), Some(execution.as_str()));
    let logged: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        logged
            .iter()
            .all(|e| e["execution_arn"] == execution.as_str()),
        "{stdout}"
    );
    let types: Vec<&str> = logged.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types.first(), Some(&"ExecutionStarted"), "{stdout}");
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"), "{stdout}");
    assert!(stdout.ends_with("smoke: passed\n"), "{stdout}");
    local.shutdown().await;
}
