//! `/api/executions`: from the reader when there is one, 404 when not.

use axum::http::StatusCode;
use rez_core::ports::{ExecutionRecord, ExecutionSummary};
use serde_json::json;

use crate::helpers::{TestApp, TestResult};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:express:rez-agent:run-1:abc";
const MESSAGE: &str = "01936f3c-0000-7000-8000-000000000000";

fn record(id: &str, status: &str) -> ExecutionRecord {
    ExecutionRecord {
        summary: ExecutionSummary {
            execution_id: id.into(),
            name: "run".into(),
            message_id: Some(MESSAGE.into()),
            status: status.parse().expect("an execution status"),
            start_date: "2026-11-30T12:00:00.000000Z".into(),
            stop_date: None,
            duration_ms: None,
            task_attempts: Some(1),
            error: None,
            cause: None,
        },
        input: json!({"message_id": MESSAGE}),
        output: None,
        history: vec![json!({"type":"ExecutionStarted","id":1})],
    }
}

#[tokio::test]
async fn executions_are_listed_filtered_and_read_by_arn() -> TestResult {
    let app = TestApp::new().with_executions(vec![
        record(ARN, "SUCCEEDED"),
        record("arn:other", "FAILED"),
    ]);
    let res = app.get("/api/executions").await;
    assert_eq!(res.status, StatusCode::OK, "{:#}", res.json);
    assert_eq!(res.json["items"].as_array().map(Vec::len), Some(2));
    assert!(res.json["next_cursor"].is_null());

    let res = app
        .get(&format!(
            "/api/executions?status=failed&message_id={MESSAGE}&limit=5"
        ))
        .await;
    assert_eq!(res.json["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(res.json["items"][0]["execution_id"], "arn:other");

    let res = app.get(&format!("/api/executions/{ARN}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json["execution_id"], ARN);
    assert_eq!(res.json["history"][0]["type"], "ExecutionStarted");

    let encoded = ARN.replace(':', "%3A");
    assert_eq!(
        app.get(&format!("/api/executions/{encoded}")).await.json["execution_id"],
        ARN
    );

    app.get("/api/executions/arn:unknown")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    Ok(())
}

#[tokio::test]
async fn bad_execution_queries_are_400() -> TestResult {
    let app = TestApp::new().with_executions(Vec::new());
    for query in [
        "status=DONE",
        "message_id=nope",
        "limit=0",
        "limit=1001",
        "sort=asc",
    ] {
        let res = app.get(&format!("/api/executions?{query}")).await;
        res.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    }
    Ok(())
}

#[tokio::test]
async fn without_a_reader_executions_are_404() -> TestResult {
    let app = TestApp::new();
    for path in ["/api/executions", &format!("/api/executions/{ARN}")] {
        app.get(path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    Ok(())
}
