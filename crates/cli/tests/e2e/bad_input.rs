//! Bad input over real HTTP gets a 4xx with one JSON error shape, never a 5xx.

use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn bad_requests_get_clear_json_errors_and_store_nothing() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let long = "x".repeat(4097);
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            app.client
                .post(app.url("/api/messages"))
                .header("content-type", "application/json")
                .body("{not json"),
            400,
            "invalid_json",
        ),
        (
            app.client
                .post(app.url("/api/messages"))
                .json(&json!({"title": "no message"})),
            400,
            "validation_failed",
        ),
        (
            app.client
                .post(app.url("/api/messages"))
                .json(&json!({"message": ""})),
            400,
            "validation_failed",
        ),
        (
            app.client
                .post(app.url("/api/messages"))
                .json(&json!({"message": long})),
            400,
            "validation_failed",
        ),
        (
            app.client
                .post(app.url("/api/messages"))
                .json(&json!({"message": "x", "stage": "qa"})),
            400,
            "validation_failed",
        ),
        (
            app.client
                .post(app.url("/api/messages"))
                .json(&json!({"message": "x", "priority": 9})),
            400,
            "validation_failed",
        ),
        (
            app.client.get(app.url("/api/messages?status=lost")),
            400,
            "invalid_query",
        ),
        (
            app.client.get(app.url("/api/messages?limit=0")),
            400,
            "invalid_query",
        ),
        (
            app.client.get(app.url("/api/messages?limit=1001")),
            400,
            "invalid_query",
        ),
        (
            app.client.get(app.url("/api/messages?cursor=Zm9yZ2Vk")),
            400,
            "invalid_cursor",
        ),
        (app.client.get(app.url("/api/nowhere")), 404, "not_found"),
        (
            app.client
                .delete(app.url("/api/messages"))
                .header("content-type", "application/json"),
            405,
            "method_not_allowed",
        ),
        // A method no route takes is a 405 whatever its content type.
        (
            app.client.put(app.url("/api/dlq")),
            405,
            "method_not_allowed",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await?;
        let got = response.status().as_u16();
        let body: Value = response.json().await?;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    assert_eq!(app.get_json("/api/metrics").await["total"], 0);
    app.shutdown().await;
    Ok(())
}
