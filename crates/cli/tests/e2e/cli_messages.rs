//! `rez-agent messages [ID]`: tables and JSON against what the API holds.

use serde_json::json;

use crate::cli_common::*;
use crate::helpers::*;

#[tokio::test]
async fn messages_lists_newest_first_and_filters_and_pages() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let first = app.send(json!({"message": "one", "title": "First"})).await;
    let second = app.send(json!({"message": "two", "stage": "prod"})).await;
    app.wait_for_status(&first, &["completed"]).await;
    app.wait_for_status(&second, &["completed"]).await;

    let run = rez_at(&app, &["messages"]).await;
    let header: Vec<&str> = run
        .ok()
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        [
            "ID", "STATUS", "TYPE", "STAGE", "CREATED", "ATTEMPTS", "TITLE"
        ]
    );
    let rows = run.rows();
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert_eq!(rows[0][0], second);
    assert_eq!(rows[0][1..4], ["completed", "notification", "prod"]);
    assert_eq!(rows[0][5..], ["1", "-"]);
    assert_eq!(rows[1][0], first);
    assert_eq!(rows[1][6], "First");

    let rows = rez_at(&app, &["messages", "--stage", "dev"]).await.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], first);

    let run = rez_at(&app, &["messages", "--status", "completed", "--limit", "1"]).await;
    assert_eq!(run.rows().len(), 1);
    let cursor = run
        .ok()
        .lines()
        .find_map(|l| l.strip_prefix("next page: --cursor "))
        .ok_or("no cursor")?
        .to_owned();
    let rows = rez_at(
        &app,
        &[
            "messages",
            "--status",
            "completed",
            "--limit",
            "1",
            "--cursor",
            &cursor,
        ],
    )
    .await
    .rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], first);

    let none = rez_at(&app, &["messages", "--status", "failed"]).await;
    assert_eq!(none.ok(), "no messages\n");

    let listed = rez_at(&app, &["messages", "--json"]).await.json();
    assert_eq!(listed, app.get_json("/api/messages").await);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn messages_id_shows_one_message() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let id = app
        .send(json!({"message": "body text", "title": "T", "tags": ["x", "y"], "priority": "high"}))
        .await;
    let stored = app.wait_for_status(&id, &["completed"]).await;

    let run = rez_at(&app, &["messages", &id]).await;
    let printed = run.ok();
    assert_eq!(field(printed, "id").as_deref(), Some(id.as_str()));
    assert_eq!(field(printed, "status").as_deref(), Some("completed"));
    assert_eq!(field(printed, "title").as_deref(), Some("T"));
    assert_eq!(field(printed, "message").as_deref(), Some("body text"));
    assert_eq!(field(printed, "priority").as_deref(), Some("4"));
    assert_eq!(field(printed, "tags").as_deref(), Some("x,y"));
    assert_eq!(field(printed, "ntfy id").as_deref(), Some("ntfy123abc"));
    assert_eq!(
        field(printed, "execution"),
        stored["execution_id"].as_str().map(str::to_owned)
    );
    assert_eq!(field(printed, "error"), None);

    let json = rez_at(&app, &["messages", &id, "--json"]).await.json();
    assert_eq!(json, app.message(&id).await);

    rez_at(&app, &["messages", "01936f3c-0000-7000-8000-000000000000"])
        .await
        .fails_with(&["404 not_found: no message has id 01936f3c-0000-7000-8000-000000000000"]);
    rez_at(&app, &["messages", "not-an-id"])
        .await
        .fails_with(&["400 validation_failed"]);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn messages_rejects_bad_arguments_with_usage() {
    rez(&["messages", "--limit", "0"])
        .await
        .usage_error("--limit");
    rez(&["messages", "--status", "lost"])
        .await
        .usage_error("--status");
    rez(&["messages", "--stage", "qa"])
        .await
        .usage_error("--stage");
    rez(&["messages", "some-id", "--status", "failed"])
        .await
        .usage_error("cannot be used with");
}

#[tokio::test]
async fn messages_names_an_unreachable_api_and_a_missing_or_wrong_key() {
    check_unreachable_and_unauthorized(&["messages"]).await;
}
