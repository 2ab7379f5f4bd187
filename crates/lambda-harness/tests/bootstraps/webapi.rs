//! The web API answers API Gateway HTTP API (payload 2.0) requests through
//! lambda_http with the same Router and error shape as `rez-agent up`.

use rez_core::ports::MessageStore;
use rez_core::{MessageId, Status};
use serde_json::Value;

use crate::fixture;
use crate::helpers::{AwsWorld, HttpAnswer, call, json, response, start};

/// Sends one API Gateway request and reads the HTTP answer back.
async fn request(
    api: &rez_lambda_harness::RuntimeApi,
    function: &rez_lambda_harness::Function,
    event: &Value,
) -> anyhow::Result<HttpAnswer> {
    HttpAnswer::from_response(&response(call(api, function, event).await?, function)?)
}

#[tokio::test]
async fn every_route_answers_with_its_status_and_json() -> anyhow::Result<()> {
    let aws = AwsWorld::start("http://127.0.0.1:9/unused").await?;
    let (api, function) = start("webapi", aws.env()).await?;
    for (name, text, status, check) in [
        (
            "health",
            fixture!("apigw-v2-get-health.json"),
            200,
            "/status",
        ),
        (
            "list",
            fixture!("apigw-v2-get-messages.json"),
            200,
            "/items",
        ),
        (
            "create",
            fixture!("apigw-v2-post-messages.json"),
            202,
            "/id",
        ),
        (
            "create (base64 body)",
            fixture!("apigw-v2-post-messages-base64.json"),
            202,
            "/id",
        ),
        (
            "create (malformed JSON)",
            fixture!("apigw-v2-post-messages-malformed.json"),
            400,
            "/error/code",
        ),
        (
            "create (no API key)",
            fixture!("apigw-v2-post-messages-no-key.json"),
            401,
            "/error/code",
        ),
        (
            "get (unknown id)",
            fixture!("apigw-v2-get-message.json"),
            404,
            "/error/code",
        ),
        (
            "get (not an id)",
            fixture!("apigw-v2-get-message-bad-id.json"),
            400,
            "/error/code",
        ),
        ("metrics", fixture!("apigw-v2-get-metrics.json"), 200, ""),
        (
            "executions (none recorded yet)",
            fixture!("apigw-v2-get-executions.json"),
            200,
            "/items",
        ),
        (
            "execution (not recorded)",
            fixture!("apigw-v2-get-execution.json"),
            404,
            "/error/code",
        ),
        (
            "openapi",
            fixture!("apigw-v2-get-openapi.json"),
            200,
            "/openapi",
        ),
    ] {
        let answer = request(&api, &function, &json(text)).await?;
        assert_eq!(answer.status, status, "{name}: {answer:?}");
        assert!(
            answer
                .content_type
                .as_deref()
                .is_some_and(|t| t.starts_with("application/json")),
            "{name}: {answer:?}"
        );
        assert!(
            answer.body.pointer(check).is_some(),
            "{name} lacks {check}: {answer:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_malformed_body_gets_a_400_in_the_apis_error_shape() -> anyhow::Result<()> {
    let aws = AwsWorld::start("http://127.0.0.1:9/unused").await?;
    let (api, function) = start("webapi", aws.env()).await?;
    let answer = request(
        &api,
        &function,
        &json(fixture!("apigw-v2-post-messages-malformed.json")),
    )
    .await?;
    assert_eq!(answer.status, 400);
    let error = answer.body["error"]
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("{answer:?}"))?;
    assert!(
        error["code"].is_string() && error["message"].is_string(),
        "{answer:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_created_message_is_stored_queued_and_replayed_by_its_idempotency_key()
-> anyhow::Result<()> {
    let aws = AwsWorld::start("http://127.0.0.1:9/unused").await?;
    let (api, function) = start("webapi", aws.env()).await?;
    let create = json(fixture!("apigw-v2-post-messages.json"));
    let first = request(&api, &function, &create).await?;
    let again = request(&api, &function, &create).await?;
    assert_eq!(first.status, 202, "{first:?}");
    assert_eq!(again.status, 202, "{again:?}");
    assert_eq!(first.body["id"], again.body["id"]);

    let id: MessageId = serde_json::from_value(first.body["id"].clone())?;
    let stored = aws
        .store()
        .get(&id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("not in DynamoDB"))?;
    assert_eq!(stored.status, Status::Queued);
    assert_eq!(stored.payload.title.as_deref(), Some("Deploy finished"));

    let mut get = json(fixture!("apigw-v2-get-message.json"));
    let path = format!("/api/messages/{id}");
    get["rawPath"] = Value::String(path.clone());
    get["requestContext"]["http"]["path"] = Value::String(path);
    let read = request(&api, &function, &get).await?;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.body["id"], first.body["id"]);
    Ok(())
}

#[tokio::test]
async fn without_a_readable_key_health_names_the_problem_and_the_rest_answers_503()
-> anyhow::Result<()> {
    let aws = AwsWorld::start("http://127.0.0.1:9/unused").await?;
    let missing_parameter = "/rez-agent/dev/no-such-key";
    for (variable, problem) in [
        (None, "REZ_API_KEY_PARAMETER"),
        (Some(missing_parameter), missing_parameter),
    ] {
        let env = aws
            .env()
            .into_iter()
            .filter(|(name, _)| name != "REZ_API_KEY_PARAMETER")
            .chain(variable.map(|v| ("REZ_API_KEY_PARAMETER".to_owned(), v.to_owned())));
        let (api, function) = start("webapi", env).await?;
        let health = request(&api, &function, &json(fixture!("apigw-v2-get-health.json"))).await?;
        assert_eq!(health.status, 503, "{health:?}");
        assert_eq!(health.body["status"], "unavailable", "{health:?}");
        let named = health.body["problem"].as_str().unwrap_or_default();
        assert!(named.contains(problem), "{problem}: {health:?}");
        let listed = request(
            &api,
            &function,
            &json(fixture!("apigw-v2-get-messages.json")),
        )
        .await?;
        assert_eq!(listed.status, 503, "{listed:?}");
        assert_eq!(listed.body["error"]["code"], "unavailable", "{listed:?}");
    }
    Ok(())
}
