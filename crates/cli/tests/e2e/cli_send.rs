//! `rez-agent send`: what it prints, what the API stored and what ntfy got.

use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::cli_common::*;
use crate::helpers::*;

#[tokio::test]
async fn send_prints_the_id_and_status_and_ntfy_gets_exactly_that_publish() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let run = rez_at(
        &app,
        &[
            "send",
            "Déploiement terminé ✅",
            "--title",
            "🚀 Release",
            "--priority",
            "max",
            "--tags",
            "rocket,café",
            "--click",
            "https://example.com/r/1",
        ],
    )
    .await;
    let printed = run.ok();
    assert_eq!(printed.lines().count(), 2, "{printed}");
    let id = field(printed, "id").ok_or("no id line")?;
    // Queued, or already taken further by the processor when the API read
    // it back after publishing.
    let status = field(printed, "status").ok_or("no status line")?;
    assert!(
        ["queued", "processing", "completed"].contains(&status.as_str()),
        "{status}"
    );

    let message = app.wait_for_status(&id, &["completed", "failed"]).await;
    assert_eq!(message["status"], "completed");
    assert_eq!(message["created_by"], "cli");
    let publishes = app.publishes().await;
    assert_eq!(publishes.len(), 1, "{publishes:?}");
    let sent = &publishes[0];
    assert_eq!(sent["topic"], "rez-test");
    assert_eq!(sent["title"], "🚀 Release");
    assert_eq!(sent["message"], "Déploiement terminé ✅");
    assert_eq!(sent["priority"], 5);
    assert_eq!(sent["tags"], json!(["rocket", "café"]));
    assert_eq!(sent["click"], "https://example.com/r/1");
    assert_eq!(sent["sequence_id"], id.as_str());
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn send_wait_follows_the_message_until_completed() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let run = rez_at(&app, &["send", "hello", "--priority", "2", "--wait"]).await;
    let printed = run.ok();
    let id = field(printed, "id").ok_or("no id line")?;
    assert_eq!(field(printed, "status").as_deref(), Some("completed"));
    assert_eq!(field(printed, "attempts").as_deref(), Some("1"));
    assert_eq!(field(printed, "ntfy id").as_deref(), Some("ntfy123abc"));
    // The final state is what the store holds, and no progress was drawn
    // on a stderr that is not a terminal.
    assert_eq!(app.message(&id).await["status"], "completed");
    assert_eq!(run.stderr, "");
    assert_eq!(app.publishes().await.len(), 1);

    let run = rez_at(&app, &["send", "again", "--wait", "--json"]).await;
    let answer = run.json();
    let id = answer["id"].as_str().ok_or("no id")?;
    assert_eq!(answer["status"], "completed");
    assert_eq!(answer, app.message(id).await);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn send_json_prints_the_apis_answer() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let answer = rez_at(&app, &["send", "scripted", "--json", "--tags", "a"])
        .await
        .json();
    let id = answer["id"].as_str().ok_or("no id")?;
    assert!(
        ["queued", "processing", "completed"].contains(&answer["status"].as_str().unwrap_or("")),
        "{answer}"
    );
    assert_eq!(
        answer["payload"],
        json!({"message": "scripted", "tags": ["a"]})
    );
    let stored = app.wait_for_status(id, &["completed"]).await;
    assert_eq!(stored["payload"], answer["payload"]);

    // The same idempotency key twice: one message, one publish.
    let args = ["send", "once", "--idempotency-key", "deploy-42", "--json"];
    let first = rez_at(&app, &args).await.json();
    let id = first["id"].as_str().ok_or("no id")?;
    app.wait_for_status(id, &["completed"]).await;
    let again = rez_at(&app, &args).await.json();
    assert_eq!(again["id"], id);
    let once: Vec<_> = app
        .publishes()
        .await
        .into_iter()
        .filter(|p| p["message"] == "once")
        .collect();
    assert_eq!(once.len(), 1);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn send_wait_exits_non_zero_with_the_reason_when_delivery_fails() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(400, 40013, "invalid request: topic invalid"))
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;
    let run = rez_at(&app, &["send", "nope", "--wait"]).await;
    assert_eq!(run.code, Some(1), "{run:#?}");
    let id = field(&run.stdout, "id").ok_or("no id line")?;
    assert_eq!(field(&run.stdout, "status").as_deref(), Some("failed"));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(
        lines[0].starts_with(&format!("rez-agent: message {id} failed: Ntfy.Rejected")),
        "{run:#?}"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn send_wait_gives_up_after_the_timeout() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok().set_delay(std::time::Duration::from_secs(30)))
        .mount(&ntfy)
        .await;
    // At full time scale the one ntfy attempt outlasts the timeout.
    let app = spawn_app_with(ntfy, |c| c.time_scale = 1.0).await;
    let run = rez_at(&app, &["send", "slow", "--wait", "--timeout", "0.5"]).await;
    assert_eq!(run.code, Some(1), "{run:#?}");
    let id = field(&run.stdout, "id").ok_or("no id line")?;
    // Processing (the ntfy call takes 10 s), or still queued on a busy machine.
    let status = field(&run.stdout, "status").ok_or("no status line")?;
    assert!(
        ["queued", "processing"].contains(&status.as_str()),
        "{status}"
    );
    assert_eq!(
        run.stderr,
        format!("rez-agent: message {id} is still {status} after 0.5 s (--timeout)\n")
    );
    // Not shut down: that would wait for the slow delivery.
    drop(app);
    Ok(())
}

#[tokio::test]
async fn send_reports_the_apis_validation_error_on_one_line() {
    let app = spawn_app(ntfy_accepting().await).await;
    rez_at(&app, &["send", "   "])
        .await
        .fails_with(&["the API answered 400 validation_failed: message: must not be empty"]);
    rez_at(&app, &["send", "x", "--click", "javascript:alert(1)"])
        .await
        .fails_with(&["400 validation_failed: click: must be an http or https URL"]);
    assert!(app.publishes().await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn send_rejects_bad_arguments_with_usage() {
    rez(&["send"]).await.usage_error("<TEXT>");
    rez(&["send", "x", "--priority", "9"])
        .await
        .usage_error("--priority");
    rez(&["send", "x", "--timeout", "5"])
        .await
        .usage_error("--wait");
    rez(&["send", "x", "--wait", "--timeout", "soon"])
        .await
        .usage_error("--timeout");
    rez(&["send", "x", "--api-url", "ftp://example.com"])
        .await
        .fails_with(&["--api-url ftp://example.com", "http"]);
}

#[tokio::test]
async fn send_names_an_unreachable_api_and_a_missing_or_wrong_key() {
    check_unreachable_and_unauthorized(&["send", "hello"]).await;
}
