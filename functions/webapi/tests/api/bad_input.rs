//! Every kind of bad input: the exact code and the one JSON shape.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::{TestApp, TestResult, request};

#[tokio::test]
async fn bad_bodies_get_the_exact_code_and_name_the_field() -> TestResult {
    let app = TestApp::new();
    let long = "x".repeat(4097);
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "{not json".into(),
            "invalid_json",
            "the body is not valid JSON",
        ),
        ("".into(), "invalid_json", "the body is not valid JSON"),
        (
            r#"{"message":"a"} x"#.into(),
            "invalid_json",
            "trailing characters",
        ),
        ("{}".into(), "validation_failed", "message: is required"),
        (
            r#"{"message":"  "}"#.into(),
            "validation_failed",
            "message: must not be empty",
        ),
        (
            json!({"message": long}).to_string(),
            "validation_failed",
            "message: is 4097 bytes",
        ),
        (
            r#"{"message":"m","stage":"qa"}"#.into(),
            "validation_failed",
            "stage: unknown variant `qa`",
        ),
        (
            r#"{"message":"m","priority":"loud"}"#.into(),
            "validation_failed",
            "priority: unknown priority 'loud'",
        ),
        (
            r#"{"message":"m","priority":6}"#.into(),
            "validation_failed",
            "priority: unknown priority '6'",
        ),
        (
            r#"{"message":"m","message_type":"spam"}"#.into(),
            "validation_failed",
            "message_type: unknown variant",
        ),
        (
            r#"{"message":"m","titel":"t"}"#.into(),
            "validation_failed",
            "unknown field `titel`",
        ),
        (
            r#"{"message":5}"#.into(),
            "validation_failed",
            "message: invalid type",
        ),
        (
            r#"{"message":"m","click":"javascript:x"}"#.into(),
            "validation_failed",
            "click: ",
        ),
        (
            r#"{"message":"m","tags":["a,b"]}"#.into(),
            "validation_failed",
            "tags[0]: must not contain a comma",
        ),
        (
            "[]".into(),
            "validation_failed",
            "body: must be a JSON object",
        ),
    ];
    for (body, code, text) in cases {
        let res = app.post_raw(&body, "application/json").await;
        let message = res.assert_error(StatusCode::BAD_REQUEST, code);
        assert!(message.contains(text), "{body}: {message}");
    }
    assert!(app.store.all().is_empty());
    assert!(app.publisher.events().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_body_not_sent_as_json_is_invalid_json() -> TestResult {
    let app = TestApp::new();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let res = app.post_raw(r#"{"message":"m"}"#, content_type).await;
        let message = res.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
        assert!(
            message.contains("Content-Type: application/json"),
            "{message}"
        );
    }
    let req = request(Method::POST, "/api/messages").body(Body::from(r#"{"message":"m"}"#))?;
    app.send(req)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    let ok = app
        .post_raw(r#"{"message":"m"}"#, "application/json; charset=utf-8")
        .await;
    assert_eq!(ok.status, StatusCode::ACCEPTED);
    Ok(())
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_with_or_without_a_length() -> TestResult {
    let app = TestApp::new();
    let big = json!({ "message": "x".repeat(70 * 1024) }).to_string();
    let res = app.post_raw(&big, "application/json").await;
    res.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let req = request(Method::POST, "/api/messages")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))?;
    app.send(req)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(app.store.all().is_empty());
    Ok(())
}

#[tokio::test]
async fn bad_list_queries_are_400_with_the_right_code() -> TestResult {
    let app = TestApp::new();
    let cases = [
        (
            "limit=0",
            "invalid_query",
            "limit: must be a whole number from 1 to 1000",
        ),
        ("limit=1001", "invalid_query", "limit: "),
        ("limit=ten", "invalid_query", "limit: "),
        ("stage=qa", "invalid_query", "unknown stage 'qa'"),
        ("status=lost", "invalid_query", "unknown status 'lost'"),
        (
            "message_type=spam",
            "invalid_query",
            "unknown message_type 'spam'",
        ),
        (
            "colour=red",
            "invalid_query",
            "unknown query parameter 'colour'",
        ),
        (
            "status=queued&status=failed",
            "invalid_query",
            "status: must be given at most once",
        ),
        ("cursor=forged", "invalid_cursor", "cursor: "),
        (
            "cursor=eyJjIjoieCIsImkiOiJ5IiwiZiI6IiJ9",
            "invalid_cursor",
            "cursor: ",
        ),
    ];
    for (query, code, text) in cases {
        let res = app.get(&format!("/api/messages?{query}")).await;
        let message = res.assert_error(StatusCode::BAD_REQUEST, code);
        assert!(message.contains(text), "{query}: {message}");
    }
    Ok(())
}

#[tokio::test]
async fn a_malformed_message_id_is_400_and_an_unknown_one_404() -> TestResult {
    let app = TestApp::new();
    let message = app
        .get("/api/messages/not-an-id")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
    assert!(message.starts_with("id: "), "{message}");
    app.get("/api/messages/01936f3c-0000-7000-8000-000000000000")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    Ok(())
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() -> TestResult {
    let app = TestApp::new();
    for path in [
        "/",
        "/api",
        "/api/nope",
        "/api/messages/x/y",
        "/api/health/extra",
    ] {
        let message = app
            .get(path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
        assert!(message.contains("no route"), "{path}: {message}");
    }
    for (method, path) in [
        (Method::DELETE, "/api/messages"),
        (
            Method::PUT,
            "/api/messages/01936f3c-0000-7000-8000-000000000000",
        ),
        (Method::POST, "/api/health"),
        (Method::PATCH, "/api/metrics"),
    ] {
        let res = app
            .send(request(method.clone(), path).body(Body::empty())?)
            .await;
        res.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        let allow = res.header("allow").ok_or("no Allow header")?;
        assert!(allow.contains("GET"), "{method} {path}: {allow}");
    }
    let res = app
        .send(request(Method::DELETE, "/api/messages").body(Body::empty())?)
        .await;
    assert!(res.header("allow").unwrap_or_default().contains("POST"));
    Ok(())
}

#[tokio::test]
async fn path_segments_that_are_not_utf8_are_400_not_500() -> TestResult {
    let app = TestApp::new().with_executions(Vec::new());
    for path in ["/api/messages/%FF", "/api/executions/%FF%FE"] {
        let message = app
            .get(path)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
        assert!(message.starts_with("path: "), "{path}: {message}");
    }
    Ok(())
}
