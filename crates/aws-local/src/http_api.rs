//! API Gateway HTTP API (payload format 2.0) in front of the webapi
//! function on a loopback port: each request becomes the 2.0 event, the
//! function's answer the HTTP response, with the stage's throttling and
//! API Gateway's own answers for a failed or late integration.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Map, Value, json};

use crate::declared::{DeclaredHttpApi, DeclaredRoute};
use crate::lambda::{Invoked, LambdaService};

/// API Gateway's largest request payload (10 MB).
const BODY_LIMIT_BYTES: usize = 10 * 1024 * 1024;
/// How long API Gateway waits for an HTTP API integration.
const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(30);
/// The API id in request contexts and domain names.
pub const API_ID: &str = "awslocal";

/// The front's state.
struct Front {
    lambda: LambdaService,
    routes: Vec<DeclaredRoute>,
    account: String,
    bucket: Option<Mutex<TokenBucket>>,
}

/// The stage's throttle: `burst` tokens, refilled at `rate` per second.
struct TokenBucket {
    tokens: f64,
    burst: f64,
    rate: f64,
    at: Instant,
}

impl TokenBucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The front for `api`, invoking through `lambda`.
///
/// # Errors
/// [`crate::AwsLocalError::Unsupported`] for a route that is not a Lambda
/// proxy integration of payload format 2.0.
pub fn router(
    api: &DeclaredHttpApi,
    lambda: LambdaService,
    account: &str,
) -> Result<Router, crate::AwsLocalError> {
    if let Some(route) = api
        .routes
        .iter()
        .find(|r| r.integration_type != "AWS_PROXY" || r.payload_format_version != "2.0")
    {
        return Err(crate::AwsLocalError::Unsupported(format!(
            "route {} of {}: only AWS_PROXY integrations of payload format 2.0 are run",
            route.route_key, api.name
        )));
    }
    let bucket = match (api.throttling_burst_limit, api.throttling_rate_limit) {
        (Some(burst), Some(rate)) => Some(Mutex::new(TokenBucket {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            rate,
            at: Instant::now(),
        })),
        _ => None,
    };
    let front = Arc::new(Front {
        lambda,
        routes: api.routes.clone(),
        account: account.to_owned(),
        bucket,
    });
    Ok(Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(front))
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({"message": text}))).into_response()
}

async fn handle(State(front): State<Arc<Front>>, request: Request) -> Response {
    if let Some(bucket) = &front.bucket {
        let allowed = bucket.lock().map(|mut b| b.take()).unwrap_or(true);
        if !allowed {
            return message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
        }
    }
    let source_ip = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "127.0.0.1".to_owned(), |c| c.0.ip().to_string());
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let path = parts.uri.path().to_owned();
    let method = parts.method.as_str().to_owned();
    let Some(route) = route_for(&front.routes, &method, &path) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let event = event(&EventParts {
        route_key: &route.route_key,
        method: &method,
        path: &path,
        query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
        body: &body,
        source_ip: &source_ip,
        account: &front.account,
    });
    let invoked = tokio::time::timeout(
        INTEGRATION_TIMEOUT,
        front
            .lambda
            .invoke(&route.function_arn, None, Bytes::from(event.to_string())),
    )
    .await;
    match invoked {
        Ok(Ok(Invoked::Response { payload, .. })) => response_of(&payload),
        Ok(Ok(Invoked::FunctionError { .. })) => {
            message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
        Ok(Err(crate::lambda::InvokeError::TooManyRequests(_))) => {
            message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
        }
        Ok(Err(_)) => message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        Err(_) => message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
    }
}

/// The route a request takes: an exact `METHOD /path` key, then `ANY /path`, then `$default`.
fn route_for<'a>(
    routes: &'a [DeclaredRoute],
    method: &str,
    path: &str,
) -> Option<&'a DeclaredRoute> {
    let exact = format!("{method} {path}");
    let any = format!("ANY {path}");
    routes
        .iter()
        .find(|r| r.route_key == exact)
        .or_else(|| routes.iter().find(|r| r.route_key == any))
        .or_else(|| routes.iter().find(|r| r.route_key == "$default"))
}

struct EventParts<'a> {
    route_key: &'a str,
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a HeaderMap,
    body: &'a [u8],
    source_ip: &'a str,
    account: &'a str,
}

/// The payload format 2.0 event: header names lower case, repeated headers
/// joined with commas, cookies apart, the body as text or base64.
fn event(p: &EventParts<'_>) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in p.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_owned())));
            continue;
        }
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let mut query = Map::new();
    for (k, v) in url::form_urlencoded::parse(p.query.as_bytes()) {
        match query.get_mut(k.as_ref()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            _ => {
                query.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
    }
    let (body, encoded) = match std::str::from_utf8(p.body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(p.body),
            true,
        ),
    };
    let now = chrono::Utc::now();
    let host = headers
        .get("host")
        .and_then(Value::as_str)
        .unwrap_or("localhost")
        .to_owned();
    let mut event = json!({
        "version": "2.0",
        "routeKey": p.route_key,
        "rawPath": p.path,
        "rawQueryString": p.query,
        "headers": headers,
        "requestContext": {
            "accountId": p.account,
            "apiId": API_ID,
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or_default(),
            "http": {
                "method": p.method,
                "path": p.path,
                "protocol": "HTTP/1.1",
                "sourceIp": p.source_ip,
                "userAgent": headers.get("user-agent").cloned().unwrap_or(Value::String(String::new())),
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": p.route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": encoded,
    });
    if !cookies.is_empty() {
        event["cookies"] = Value::Array(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !p.body.is_empty() {
        event["body"] = Value::String(body);
    }
    event
}

/// The HTTP response of a function's answer: a `{statusCode, headers,
/// cookies, body, isBase64Encoded}` object, or any other JSON as a 200 body.
fn response_of(payload: &Value) -> Response {
    let Some(status) = payload.get("statusCode").and_then(Value::as_u64) else {
        return (StatusCode::OK, axum::Json(payload.clone())).into_response();
    };
    let text = payload
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let body = if payload.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
        match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(bytes) => bytes,
            Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        }
    } else {
        text.as_bytes().to_vec()
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Some(map) = payload.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let (Ok(n), Ok(v)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::from_str(&value),
            ) {
                headers.insert(n, v);
            }
        }
    }
    if let Some(list) = payload.get("cookies").and_then(Value::as_array) {
        for cookie in list.iter().filter_map(Value::as_str) {
            if let Ok(v) = HeaderValue::from_str(cookie) {
                headers.append("set-cookie", v);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_becomes_the_2_0_event() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:9000"));
        headers.append("x-many", HeaderValue::from_static("a"));
        headers.append("x-many", HeaderValue::from_static("b"));
        headers.insert("cookie", HeaderValue::from_static("c1=1; c2=2"));
        let e = event(&EventParts {
            route_key: "$default",
            method: "POST",
            path: "/api/messages",
            query: "limit=5&tag=a&tag=b",
            headers: &headers,
            body: br#"{"message":"hi"}"#,
            source_ip: "127.0.0.1",
            account: "123456789012",
        });
        assert_eq!(e["version"], "2.0");
        assert_eq!(e["rawPath"], "/api/messages");
        assert_eq!(e["headers"]["x-many"], "a,b");
        assert_eq!(e["cookies"], json!(["c1=1", "c2=2"]));
        assert_eq!(
            e["queryStringParameters"],
            json!({"limit": "5", "tag": "a,b"})
        );
        assert_eq!(e["requestContext"]["http"]["method"], "POST");
        assert_eq!(e["body"], r#"{"message":"hi"}"#);
        assert_eq!(e["isBase64Encoded"], false);
    }

    #[test]
    fn the_stage_throttle_lets_a_burst_through_then_refills_at_its_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket {
            tokens: 3.0,
            burst: 3.0,
            rate: 2.0,
            at: start,
        };
        assert!((0..3).all(|_| bucket.take()));
        assert!(!bucket.take(), "the burst is spent");
        bucket.at = start - Duration::from_secs(1);
        assert!(bucket.take() && bucket.take(), "a second refills two");
        assert!(!bucket.take());
    }

    #[test]
    fn a_function_answer_becomes_the_response() {
        let r = response_of(&json!({"statusCode": 201, "headers": {"x-a": "1"}, "body": "{}"}));
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["x-a"], "1");
        let plain = response_of(&json!({"hello": "world"}));
        assert_eq!(plain.status(), StatusCode::OK);
    }
}
