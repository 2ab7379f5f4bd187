//! `rez-agent dlq list / redrive`: a record the processor gave up on shows
//! up in the list, and redriving it sends it round again.

use serde_json::json;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli_common::*;
use crate::helpers::*;

/// A stack whose ntfy never answers, holding one message whose queue record
/// went to the DLQ after three receives; returns the app and the message id.
async fn app_with_a_dead_letter() -> (TestApp, String) {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&ntfy)
        .await;
    // As in failures.rs: ntfy's timeout always ends an attempt before the task's.
    let app = spawn_app_with(ntfy, |c| c.time_scale = 0.02).await;
    let id = app.send(json!({"message": "into the void"})).await;
    eventually(Duration::from_millis(50), async || {
        let depth = app.stack.as_ref().unwrap().queue.depth().await.unwrap();
        match depth.dead == 1 && depth.visible == 0 && depth.in_flight == 0 {
            true => Ok(()),
            false => Err(format!("record never reached the DLQ: {depth:?}")),
        }
    })
    .await;
    (app, id)
}

#[tokio::test]
async fn a_dead_letter_is_listed_and_redrive_brings_it_back() -> TestResult {
    let (app, id) = app_with_a_dead_letter().await;

    let run = rez_at(&app, &["dlq", "list"]).await;
    let header: Vec<&str> = run
        .ok()
        .lines()
        .next()
        .unwrap_or_default()
        .split("  ")
        .filter(|h| !h.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(header, ["ID", "MESSAGE", "RECEIVES", "SENT", "DEAD SINCE"]);
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert_eq!(rows[0][1], id);
    assert_eq!(rows[0][2], "3");
    assert_eq!(
        run.stdout.lines().last(),
        Some("queue: 0 visible, 0 in flight, 1 dead")
    );
    let record_id = rows[0][0].clone();

    let listed = rez_at(&app, &["dlq", "list", "--json"]).await.json();
    assert_eq!(listed, app.get_json("/api/dlq").await);
    assert_eq!(listed["items"][0]["id"], record_id.as_str());
    assert_eq!(listed["items"][0]["message_id"], id.as_str());
    assert_eq!(
        listed["depth"],
        json!({"visible": 0, "in_flight": 0, "dead": 1})
    );

    // ntfy answers again; the redriven record is delivered this time.
    app.ntfy.reset().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok())
        .mount(&app.ntfy)
        .await;
    let run = rez_at(&app, &["dlq", "redrive", &record_id]).await;
    assert_eq!(run.ok(), "redriven: 1 record back to the queue\n");
    let after = rez_at(&app, &["dlq", "list", "--json"]).await.json();
    assert_eq!(after["items"], json!([]));
    assert_eq!(after["depth"]["dead"], 0);
    let message = app.wait_for_status(&id, &["completed"]).await;
    assert_eq!(message["status"], "completed");
    assert!(
        app.publishes()
            .await
            .iter()
            .any(|p| p["sequence_id"] == id.as_str()),
        "ntfy got the redriven delivery"
    );
    let run = rez_at(&app, &["dlq", "list"]).await;
    assert!(run.ok().starts_with("no dead letters\n"), "{}", run.stdout);

    let json = rez_at(&app, &["dlq", "redrive", "--json"]).await.json();
    assert_eq!(json, json!({"redriven": 0}));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn dlq_rejects_bad_arguments_with_usage() {
    let bare = rez(&["dlq"]).await;
    assert_eq!(bare.code, Some(2), "{bare:#?}");
    assert!(
        bare.stderr.contains("Usage: rez-agent dlq <COMMAND>"),
        "{bare:#?}"
    );
    rez(&["dlq", "list", "extra"]).await.usage_error("extra");
    rez(&["dlq", "purge"]).await.usage_error("purge");
}

#[tokio::test]
async fn dlq_names_an_unreachable_api_and_a_missing_or_wrong_key() {
    check_unreachable_and_unauthorized(&["dlq", "list"]).await;
    let url = nothing_listening();
    rez(&["dlq", "redrive", "--api-url", &url])
        .await
        .fails_with(&[url.as_str(), "nothing answered"]);
}
