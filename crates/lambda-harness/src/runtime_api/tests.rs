//! Tests of `runtime_api`.

use super::*;
use crate::WAIT;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 exchange over a fresh connection; the raw answer.
async fn exchange(api: &RuntimeApi, request: String) -> String {
    let mut stream = tokio::net::TcpStream::connect(api.address()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

fn post(path: &str, headers: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n{headers}\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn an_event_is_served_with_lambdas_headers_and_its_answers_are_kept() {
    let api = RuntimeApi::start().await.unwrap();
    let first = api.invoke(&serde_json::json!({"n": 1}));
    let second = api.invoke(&serde_json::json!({"n": 2}));
    let next =
        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";

    let served = exchange(&api, next.to_owned()).await.to_ascii_lowercase();
    assert!(served.starts_with("http/1.1 200"), "{served}");
    for header in [
        format!("lambda-runtime-aws-request-id: {first}"),
        "lambda-runtime-deadline-ms: ".to_owned(),
        format!(
            "lambda-runtime-invoked-function-arn: {}",
            FUNCTION_ARN.to_ascii_lowercase()
        ),
        "lambda-runtime-trace-id: root=1-".to_owned(),
    ] {
        assert!(served.contains(&header), "{header} in {served}");
    }
    assert!(served.ends_with(r#"{"n":1}"#), "{served}");
    assert_eq!(api.next_calls(), 1);

    let path = format!("/2018-06-01/runtime/invocation/{first}/response");
    assert!(
        exchange(&api, post(&path, "", r#"{"ok":true}"#))
            .await
            .starts_with("HTTP/1.1 202")
    );
    let path = format!("/2018-06-01/runtime/invocation/{second}/error");
    let header = "lambda-runtime-function-error-type: Ntfy.Rejected\r\n";
    let body = r#"{"errorType":"Ntfy.Rejected","errorMessage":"attempt 1: 400"}"#;
    exchange(&api, post(&path, header, body)).await;

    assert_eq!(
        api.outcome(&first, WAIT).await.unwrap(),
        Outcome::Response(serde_json::json!({"ok": true}))
    );
    let error = api.outcome(&second, WAIT).await.unwrap();
    let error = error.error().unwrap();
    assert_eq!(error.error_type, "Ntfy.Rejected");
    assert_eq!(error.error_message, "attempt 1: 400");
    assert_eq!(error.header_error_type.as_deref(), Some("Ntfy.Rejected"));
}

#[tokio::test]
async fn an_init_error_is_kept_and_a_missing_answer_times_out() {
    let api = RuntimeApi::start().await.unwrap();
    let body = r#"{"errorType":"Runtime.InitError","errorMessage":"REZ_TABLE_NAME is not set"}"#;
    exchange(&api, post("/2018-06-01/runtime/init/error", "", body)).await;
    let reported = api.init_error(WAIT).await.unwrap();
    assert_eq!(reported.error_message, "REZ_TABLE_NAME is not set");
    let id = api.invoke_raw("not json");
    let waited = api.outcome(&id, Duration::from_millis(50)).await;
    assert!(
        matches!(waited, Err(HarnessError::Timeout { .. })),
        "{waited:?}"
    );
}
