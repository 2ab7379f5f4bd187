//! The API key: required everywhere but health when set, ignored when not.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::{TestApp, TestResult, request};

const KEY: &str = "k3y-Of-The-Test";

fn get_with(path: &str, authorization: Option<&str>) -> axum::http::Request<Body> {
    let mut builder = request(Method::GET, path);
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn with_a_key_every_route_but_health_needs_it() -> TestResult {
    let app = TestApp::new().with_key(KEY);
    let paths = [
        "/api/messages",
        "/api/messages/01936f3c-0000-7000-8000-000000000000",
        "/api/metrics",
        "/api/executions",
        "/api/executions/arn:aws:states:x",
        "/api/openapi.json",
    ];
    let bad = [
        None,
        Some("Bearer wrong"),
        Some("Basic azNZ"),
        Some("Bearer "),
        Some(KEY),
    ];
    for path in paths {
        for authorization in bad {
            let res = app.send(get_with(path, authorization)).await;
            let message = res.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
            assert_eq!(res.header("www-authenticate"), Some("Bearer"));
            assert!(!message.contains(KEY));
        }
    }
    let res = app.send(get_with("/api/health", None)).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .send(get_with("/api/messages", Some(&format!("Bearer {KEY}"))))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .send(get_with("/api/metrics", Some(&format!("bearer {KEY}"))))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn an_unauthorized_create_stores_and_publishes_nothing() -> TestResult {
    let app = TestApp::new().with_key(KEY);
    let res = app.create(json!({"message":"sneaky"})).await;
    res.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(app.store.all().is_empty());
    assert!(app.publisher.events().is_empty());

    let req = request(Method::POST, "/api/messages")
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"message":"ok"}"#))?;
    assert_eq!(app.send(req).await.status, StatusCode::ACCEPTED);
    Ok(())
}

#[tokio::test]
async fn without_a_key_auth_is_off() -> TestResult {
    let app = TestApp::new();
    let res = app
        .send(get_with("/api/messages", Some("Bearer anything")))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(app.get("/api/metrics").await.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn without_its_key_the_api_answers_health_with_the_problem_and_serves_nothing_else()
-> TestResult {
    use tower::ServiceExt;
    let problem = "ssm parameter /rez-agent/dev/api-key does not exist";
    let app = rez_webapi::unavailable_router(problem);
    let read = |response: axum::response::Response| async move {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        Ok::<_, Box<dyn std::error::Error>>((
            status,
            serde_json::from_slice::<serde_json::Value>(&bytes)?,
        ))
    };
    let (status, health) = read(app.clone().oneshot(get_with("/api/health", None)).await?).await?;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health["status"], "unavailable");
    assert_eq!(health["problem"], problem);
    for path in [
        "/api/messages",
        "/api/metrics",
        "/api/executions",
        "/nowhere",
    ] {
        for authorization in [None, Some(format!("Bearer {KEY}"))] {
            let (status, body) = read(
                app.clone()
                    .oneshot(get_with(path, authorization.as_deref()))
                    .await?,
            )
            .await?;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
            assert_eq!(body["error"]["code"], "unavailable", "{path}: {body}");
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(problem), "{path}: {body}");
        }
    }
    let posted = app
        .oneshot(
            request(Method::POST, "/api/messages")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"message": "x"}).to_string()))?,
        )
        .await?;
    assert_eq!(posted.status(), StatusCode::SERVICE_UNAVAILABLE);
    Ok(())
}
