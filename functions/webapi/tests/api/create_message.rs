//! `POST /api/messages`: store, publish, queue; idempotency; publish failure.

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use rez_core::{MessageType, Stage, Status};
use serde_json::json;

use crate::helpers::{LogLines, PUBLISH_FAILURE, TestApp, TestResult, request};

#[tokio::test]
async fn create_stores_publishes_and_queues_the_message() -> TestResult {
    let app = TestApp::new();
    let res = app
        .create(json!({"message":"Deploy done","title":"CI","priority":"high","tags":["rocket"]}))
        .await;

    assert_eq!(res.status, StatusCode::ACCEPTED, "{:#}", res.json);
    let id = res.json["id"].as_str().ok_or("no id")?.to_owned();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/messages/{id}").as_str())
    );
    assert_eq!(res.header("idempotent-replayed"), None);
    assert_eq!(res.json["status"], "queued");
    assert_eq!(res.json["stage"], "dev");
    assert_eq!(res.json["created_by"], "api");
    assert_eq!(res.json["payload"]["priority"], 4);
    assert_eq!(res.json["created_date"], "2026-11-30T12:00:00.000000Z");

    let stored = app.store.message(&id);
    assert_eq!(stored.status, Status::Queued);
    let events = app.publisher.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].message_id.as_str(), id);
    assert_eq!(events[0].stage, Stage::Dev);
    assert_eq!(events[0].message_type, MessageType::Notification);
    Ok(())
}

#[tokio::test]
async fn the_request_may_name_stage_type_and_creator() -> TestResult {
    let app = TestApp::new();
    let res = app
        .create(json!({"message":"m","stage":"prod","message_type":"scheduled","created_by":"cron","arguments":{"k":1}}))
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED);
    assert_eq!(res.json["stage"], "prod");
    assert_eq!(res.json["message_type"], "scheduled");
    assert_eq!(res.json["created_by"], "cron");
    assert_eq!(res.json["arguments"], json!({"k":1}));
    assert_eq!(app.publisher.events()[0].stage, Stage::Prod);
    Ok(())
}

fn keyed(key: &str, body: &str) -> axum::http::Request<Body> {
    request(Method::POST, "/api/messages")
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_the_first_message() -> TestResult {
    let app = TestApp::new();
    let first = app.send(keyed("order-42", r#"{"message":"once"}"#)).await;
    let second = app.send(keyed("order-42", r#"{"message":"once"}"#)).await;

    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!(second.status, StatusCode::ACCEPTED);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.json, first.json);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(app.store.all().len(), 1);
    assert_eq!(
        app.publisher.events().len(),
        1,
        "a replay publishes nothing"
    );
    assert_eq!(
        app.metrics.events(),
        vec![rez_core::ports::MetricEvent::MessageCreated {
            stage: rez_core::Stage::Dev,
            message_type: rez_core::MessageType::Notification
        }],
        "one MessagesCreated for the one message stored"
    );
    Ok(())
}

#[tokio::test]
async fn each_accepted_message_is_logged_with_its_id() -> TestResult {
    let app = TestApp::new();
    let (logs, _guard) = LogLines::capture();
    let first = app.send(keyed("k1", r#"{"message":"hello"}"#)).await;
    let replay = app.send(keyed("k1", r#"{"message":"hello"}"#)).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!(replay.status, StatusCode::ACCEPTED);

    let accepted: Vec<_> = logs
        .parsed()
        .into_iter()
        .filter(|line| line["target"] == rez_webapi::ACCEPTED_LOG_TARGET)
        .collect();
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    for (line, replayed) in accepted.iter().zip([false, true]) {
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["fields"]["message"], "message accepted");
        assert_eq!(line["fields"]["message_id"], first.json["id"]);
        assert_eq!(line["fields"]["replayed"], replayed);
        // The request's span names the message too, for its other lines.
        assert_eq!(line["span"]["name"], "http_request");
        assert_eq!(line["span"]["message_id"], first.json["id"]);
    }
    Ok(())
}

#[tokio::test]
async fn a_publish_failure_is_503_and_keeps_the_message_created() -> TestResult {
    let app = TestApp::new();
    app.publisher.fail_publishes(Some(PUBLISH_FAILURE));
    let res = app.send(keyed("k1", r#"{"message":"hello"}"#)).await;

    let message = res.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(!message.contains("arn:aws"), "{message}");
    let stored = app.store.all();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, Status::Created);
    assert!(app.publisher.events().is_empty());

    // Retrying with the same key publishes the stored message.
    app.publisher.fail_publishes(None);
    let retry = app.send(keyed("k1", r#"{"message":"hello"}"#)).await;
    assert_eq!(retry.status, StatusCode::ACCEPTED);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.json["id"], stored[0].id.as_str());
    assert_eq!(retry.json["status"], "queued");
    assert_eq!(app.publisher.events().len(), 1);
    assert_eq!(app.store.all().len(), 1);
    Ok(())
}

#[tokio::test]
async fn an_unavailable_store_is_503_without_detail() -> TestResult {
    let app = TestApp::new();
    app.store.unavailable.store(true, Ordering::SeqCst);
    let res = app.create(json!({"message":"x"})).await;
    let message = res.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(!message.contains("/secret/path"), "{message}");
    assert!(app.publisher.events().is_empty());
    Ok(())
}

#[tokio::test]
async fn bad_idempotency_keys_are_400() -> TestResult {
    let app = TestApp::new();
    let long = "k".repeat(256);
    for key in ["", "has space", long.as_str()] {
        let res = app.send(keyed(key, r#"{"message":"x"}"#)).await;
        let message = res.assert_error(StatusCode::BAD_REQUEST, "validation_failed");
        assert!(message.starts_with("Idempotency-Key: "), "{message}");
    }
    let max = "k".repeat(255);
    assert_eq!(
        app.send(keyed(&max, r#"{"message":"x"}"#)).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.store.all().len(), 1);
    Ok(())
}
