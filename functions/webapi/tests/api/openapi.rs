//! The OpenAPI document: served, and every documented operation is routed.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, TestResult, request};

#[tokio::test]
async fn the_document_describes_every_route_the_router_serves() -> TestResult {
    let app = TestApp::new().with_executions(Vec::new());
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert!(
        res.json["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.0"))
    );

    let paths = res.json["paths"].as_object().ok_or("no paths")?;
    let expected = [
        ("get", "/api/health"),
        ("get", "/api/messages"),
        ("post", "/api/messages"),
        ("get", "/api/messages/{id}"),
        ("get", "/api/metrics"),
        ("get", "/api/executions"),
        ("get", "/api/executions/{id}"),
        ("get", "/api/openapi.json"),
    ];
    for (method, path) in expected {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        for code in ["405", "500"] {
            assert!(
                op["responses"][code].is_object(),
                "{method} {path} lacks {code}"
            );
        }
    }

    // Every documented operation reaches a handler (not the 404 fallback, not 405).
    for (path, item) in paths {
        let concrete = path.replace("{id}", "01936f3c-0000-7000-8000-000000000000");
        for method in item.as_object().ok_or("bad path item")?.keys() {
            let method: Method = method.to_ascii_uppercase().parse()?;
            let res = app
                .send(request(method.clone(), &concrete).body(Body::empty())?)
                .await;
            assert_ne!(
                res.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            let message = res.json["error"]["message"].as_str().unwrap_or_default();
            assert!(
                !message.starts_with("no route"),
                "{method} {path}: {message}"
            );
        }
    }
    let _: &Value = &res.json;
    Ok(())
}
