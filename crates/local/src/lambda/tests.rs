//! The Lambda task handler against a tiny Invoke API on loopback: each
//! function name selects one answer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use rez_states::{TaskContext, TaskFailure, TaskHandler};
use serde_json::{Value, json};

use super::answer::{LAMBDA_AWS_EXCEPTION, LAMBDA_SDK_CLIENT_EXCEPTION, LAMBDA_UNKNOWN};
use super::*;

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:";
const WAIT: Duration = Duration::from_secs(10);

/// What the fake received: (function name as decoded from the path, headers, body).
type Seen = Arc<Mutex<Vec<(String, HeaderMap, Value)>>>;

async fn invocations(
    State(seen): State<Seen>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let payload = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.lock()
        .unwrap()
        .push((name.clone(), headers, payload.clone()));
    let function = name.rsplit(':').find(|p| *p != "live").unwrap_or_default();
    let function_error =
        |body: &str| ([("x-amz-function-error", "Unhandled")], body.to_owned()).into_response();
    match function {
        "echo" => axum::Json(json!({"got": payload})).into_response(),
        "ntfy-down" => {
            function_error(r#"{"errorType":"Ntfy.ServerError","errorMessage":"ntfy answered 503"}"#)
        }
        "no-type" => function_error(r#"{"errorMessage":"out of memory"}"#),
        "text" => "plain words".into_response(),
        "throttled" => (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("x-amzn-errortype", "TooManyRequestsException"),
                ("x-amzn-requestid", "req-1"),
            ],
            r#"{"Type":"User","message":"Rate Exceeded."}"#,
        )
            .into_response(),
        "broken" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"__type":"ServiceException","message":"boom"}"#,
        )
            .into_response(),
        "denied" => (
            StatusCode::FORBIDDEN,
            [("x-amzn-errortype", "AccessDeniedException")],
            r#"{"message":"not authorized"}"#,
        )
            .into_response(),
        "hang" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::OK.into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            [("x-amzn-errortype", "ResourceNotFoundException")],
            r#"{"Type":"User","message":"Function not found"}"#,
        )
            .into_response(),
    }
}

/// A fake Invoke API on 127.0.0.1:0, its URL and what it received.
async fn fake_lambda() -> (url::Url, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            post(invocations),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}").parse().unwrap(), seen)
}

async fn call(tasks: &LambdaTasks, resource: &str, input: Value) -> Result<Value, TaskFailure> {
    let context = TaskContext {
        state_name: "Call",
        execution_id: "arn:aws:states:us-east-1:1:express:m:e:1",
        retry_count: 0,
        context_object: Value::Null.into(),
        timeout_seconds: None,
    };
    tokio::time::timeout(WAIT, tasks.invoke(resource, input, &context))
        .await
        .expect("the call ends in time")
}

#[tokio::test]
async fn a_function_arn_is_invoked_with_the_input_and_answers_its_payload() {
    let (url, seen) = fake_lambda().await;
    let tasks = LambdaTasks::new(&url).unwrap();
    let resource = format!("{ARN}echo:live");
    let out = call(&tasks, &resource, json!({"message_id": "m-1"})).await;
    assert_eq!(out, Ok(json!({"got": {"message_id": "m-1"}})));
    let seen = seen.lock().unwrap();
    let (name, headers, body) = &seen[0];
    assert_eq!(name, &resource);
    assert_eq!(body, &json!({"message_id": "m-1"}));
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-amz-invocation-type"], "RequestResponse");
}

#[tokio::test]
async fn answers_map_to_the_errors_step_functions_reports() {
    let (url, _) = fake_lambda().await;
    let tasks = LambdaTasks::new(&url).unwrap();
    let function_error = r#"{"errorType":"Ntfy.ServerError","errorMessage":"ntfy answered 503"}"#;
    let cases: [(&str, &str, &str); 6] = [
        ("ntfy-down", "Ntfy.ServerError", function_error),
        (
            "no-type",
            LAMBDA_UNKNOWN,
            r#"{"errorMessage":"out of memory"}"#,
        ),
        (
            "throttled",
            "Lambda.TooManyRequestsException",
            "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: \
             TooManyRequestsException; Request ID: req-1; Proxy: null)",
        ),
        (
            "broken",
            "Lambda.ServiceException",
            "boom (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; \
             Request ID: null; Proxy: null)",
        ),
        (
            "denied",
            LAMBDA_AWS_EXCEPTION,
            "not authorized (Service: AWSLambda; Status Code: 403; Error Code: \
             AccessDeniedException; Request ID: null; Proxy: null)",
        ),
        (
            "missing",
            "Lambda.ResourceNotFoundException",
            "Function not found (Service: AWSLambda; Status Code: 404; Error Code: \
             ResourceNotFoundException; Request ID: null; Proxy: null)",
        ),
    ];
    for (function, error, cause) in cases {
        let out = call(&tasks, &format!("{ARN}{function}"), json!({})).await;
        assert_eq!(
            out,
            Err(TaskFailure::new(error, cause.to_owned())),
            "{function}"
        );
    }
}

#[tokio::test]
async fn a_payload_that_is_not_json_is_a_string() {
    let (url, _) = fake_lambda().await;
    let tasks = LambdaTasks::new(&url).unwrap();
    let out = call(&tasks, &format!("{ARN}text"), json!({})).await;
    assert_eq!(out, Ok(json!("plain words")));
}

#[tokio::test]
async fn an_endpoint_that_cannot_be_reached_is_an_sdk_client_exception() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url: url::Url = format!("http://127.0.0.1:{port}").parse().unwrap();
    let tasks = LambdaTasks::new(&url).unwrap();
    let failure = call(&tasks, &format!("{ARN}echo"), json!({}))
        .await
        .unwrap_err();
    assert_eq!(failure.error, LAMBDA_SDK_CLIENT_EXCEPTION);
    let cause = failure.cause.unwrap_or_default();
    assert!(cause.contains("could not be reached"), "{cause}");
    assert!(cause.contains(&format!("127.0.0.1:{port}")), "{cause}");
}

#[tokio::test]
async fn the_invoke_integration_calls_the_named_function_and_answers_the_invoke_result() {
    let (url, seen) = fake_lambda().await;
    let tasks = LambdaTasks::new(&url).unwrap();
    let out = call(
        &tasks,
        LAMBDA_INVOKE_INTEGRATION,
        json!({"FunctionName": format!("{ARN}echo"), "Payload": {"x": 1}}),
    )
    .await
    .unwrap();
    assert_eq!(out["Payload"], json!({"got": {"x": 1}}));
    assert_eq!(out["StatusCode"], 200);
    assert_eq!(out["ExecutedVersion"], "$LATEST");
    assert_eq!(seen.lock().unwrap()[0].0, format!("{ARN}echo"));
    let missing = call(&tasks, LAMBDA_INVOKE_INTEGRATION, json!({"Payload": {}})).await;
    assert_eq!(
        missing.map_err(|f| f.error),
        Err(rez_states::errors::STATES_RUNTIME.to_owned())
    );
}

#[tokio::test]
async fn a_call_dropped_by_the_engine_ends_at_once() {
    let (url, seen) = fake_lambda().await;
    let tasks = LambdaTasks::new(&url).unwrap();
    let context = TaskContext {
        state_name: "Call",
        execution_id: "e",
        retry_count: 0,
        context_object: Value::Null.into(),
        timeout_seconds: Some(0.2),
    };
    let resource = format!("{ARN}hang");
    // What the engine does for TimeoutSeconds: race the call and drop it.
    let raced = tokio::time::timeout(
        Duration::from_millis(200),
        tasks.invoke(&resource, json!({}), &context),
    )
    .await;
    assert!(raced.is_err(), "the hung call did not answer");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn only_http_endpoints_are_taken() {
    for bad in ["ftp://127.0.0.1:21", "unix:/tmp/lambda.sock"] {
        let url: url::Url = bad.parse().unwrap();
        assert!(LambdaTasks::new(&url).is_err(), "{bad}");
    }
}
