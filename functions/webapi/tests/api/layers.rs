//! The middleware stack: panics, request ids and CORS.

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};

use crate::helpers::{TestApp, TestResult, request};

#[tokio::test]
async fn a_panicking_handler_is_a_generic_500() -> TestResult {
    let app = TestApp::new();
    app.store.panic_on_get.store(true, Ordering::SeqCst);
    let res = app
        .get("/api/messages/01936f3c-0000-7000-8000-000000000000")
        .await;
    let message = res.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert_eq!(message, "an internal error occurred");
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_request_that_outlives_the_timeout_is_503() -> TestResult {
    let app = TestApp::new();
    app.store.slow.store(true, Ordering::SeqCst);
    let started = tokio::time::Instant::now();
    let res = app.get("/api/metrics").await;
    res.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(
        started.elapsed().as_secs(),
        rez_webapi::REQUEST_TIMEOUT.as_secs()
    );
    Ok(())
}

#[tokio::test]
async fn every_response_carries_a_request_id() -> TestResult {
    let app = TestApp::new();
    let res = app.get("/api/health").await;
    assert!(res.header("x-request-id").is_some_and(|id| !id.is_empty()));
    let res = app.get("/api/nowhere").await;
    assert!(res.header("x-request-id").is_some());
    let req = request(Method::GET, "/api/health")
        .header("x-request-id", "mine-1")
        .body(Body::empty())?;
    assert_eq!(app.send(req).await.header("x-request-id"), Some("mine-1"));
    Ok(())
}

#[tokio::test]
async fn cors_is_off_by_default_and_an_allow_list_when_configured() -> TestResult {
    let preflight = || {
        request(Method::OPTIONS, "/api/messages")
            .header(header::ORIGIN, "https://console.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap()
    };
    let app = TestApp::new();
    let res = app.send(preflight()).await;
    assert_eq!(res.header("access-control-allow-origin"), None);

    let mut app = TestApp::new().with_key("key");
    app.state.cors_origins = vec!["https://console.example".into()];
    let res = app.send(preflight()).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://console.example")
    );

    let req = request(Method::GET, "/api/messages")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())?;
    let res = app.send(req).await;
    assert_eq!(res.header("access-control-allow-origin"), None);
    res.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    Ok(())
}

#[tokio::test]
async fn a_wildcard_origin_lets_any_page_send_the_key() -> TestResult {
    let mut app = TestApp::new().with_key("key");
    app.state.cors_origins = vec!["*".into()];
    let req = request(Method::OPTIONS, "/api/messages")
        .header(header::ORIGIN, "https://anyone.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())?;
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    assert_eq!(res.header("access-control-allow-credentials"), None);
    let allowed = res
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(allowed.contains("authorization"), "{allowed}");
    Ok(())
}
