//! `rez-agent executions [ID]`: the list and one execution's history.

use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::cli_common::*;
use crate::helpers::*;

#[tokio::test]
async fn executions_lists_and_shows_a_succeeded_execution() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let id = app.send(json!({"message": "traced"})).await;
    app.wait_for_status(&id, &["completed"]).await;
    let summary = app.executions_of(&id).await.remove(0);
    let name = summary["name"].as_str().ok_or("no name")?;
    let arn = summary["execution_id"].as_str().ok_or("no arn")?;

    let run = rez_at(&app, &["executions", "--message-id", &id]).await;
    let header: Vec<&str> = run
        .ok()
        .lines()
        .next()
        .unwrap_or_default()
        .split("  ")
        .filter(|h| !h.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        [
            "NAME",
            "STATUS",
            "MESSAGE",
            "STARTED",
            "DURATION MS",
            "ATTEMPTS",
            "ERROR"
        ]
    );
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert_eq!(rows[0][0], name);
    assert_eq!(rows[0][1], "SUCCEEDED");
    assert_eq!(rows[0][2], id);
    assert_eq!(rows[0][4], summary["duration_ms"].to_string());
    assert_eq!(rows[0][5], "3");
    assert_eq!(rows[0][6], "-");

    let listed = rez_at(&app, &["executions", "--status", "succeeded", "--json"])
        .await
        .json();
    assert_eq!(
        listed,
        app.get_json("/api/executions?status=SUCCEEDED").await
    );

    // By name (as the list shows it) and by ARN: the same execution.
    let by_name = rez_at(&app, &["executions", name]).await;
    let by_arn = rez_at(&app, &["executions", arn]).await;
    assert_eq!(by_name.ok(), by_arn.ok());
    let printed = by_name.ok();
    assert_eq!(field(printed, "execution").as_deref(), Some(arn));
    assert_eq!(field(printed, "status").as_deref(), Some("SUCCEEDED"));
    let history = app.execution(arn).await;
    let events = table_rows(printed.split("\n\n").nth(1).ok_or("no history table")?);
    assert_eq!(
        events.len(),
        history["history"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(events[0][..2], ["1", "ExecutionStarted"]);
    let send = events
        .iter()
        .find(|e| e[1] == "TaskScheduled" && e[2] == "SendNotification")
        .ok_or("no TaskScheduled of SendNotification")?;
    assert_eq!(send[3], "${SendNotificationFunctionArn}");
    assert_eq!(
        events.last().map(|e| e[1].as_str()),
        Some("ExecutionSucceeded")
    );

    let json = rez_at(&app, &["executions", arn, "--json"]).await.json();
    assert_eq!(json, history);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_failed_execution_shows_its_error_and_cause() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(400, 40013, "invalid request: topic invalid"))
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;
    let id = app.send(json!({"message": "nope"})).await;
    app.wait_for_status(&id, &["failed"]).await;

    let rows = rez_at(&app, &["executions", "--status", "failed"])
        .await
        .rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "FAILED");
    assert_eq!(rows[0][6], "Ntfy.Rejected");

    let printed = rez_at(&app, &["executions", &rows[0][0]]).await;
    let printed = printed.ok();
    assert_eq!(field(printed, "error").as_deref(), Some("Ntfy.Rejected"));
    assert!(
        field(printed, "cause").is_some_and(|c| c.contains("400")),
        "{printed}"
    );
    let events = table_rows(printed.split("\n\n").nth(1).ok_or("no history table")?);
    let failed = events
        .iter()
        .find(|e| e[1] == "TaskFailed")
        .ok_or("no TaskFailed")?;
    assert_eq!(failed[2], "SendNotification");
    assert_eq!(failed.last().map(String::as_str), Some("Ntfy.Rejected"));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_unknown_execution_is_a_404_on_one_line() {
    let app = spawn_app(ntfy_accepting().await).await;
    rez_at(
        &app,
        &["executions", "arn:aws:states:local:0:execution:x:y"],
    )
    .await
    .fails_with(&["404 not_found: no execution has id arn:aws:states:local:0:execution:x:y"]);
    rez_at(
        &app,
        &[
            "executions",
            "01936f3c-0000-7000-8000-000000000000-abcdef12",
        ],
    )
    .await
    .fails_with(&["404 not_found"]);
    app.shutdown().await;
}

#[tokio::test]
async fn executions_rejects_bad_arguments_with_usage() {
    rez(&["executions", "--status", "done"])
        .await
        .usage_error("--status");
    rez(&["executions", "--message-id", "42"])
        .await
        .usage_error("--message-id");
    rez(&["executions", "--limit", "5000"])
        .await
        .usage_error("--limit");
    rez(&["executions", "x", "--limit", "5"])
        .await
        .usage_error("cannot be used with");
}

#[tokio::test]
async fn executions_names_an_unreachable_api_and_a_missing_or_wrong_key() {
    check_unreachable_and_unauthorized(&["executions"]).await;
}
