//! A message sent through API Gateway travels SNS, SQS, the processor,
//! Step Functions and the three task functions to ntfy, and its outcome is
//! what DynamoDB holds; the API and the CLI show its execution.

use reqwest::Method;
use rez_core::ports::MessageStore;
use serde_json::{Value, json};

use crate::support::{
    api, ended_execution, eventually, history, recorded_executions, send, settled, start, store,
};

fn task_scheduled_on(events: &[Value], function: &str) -> usize {
    events
        .iter()
        .filter(|e| e["type"] == "TaskScheduled")
        .filter(|e| {
            e["taskScheduledEventDetails"]["resource"]
                .as_str()
                .is_some_and(|r| r.contains(function))
        })
        .count()
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_message_posted_through_the_api_is_published_once_and_completed() {
    let local = start().await;
    let (status, sent) = send(
        &local,
        &json!({"message": "disk almost full", "title": "db-1", "priority": 4, "tags": ["warning"]}),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["id"]
        .as_str()
        .expect("the answer carries the id")
        .to_owned();

    let message = settled(&local, &id).await;
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    assert_eq!(message.delivery_attempts, 1);
    let execution = message
        .execution_id
        .clone()
        .expect("the execution is recorded");
    let machine = &local.declared().state_machines[0];
    assert!(
        execution.starts_with(&machine.arn.replace(":stateMachine:", ":express:")),
        "{execution} is an execution of {}",
        machine.arn
    );

    let received = local.ntfy().expect("the stub").received();
    assert_eq!(received.len(), 1, "{received:?}");
    let body = &received[0].body;
    assert_eq!(body["message"], "disk almost full");
    assert_eq!(body["title"], "db-1");
    assert_eq!(body["priority"], 4);
    assert_eq!(body["tags"], json!(["warning"]));
    // The topic of the ntfy URL the deployment declares (generated when
    // the stack configures none).
    let declared_topic = local
        .ntfy_topic_url()
        .and_then(|url| url.rsplit('/').next())
        .expect("a declared topic");
    assert_eq!(body["topic"], declared_topic);

    let described = ended_execution(&local, &execution).await;
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn two_server_errors_are_retried_by_the_state_machine_and_the_third_attempt_delivers() {
    let local = start().await;
    local
        .ntfy()
        .expect("the stub")
        .answer_with(&[503, 503], std::time::Duration::ZERO);
    let (status, sent) = send(&local, &json!({"message": "retry me"})).await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["id"].as_str().expect("an id").to_owned();

    let message = settled(&local, &id).await;
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    assert_eq!(message.delivery_attempts, 3);
    let statuses: Vec<u16> = local
        .ntfy()
        .expect("the stub")
        .received()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [503, 503, 200]);

    let events = history(
        &local,
        message.execution_id.as_deref().expect("an execution"),
    )
    .await;
    assert_eq!(
        task_scheduled_on(&events, "send-notification"),
        3,
        "{events:#?}"
    );
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "TaskFailed")
        .collect();
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert!(
        failed
            .iter()
            .all(|e| e["taskFailedEventDetails"]["error"] == "Ntfy.ServerError")
    );
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_rejected_message_fails_after_one_attempt_and_its_execution_names_the_error() {
    let local = start().await;
    local
        .ntfy()
        .expect("the stub")
        .answer_with(&[400], std::time::Duration::ZERO);
    let (_, sent) = send(&local, &json!({"message": "rejected"})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();

    let message = settled(&local, &id).await;
    assert_eq!(message.status.as_str(), "failed", "{message:?}");
    assert_eq!(message.delivery_attempts, 1);
    assert_eq!(local.ntfy().expect("the stub").received().len(), 1);

    let execution = message.execution_id.clone().expect("an execution");
    let described = ended_execution(&local, &execution).await;
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "Ntfy.Rejected", "{described}");
    let events = history(&local, &execution).await;
    assert_eq!(task_scheduled_on(&events, "send-notification"), 1);
    // The store says the same through the adapter the functions use.
    let id = id.parse().expect("an id");
    let stored = store(&local).get(&id).await.ok().flatten().expect("stored");
    assert!(stored.error_message.is_some());
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn rez_agent_send_against_the_api_gateway_front_waits_for_the_delivery() {
    let local = start().await;
    let output = tokio::process::Command::new(rez_aws_local::step_functions::rez_agent_path())
        .args(["send", "from the CLI", "--title", "cli", "--wait", "--json"])
        .args(["--api-url", local.api_url()])
        .env("REZ_API_KEY", crate::support::api_key(&local))
        .output()
        .await
        .expect("rez-agent runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("completed"), "{stdout}");
    let received = local.ntfy().expect("the stub").received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].body["message"], "from the CLI");
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn the_api_and_the_cli_show_an_execution_and_its_history_from_the_log_group() {
    let local = start().await;
    local
        .ntfy()
        .expect("the stub")
        .answer_with(&[503], std::time::Duration::ZERO);
    let (_, sent) = send(&local, &json!({"message": "show my execution"})).await;
    let id = sent["id"].as_str().expect("an id").to_owned();
    let message = settled(&local, &id).await;
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    let arn = message.execution_id.clone().expect("an execution");

    // The list: the processor's record of the execution, written once
    // StartSyncExecution answered (a moment after the message completed),
    // without counts.
    let items = recorded_executions(&local, &id).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["execution_id"], arn.as_str());
    assert_eq!(items[0]["status"], "SUCCEEDED");
    assert_eq!(items[0]["message_id"], id.as_str());
    assert_eq!(items[0]["task_attempts"], Value::Null);
    assert!(items[0]["duration_ms"].as_i64().is_some(), "{items:?}");
    let (_, running) = api(&local, Method::GET, "/api/executions?status=RUNNING", None).await;
    assert_eq!(running["items"], json!([]), "{running}");

    // One execution: its history, read back from the log group once it was
    // delivered, is the engine's own, event for event.
    let shown = eventually("the execution's logs delivered", || async {
        let (status, shown) = api(
            &local,
            Method::GET,
            &format!("/api/executions/{}", encode(&arn)),
            None,
        )
        .await;
        assert_eq!(status, 200, "{shown}");
        (shown["history"] != json!([])).then_some(shown)
    })
    .await;
    let engine = history(&local, &arn).await;
    let types = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let served = shown["history"].as_array().expect("a history");
    assert_eq!(types(served), types(&engine));
    // LoadMessage, SendNotification twice (a 503, then 200), RecordSuccess.
    assert_eq!(shown["task_attempts"], 4, "{shown}");
    assert_eq!(shown["input"], json!({"message_id": id}));
    let failed = served
        .iter()
        .find(|e| e["type"] == "TaskFailed")
        .expect("the 503's failure");
    assert_eq!(
        failed["details"]["taskFailedEventDetails"]["error"],
        "Ntfy.ServerError"
    );
    let (status, unknown) = api(
        &local,
        Method::GET,
        &format!("/api/executions/{}", encode(&format!("{arn}-none"))),
        None,
    )
    .await;
    assert_eq!(status, 404, "{unknown}");

    // The CLI against the deployed API prints what the API serves.
    let name = items[0]["name"].as_str().expect("a name");
    let output = tokio::process::Command::new(rez_aws_local::step_functions::rez_agent_path())
        .args(["executions", name, "--json", "--api-url", local.api_url()])
        .env("REZ_API_KEY", crate::support::api_key(&local))
        .output()
        .await
        .expect("rez-agent runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed, shown);
    local.shutdown().await;
}

/// `text` as one URL path segment.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
