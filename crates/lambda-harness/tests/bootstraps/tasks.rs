//! The three task functions fail with their States error names as
//! `errorType`, and do their work when the input is the definition's.

use axum::http::StatusCode;
use axum::routing::post;
use rez_core::Status;
use rez_core::ports::MessageStore;
use rez_lambda_harness::Outcome;
use serde_json::{Value, json};

use crate::fixture;
use crate::helpers::{AwsWorld, call, closed_endpoint, json, response, start};

/// Starts `name` with only a table name and AWS unreachable.
async fn offline(
    name: &str,
) -> anyhow::Result<(rez_lambda_harness::RuntimeApi, rez_lambda_harness::Function)> {
    let endpoint = closed_endpoint().await?;
    start(
        name,
        [
            ("REZ_TABLE_NAME", "rez-agent-messages-dev"),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ],
    )
    .await
}

fn error_type(outcome: &Outcome) -> &str {
    outcome
        .error()
        .map_or("<a response>", |e| e.error_type.as_str())
}

#[tokio::test]
async fn task_input_that_does_not_parse_fails_as_message_invalid() -> anyhow::Result<()> {
    for (name, input) in [
        (
            "load-message",
            json(fixture!("task-load-message-malformed.json")),
        ),
        ("load-message", json!({"execution_id": "e"})),
        (
            "record-status",
            json!({"outcome": "maybe", "message_id": "019ad3a1-7c00-7000-8000-000000000001"}),
        ),
        ("record-status", json!([])),
    ] {
        let (api, function) = offline(name).await?;
        let outcome = call(&api, &function, &input).await?;
        assert_eq!(error_type(&outcome), "Message.Invalid", "{name} {input}");
        let message = &outcome
            .error()
            .map(|e| e.error_message.clone())
            .unwrap_or_default();
        assert!(message.starts_with("task input is malformed"), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn an_unreachable_table_fails_as_store_unavailable_which_the_definition_retries()
-> anyhow::Result<()> {
    for (name, input) in [
        ("load-message", json(fixture!("task-load-message.json"))),
        ("record-status", json(fixture!("task-record-success.json"))),
        ("record-status", json(fixture!("task-record-failure.json"))),
    ] {
        let (api, function) = offline(name).await?;
        let outcome = call(&api, &function, &input).await?;
        assert_eq!(
            error_type(&outcome),
            "Store.Unavailable",
            "{name}: {outcome:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn load_message_of_a_missing_message_fails_as_message_not_found() -> anyhow::Result<()> {
    let aws = AwsWorld::start("http://127.0.0.1:9/unused").await?;
    let (api, function) = start("load-message", aws.env()).await?;
    let outcome = call(&api, &function, &json(fixture!("task-load-message.json"))).await?;
    assert_eq!(error_type(&outcome), "Message.NotFound", "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn send_notification_names_each_ntfy_failure() -> anyhow::Result<()> {
    let closed = closed_endpoint().await?;
    let rate_limited = stub_ntfy(
        StatusCode::TOO_MANY_REQUESTS,
        json!({"code": 42901, "http": 429, "error": "limit reached"}),
    )
    .await?;
    let rejected = stub_ntfy(
        StatusCode::BAD_REQUEST,
        json!({"code": 40001, "http": 400, "error": "invalid request"}),
    )
    .await?;
    let server_error = stub_ntfy(StatusCode::BAD_GATEWAY, json!({"error": "bad gateway"})).await?;
    for (url, want) in [
        (format!("{closed}/rez-test"), "Ntfy.Unreachable"),
        (format!("{rate_limited}/rez-test"), "Ntfy.RateLimited"),
        (format!("{rejected}/rez-test"), "Ntfy.Rejected"),
        (format!("{server_error}/rez-test"), "Ntfy.ServerError"),
    ] {
        let aws = AwsWorld::start(&url).await?;
        let (api, function) = start("send-notification", aws.env()).await?;
        let outcome = call(
            &api,
            &function,
            &json(fixture!("task-send-notification.json")),
        )
        .await?;
        assert_eq!(error_type(&outcome), want, "{url}: {outcome:?}");
        let message = outcome
            .error()
            .map(|e| e.error_message.as_str())
            .unwrap_or_default();
        assert!(message.starts_with("attempt 1:"), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn the_three_tasks_deliver_a_stored_message_step_by_step() -> anyhow::Result<()> {
    let ntfy = stub_ntfy(
        StatusCode::OK,
        json!({"id": "hwQ2YpKdmg", "time": 1796040002, "event": "message", "topic": "rez-test"}),
    )
    .await?;
    let aws = AwsWorld::start(&format!("{ntfy}/rez-test")).await?;
    let store = aws.store();
    let message = rez_core::Message::new(
        chrono::Utc::now(),
        "harness",
        rez_core::Stage::Dev,
        rez_core::MessageType::Notification,
        rez_core::Notification::text("hello from the harness"),
    );
    store.create(&message, None).await?;
    let execution_id =
        "arn:aws:states:us-east-1:123456789012:express:rez-agent-notification-dev:h:1";

    let (api, function) = start("load-message", aws.env()).await?;
    let loaded = response(
        call(
            &api,
            &function,
            &json!({"message_id": message.id, "execution_id": execution_id}),
        )
        .await?,
        &function,
    )?;
    assert_eq!(loaded["status"], "processing");

    let (api, function) = start("send-notification", aws.env()).await?;
    let delivery = response(
        call(&api, &function, &json!({"message": loaded, "attempt": 0})).await?,
        &function,
    )?;
    assert_eq!(delivery["ntfy_id"], "hwQ2YpKdmg");
    assert_eq!(delivery["attempts"], 1);

    let mut env = aws.env();
    env.push(("AWS_LAMBDA_LOG_FORMAT".into(), "JSON".into()));
    env.push(("REZ_CUSTOM_METRICS".into(), "true".into()));
    let (api, function) = start("record-status", env).await?;
    let recorded = response(
        call(
            &api,
            &function,
            &json!({"outcome": "success", "message_id": message.id, "execution_id": execution_id, "delivery": delivery}),
        )
        .await?,
        &function,
    )?;
    assert_eq!(recorded, json!({"recorded": true, "status": "completed"}));

    let stored = store
        .get(&message.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("message vanished"))?;
    assert_eq!(stored.status, Status::Completed);
    assert_eq!(stored.ntfy_message_id.as_deref(), Some("hwQ2YpKdmg"));
    assert_eq!(stored.execution_id.as_deref(), Some(execution_id));
    // The lines reach the log through a pipe: give them a moment to arrive.
    for _ in 0..40 {
        if function.log().contains("\"_aws\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_json_logs_and_emf(&function.log(), &message.id.to_string(), execution_id);
    Ok(())
}

/// Every line record-status printed is JSON; the line about the recorded
/// status carries the request, message and execution ids in its spans; and
/// one EMF line counts the delivery under the message's stage and type.
fn assert_json_logs_and_emf(log: &str, message_id: &str, execution_id: &str) {
    let lines: Vec<Value> = log
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let emf: Vec<&Value> = lines.iter().filter(|l| l.get("_aws").is_some()).collect();
    assert_eq!(emf.len(), 1, "{log}");
    assert_eq!(
        emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "rez-agent"
    );
    assert_eq!(emf[0]["NotificationsDelivered"], 1.0);
    assert_eq!(emf[0]["DeliveryAttempts"], 1.0);
    assert!(
        emf[0]["DeliveryLatencyMs"]
            .as_f64()
            .is_some_and(|ms| ms >= 0.0),
        "{}",
        emf[0]
    );
    assert_eq!(
        (&emf[0]["stage"], &emf[0]["message_type"]),
        (&json!("dev"), &json!("notification"))
    );

    let recorded = lines
        .iter()
        .find(|l| l["fields"]["message"] == "recorded the final status")
        .unwrap_or_else(|| panic!("no 'recorded the final status' line in {log}"));
    let spans = recorded["spans"].as_array().cloned().unwrap_or_default();
    let field = |name: &str| spans.iter().find_map(|s| s.get(name).cloned());
    assert!(
        field("requestId").is_some_and(|id| id.as_str().is_some_and(|s| !s.is_empty())),
        "{recorded}"
    );
    assert_eq!(field("message_id"), Some(json!(message_id)), "{recorded}");
    assert_eq!(
        field("execution_id"),
        Some(json!(execution_id)),
        "{recorded}"
    );
}

/// An ntfy stand-in answering every publish with `status` and `body`;
/// returns its base URL.
async fn stub_ntfy(status: StatusCode, body: Value) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/",
        post(move || {
            let body = body.clone();
            async move { (status, [("retry-after", "1")], axum::Json(body)) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}
