//! Health, one message, and metrics.

use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, TestResult};

#[tokio::test]
async fn health_answers_ok_with_the_version() -> TestResult {
    let res = TestApp::new().get("/api/health").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json,
        json!({"status":"ok","version": env!("CARGO_PKG_VERSION")})
    );
    Ok(())
}

#[tokio::test]
async fn a_created_message_can_be_read_back() -> TestResult {
    let app = TestApp::new();
    let created = app.create(json!({"message":"read me"})).await;
    let location = created.header("location").ok_or("no location")?;
    let res = app.get(location).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json, created.json);
    assert_eq!(res.json["payload"]["message"], "read me");
    Ok(())
}

#[tokio::test]
async fn an_uppercase_id_finds_the_same_message() -> TestResult {
    let app = TestApp::new();
    let created = app.create(json!({"message":"m"})).await;
    let id = created.json["id"]
        .as_str()
        .ok_or("no id")?
        .to_ascii_uppercase();
    assert_eq!(
        app.get(&format!("/api/messages/{id}")).await.status,
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn metrics_come_from_the_store() -> TestResult {
    let app = TestApp::new();
    app.create(json!({"message":"a"})).await;
    app.create(json!({"message":"b"})).await;
    let res = app.get("/api/metrics").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json["total"], 2);
    assert_eq!(res.json["by_status"], json!({"queued": 2}));
    assert!(res.json["delivery_latency_ms"].is_object());
    // The window: 30 UTC days ending with the clock's day.
    assert_eq!(res.json["window_days"], 30);
    assert_eq!(res.json["since"], "2026-11-01T00:00:00.000000Z");
    Ok(())
}

#[tokio::test]
async fn reads_from_an_unavailable_store_are_503() -> TestResult {
    let app = TestApp::new();
    app.store.unavailable.store(true, Ordering::SeqCst);
    for path in [
        "/api/messages",
        "/api/metrics",
        "/api/messages/01936f3c-0000-7000-8000-000000000000",
    ] {
        app.get(path)
            .await
            .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    }
    assert_eq!(app.get("/api/health").await.status, StatusCode::OK);
    Ok(())
}
