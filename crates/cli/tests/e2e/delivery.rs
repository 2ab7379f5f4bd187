//! A message posted to the API reaches ntfy once, and its record says so.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_posted_message_is_published_once_and_recorded_completed() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let id = app
        .send(json!({"message": "Déploiement terminé ✅", "title": "🚀 Release", "priority": "high", "tags": ["rocket", "café"], "click": "https://example.com/r/1"}))
        .await;

    let message = app.wait_for_status(&id, &["completed", "failed"]).await;
    assert_eq!(message["status"], "completed");
    assert_eq!(message["delivery_attempts"], 1);
    assert_eq!(message["ntfy_message_id"], "ntfy123abc");
    assert!(message["delivered_at"].is_string());

    let publishes = app.publishes().await;
    assert_eq!(publishes.len(), 1, "{publishes:?}");
    let sent = &publishes[0];
    assert_eq!(sent["topic"], "rez-test");
    assert_eq!(sent["title"], "🚀 Release");
    assert_eq!(sent["message"], "Déploiement terminé ✅");
    assert_eq!(sent["priority"], 4);
    assert_eq!(sent["tags"], json!(["rocket", "café"]));
    assert_eq!(sent["click"], "https://example.com/r/1");
    assert_eq!(sent["sequence_id"], id.as_str());

    let execution_id = message["execution_id"].as_str().ok_or("no execution id")?;
    let execution = app.execution(execution_id).await;
    assert_eq!(execution["status"], "SUCCEEDED");
    assert_eq!(execution["message_id"], id.as_str());
    assert_eq!(
        states_entered(&execution),
        [
            "LoadMessage",
            "AlreadyDelivered?",
            "SendNotification",
            "RecordSuccess"
        ]
    );
    let types = event_types(&execution);
    assert_eq!(types.first().map(String::as_str), Some("ExecutionStarted"));
    assert_eq!(types.last().map(String::as_str), Some("ExecutionSucceeded"));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn health_lists_and_metrics_reflect_the_delivery() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    assert_eq!(app.get_json("/api/health").await["status"], "ok");
    let id = app.send(json!({"message": "hello"})).await;
    app.wait_for_status(&id, &["completed"]).await;

    let page = app
        .get_json("/api/messages?status=completed&limit=10")
        .await;
    assert_eq!(page["items"][0]["id"], id.as_str());
    let metrics = app.get_json("/api/metrics").await;
    assert_eq!(metrics["total"], 1);
    assert_eq!(metrics["by_status"]["completed"], 1);
    assert_eq!(metrics["success_rate"], 1.0);
    assert_eq!(metrics["delivery_latency_ms"]["count"], 1);
    let executions = app.get_json("/api/executions?status=SUCCEEDED").await;
    assert_eq!(executions["items"].as_array().map(Vec::len), Some(1));
    app.shutdown().await;
    Ok(())
}
