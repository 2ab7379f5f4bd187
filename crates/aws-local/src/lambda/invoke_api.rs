//! The Lambda REST API the SDKs and the CLI call: `Invoke` (synchronous,
//! `Event` and `DryRun`), `PublishVersion`, `GetAlias` and `UpdateAlias`, with Lambda's error
//! shape (`x-amzn-ErrorType` and `{"Type", "message"}`).

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::{InvokeError, Invoked, LambdaService, Routing};

/// Largest synchronous request payload Lambda accepts (6 MB).
pub(super) const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The routes under `/2015-03-31/functions`.
pub fn router(service: LambdaService) -> Router {
    Router::new()
        .route(
            "/2015-03-31/functions/{function}/invocations",
            post(invoke).layer(DefaultBodyLimit::max(MAX_PAYLOAD_BYTES)),
        )
        .route(
            "/2015-03-31/functions/{function}/versions",
            post(publish_version),
        )
        .route(
            "/2015-03-31/functions/{function}/aliases/{alias}",
            get(get_alias).put(update_alias),
        )
        .with_state(service)
}

#[derive(Deserialize)]
struct InvokeQuery {
    #[serde(rename = "Qualifier")]
    qualifier: Option<String>,
}

async fn invoke(
    State(service): State<LambdaService>,
    Path(function): Path<String>,
    Query(query): Query<InvokeQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let invocation_type = headers
        .get("x-amz-invocation-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("RequestResponse")
        .to_owned();
    let body = if body.is_empty() {
        Bytes::from_static(b"{}")
    } else {
        body
    };
    if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
        return lambda_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContentException",
            "Could not parse request body into json",
        );
    }
    match invocation_type.as_str() {
        "RequestResponse" => {
            match service
                .invoke(&function, query.qualifier.as_deref(), body)
                .await
            {
                Ok(invoked) => invoked_response(&invoked),
                Err(error) => invoke_error(&error),
            }
        }
        "Event" => {
            tokio::spawn(async move {
                if let Err(error) = service
                    .invoke(&function, query.qualifier.as_deref(), body)
                    .await
                {
                    tracing::warn!(%function, %error, "an asynchronous invocation was not run");
                }
            });
            StatusCode::ACCEPTED.into_response()
        }
        "DryRun" => StatusCode::NO_CONTENT.into_response(),
        other => lambda_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValueException",
            &format!("X-Amz-Invocation-Type {other} is not RequestResponse, Event or DryRun"),
        ),
    }
}

/// A 200 with the payload, `X-Amz-Executed-Version`, and for a function
/// error `X-Amz-Function-Error: Unhandled`.
pub(crate) fn invoked_response(invoked: &Invoked) -> Response {
    let (version, function_error) = match invoked {
        Invoked::Response { version, .. } => (version, false),
        Invoked::FunctionError { version, .. } => (version, true),
    };
    let mut response = (
        StatusCode::OK,
        [("content-type", "application/json")],
        invoked.payload().to_string(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(version) {
        response.headers_mut().insert("x-amz-executed-version", v);
    }
    if function_error {
        response.headers_mut().insert(
            "x-amz-function-error",
            HeaderValue::from_static("Unhandled"),
        );
    }
    response
}

fn invoke_error(error: &InvokeError) -> Response {
    match error {
        InvokeError::NotFound(m) => {
            lambda_error(StatusCode::NOT_FOUND, "ResourceNotFoundException", m)
        }
        InvokeError::TooManyRequests(m) => {
            let mut r = lambda_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsException", m);
            r.headers_mut().insert(
                "x-amzn-reason",
                HeaderValue::from_static("ConcurrentInvocationLimitExceeded"),
            );
            r
        }
        InvokeError::InvalidParameter(m) => {
            lambda_error(StatusCode::BAD_REQUEST, "InvalidParameterValueException", m)
        }
    }
}

/// Lambda's error answer: the type in `x-amzn-ErrorType` and the body.
fn lambda_error(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    (
        status,
        [
            ("x-amzn-errortype", error_type),
            ("content-type", "application/json"),
        ],
        json!({"Type": "User", "message": message}).to_string(),
    )
        .into_response()
}

async fn publish_version(
    State(service): State<LambdaService>,
    Path(function): Path<String>,
) -> Response {
    let (name, _) = crate::declared::split_function_name(&function);
    match service.publish_version(name) {
        Ok(version) => (
            StatusCode::CREATED,
            axum::Json(json!({"FunctionName": name, "Version": version})),
        )
            .into_response(),
        Err(error) => invoke_error(&error),
    }
}

fn alias_answer(routing: &Routing) -> Response {
    axum::Json(json!({
        "AliasArn": routing.alias_arn(),
        "Name": routing.alias_name(),
        "FunctionVersion": routing.function_version(),
        "RoutingConfig": {"AdditionalVersionWeights": routing.additional_version_weights()},
    }))
    .into_response()
}

async fn get_alias(
    State(service): State<LambdaService>,
    Path((function, alias)): Path<(String, String)>,
) -> Response {
    let (name, _) = crate::declared::split_function_name(&function);
    match service.alias(name, &alias) {
        Ok(routing) => alias_answer(&routing),
        Err(error) => invoke_error(&error),
    }
}

#[derive(Deserialize)]
struct UpdateAlias {
    #[serde(rename = "FunctionVersion")]
    function_version: Option<String>,
    #[serde(rename = "RoutingConfig")]
    routing_config: Option<RoutingConfig>,
}

#[derive(Deserialize)]
struct RoutingConfig {
    #[serde(rename = "AdditionalVersionWeights", default)]
    additional_version_weights: BTreeMap<String, f64>,
}

async fn update_alias(
    State(service): State<LambdaService>,
    Path((function, alias)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Ok(update) = serde_json::from_slice::<UpdateAlias>(&body) else {
        return lambda_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValueException",
            "the body is not an UpdateAlias request",
        );
    };
    let (name, _) = crate::declared::split_function_name(&function);
    let weights = update.routing_config.map(|r| r.additional_version_weights);
    match service.update_alias(name, &alias, update.function_version, weights) {
        Ok(routing) => alias_answer(&routing),
        Err(error) => invoke_error(&error),
    }
}
