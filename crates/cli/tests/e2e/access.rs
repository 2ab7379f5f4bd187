//! Every door of `rez-agent up`: with a key, every route of every surface
//! refuses a request without it (health and the console's files aside),
//! and an AWS SDK client signing with the key gets in; without a key, other
//! hosts and cross-site forms are refused; the rate limit counts the key in
//! whatever form it came.

use crate::helpers::*;
use crate::sfn_api::{sfn_signed_with, stored_message};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use rez_local::workflow::STATE_MACHINE_ARN;
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::time::{Duration, Instant, SystemTime};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

const KEY: &str = "the-stacks-api-key-0123456789";
const JSON_1_0: &str = "application/x-amz-json-1.0";

async fn app_with_key(ntfy: MockServer) -> TestApp {
    spawn_app_with(ntfy, |config| config.api_key = Some(KEY.to_owned())).await
}

/// A Step Functions call signed with `secret` by AWS's signer, as an SDK
/// would sign it.
fn signed_call(
    app: &TestApp,
    operation: &str,
    body: &str,
    secret: &str,
) -> reqwest::RequestBuilder {
    let host = app.address.to_string();
    let target = format!("AWSStepFunctions.{operation}");
    let headers = [
        ("content-type", JSON_1_0),
        ("host", host.as_str()),
        ("x-amz-target", target.as_str()),
    ];
    let identity = Credentials::new("rez-agent", secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("states")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let url = app.url("/");
    let request = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut builder = app.client.post(url).body(body.to_owned());
    for (name, value) in headers.iter().copied().chain(instructions.headers()) {
        if name != "host" {
            builder = builder.header(name, value);
        }
    }
    builder
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn with_a_key_every_route_of_every_surface_refuses_a_missing_or_wrong_key() -> TestResult {
    let app = app_with_key(ntfy_accepting().await).await;
    let open = rez_webapi::public_paths();
    // The web API's whole route table, as its router is built from it.
    let routes = rez_webapi::route_table();
    assert!(routes.len() >= 10, "{routes:?}");
    for (method, path) in routes {
        let url = app.url(&path.replace("{id}", "0197c0de-0000-7000-8000-000000000000"));
        for credential in [None, Some("Bearer wrong-key-wrong-key"), Some("bearer")] {
            let mut request = app
                .client
                .request(method.clone(), &url)
                .header("content-type", "application/json");
            if let Some(value) = credential {
                request = request.header("authorization", value);
            }
            let (status, body) = answer(request).await;
            if open.contains(&path) {
                assert_eq!(status, 200, "{method} {path} is open: {body}");
            } else {
                assert_eq!(status, 401, "{method} {path} with {credential:?}: {body}");
                assert_eq!(body["error"]["code"], "unauthorized", "{method} {path}");
            }
        }
        if !open.contains(&path) {
            // The key itself gets past the door (any answer but 401).
            let (status, body) = answer(
                app.client
                    .request(method.clone(), &url)
                    .header("content-type", "application/json")
                    .bearer_auth(KEY),
            )
            .await;
            assert_ne!(status, 401, "{method} {path} with the key: {body}");
        }
    }
    // A path no surface knows is closed too: the door stands before routing.
    let (status, _) = answer(app.client.get(app.url("/api/not-a-route"))).await;
    assert_eq!(status, 401);

    // Every Step Functions operation: no credential, or one signed with
    // another secret, is refused in AWS's shape.
    let operations = rez_local::sfn_api::operation_names();
    assert_eq!(operations.len(), 8, "{operations:?}");
    for operation in operations {
        let unsigned = app
            .client
            .post(app.url("/"))
            .header("content-type", JSON_1_0)
            .header("x-amz-target", format!("AWSStepFunctions.{operation}"))
            .body("{}");
        let (status, body) = answer(unsigned).await;
        assert_eq!(status, 400, "{operation}: {body}");
        assert_eq!(
            body["__type"], "com.amazon.coral.service#UnrecognizedClientException",
            "{operation}"
        );
        let (status, body) = answer(signed_call(&app, operation, "{}", "not-the-key-at-all")).await;
        assert_eq!(status, 400, "{operation}: {body}");
        assert_eq!(
            body["__type"], "com.amazon.coral.service#InvalidSignatureException",
            "{operation}"
        );
        // Signed with the key, the call reaches the operation (whatever it
        // makes of an empty body).
        let (_, body) = answer(signed_call(&app, operation, "{}", KEY)).await;
        let kind = body["__type"].as_str().unwrap_or_default();
        assert!(
            !kind.contains("UnrecognizedClient") && !kind.contains("InvalidSignature"),
            "{operation} signed with the key: {body}"
        );
    }

    // Open without the key: health, the console's files and the way to it.
    let (status, body) = answer(app.client.get(app.url("/api/health"))).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let console = app.client.get(app.url("/console/")).send().await?;
    assert_eq!(console.status(), 200);
    let asset = app
        .client
        .get(app.url("/console/assets/api.js"))
        .send()
        .await?;
    assert_eq!(asset.status(), 200);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_sdk_client_signed_with_the_key_works_and_a_sync_execution_outlasts_the_web_timeout()
-> TestResult {
    // ntfy answers after 2 s; the web API's timeout is 1 s; the Step
    // Functions API has none but the definition's own.
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok().set_delay(Duration::from_secs(2)))
        .mount(&ntfy)
        .await;
    let app = spawn_app_with(ntfy, |config| {
        config.api_key = Some(KEY.to_owned());
        config.time_scale = 1.0;
        config.web_api_timeout = Duration::from_secs(1);
    })
    .await;
    let sfn = sfn_signed_with(&app, KEY);
    let machines = sfn.list_state_machines().send().await?;
    assert_eq!(machines.state_machines().len(), 1);

    // Stored, not queued: only this execution delivers it.
    let id = stored_message(&app, "signed and slow").await;
    let started = Instant::now();
    let out = sfn
        .start_sync_execution()
        .state_machine_arn(STATE_MACHINE_ARN)
        .input(json!({"message_id": id}).to_string())
        .send()
        .await?;
    let took = started.elapsed();
    assert!(
        took > Duration::from_secs(1),
        "longer than the web API's timeout: {took:?}"
    );
    assert_eq!(
        out.status(),
        &aws_sdk_sfn::types::SyncExecutionStatus::Succeeded,
        "{out:?}"
    );
    assert_eq!(app.publishes().await.len(), 1);

    // The same SDK with another secret is refused with AWS's error code.
    let refused = sfn_signed_with(&app, "not-the-key-at-all")
        .list_state_machines()
        .send()
        .await
        .err()
        .ok_or("a wrong secret was accepted")?;
    let code = refused
        .as_service_error()
        .and_then(aws_sdk_sfn::error::ProvideErrorMetadata::code)
        .map(str::to_owned);
    assert_eq!(
        code.as_deref(),
        Some("InvalidSignatureException"),
        "{refused:?}"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn without_a_key_other_hosts_and_cross_site_forms_are_refused_and_nothing_is_stored()
-> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let port = app.address.port();
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let (status, _) = answer(
            app.client
                .get(app.url("/api/messages"))
                .header("host", host.as_str()),
        )
        .await;
        assert_eq!(status, 200, "{host}");
    }
    for host in [format!("rebound.example:{port}"), "127.0.0.1".to_owned()] {
        let (status, body) = answer(
            app.client
                .get(app.url("/api/messages"))
                .header("host", host.as_str()),
        )
        .await;
        assert_eq!(status, 403, "{host}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        let sfn = app
            .client
            .post(app.url("/"))
            .header("host", host.as_str())
            .header("content-type", JSON_1_0)
            .header("x-amz-target", "AWSStepFunctions.ListStateMachines")
            .body("{}");
        let (status, _) = answer(sfn).await;
        assert_eq!(status, 400, "{host}");
    }

    // What an HTML form or a no-cors fetch can send.
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut request = app
            .client
            .post(app.url("/api/messages"))
            .body(r#"{"message": "from another site"}"#);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let (status, body) = answer(request).await;
        assert_eq!(status, 400, "{content_type:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid_json");
        let mut redrive = app.client.post(app.url("/api/dlq/redrive"));
        if let Some(content_type) = content_type {
            redrive = redrive.header("content-type", content_type);
        }
        assert_eq!(answer(redrive).await.0, 400, "{content_type:?}");
        let mut start = app
            .client
            .post(app.url("/"))
            .header("x-amz-target", "AWSStepFunctions.StartExecution")
            .body(format!(r#"{{"stateMachineArn": "{STATE_MACHINE_ARN}"}}"#));
        if let Some(content_type) = content_type {
            start = start.header("content-type", content_type);
        }
        let (status, body) = answer(start).await;
        assert_eq!(status, 400, "{content_type:?}");
        assert_eq!(
            body["__type"],
            "com.amazon.coral.service#SerializationException"
        );
    }
    let listed = app.get_json("/api/messages").await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
    let executions = app.get_json("/api/executions").await;
    assert_eq!(
        executions["items"].as_array().map(Vec::len),
        Some(0),
        "{executions}"
    );
    // The same requests declaring JSON pass.
    let redrive = app
        .client
        .post(app.url("/api/dlq/redrive"))
        .header("content-type", "application/json");
    assert_eq!(answer(redrive).await.0, 200);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_rate_limit_counts_the_key_in_any_form_it_comes() -> TestResult {
    let app = spawn_app_with(ntfy_accepting().await, |config| {
        config.api_key = Some(KEY.to_owned());
        config.rate_limit = Some(rez_local::rate_limit::RateLimitConfig {
            per_second: NonZeroU32::MIN,
            burst: NonZeroU32::new(3).unwrap(),
        });
    })
    .await;
    // Lower-case scheme, upper-case scheme, a SigV4 signature: one bucket.
    let (status, _) = answer(
        app.client
            .get(app.url("/api/messages"))
            .header("authorization", format!("bearer {KEY}")),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = answer(app.client.get(app.url("/api/messages")).bearer_auth(KEY)).await;
    assert_eq!(status, 200);
    let (status, _) = answer(signed_call(&app, "ListStateMachines", "{}", KEY)).await;
    assert_eq!(status, 200);
    let refused = app
        .client
        .get(app.url("/api/messages"))
        .header("authorization", format!("bearer {KEY}"))
        .send()
        .await?;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await?;
    assert_eq!(body["error"]["code"], "rate_limited");
    let (status, body) = answer(signed_call(&app, "ListStateMachines", "{}", KEY)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["__type"],
        "com.amazon.coral.availability#ThrottlingException"
    );
    // Health is never limited.
    assert_eq!(answer(app.client.get(app.url("/api/health"))).await.0, 200);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn refusals_at_the_door_carry_cors_headers_for_an_allowed_origin() -> TestResult {
    let app = spawn_app_with(ntfy_accepting().await, |config| {
        config.api_key = Some(KEY.to_owned());
        config.cors_origins = vec!["http://app.example".to_owned()];
    })
    .await;
    let refused = app
        .client
        .get(app.url("/api/messages"))
        .header("origin", "http://app.example")
        .send()
        .await?;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"http://app.example"[..]),
        "a browser page on the allowed origin can read why it was refused"
    );
    app.shutdown().await;
    Ok(())
}
