//! Who may come in: the one set of checks in front of every route that
//! `rez-agent up` serves, whichever surface it belongs to. The stack's
//! composition (`stack::app`) puts [`guard`] around the whole app, so a
//! route added to any surface is behind it without further work.
//!
//! In order, for every request:
//!
//! 1. **Host** (only without a key, when `up` listens on loopback): the
//!    `Host` header must name the listen address (`127.0.0.1:<port>`,
//!    `localhost:<port>`, `[::1]:<port>`), so a web page whose DNS name was
//!    rebound to 127.0.0.1 cannot read or change anything. With a key the
//!    key is the protection, and `up` may listen on any address.
//! 2. **The key**, when one is set: on the web API as `Authorization:
//!    Bearer <key>`, on the Step Functions API as an AWS SigV4 signature
//!    made with the key as the secret access key (`sigv4.rs`). Open without
//!    it: the web API's public routes (`/api/health`), the console's static
//!    files, `GET /` (a redirect to the console), and CORS preflights.
//! 3. **The rate limit**, when set: every request that passed the key check
//!    draws from the key's bucket, whatever form the key came in.
//! 4. **Cross-site forms**: a `POST` to a route that serves it (from the
//!    web API's route table, and `POST /` of the Step Functions API) must
//!    say it carries JSON (`application/json`, `application/x-amz-json-1.0`,
//!    or `…+json`), which a browser sends cross-site only after a CORS
//!    preflight; a form, a `text/plain` body or no content type is refused.
//!    `PUT` and `DELETE` always need that preflight, so they need no such
//!    declaration. A method no route serves passes on to the router's 405.
//!
//! Refusals are in the surface's own error shape: `{"error": {"code",
//! "message"}}` on the web API, AWS's `{"__type", "message"}` on the Step
//! Functions API.

mod host;
pub(crate) mod sigv4;

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rez_webapi::{ApiError, ApiKey};

use crate::rate_limit::RateLimit;
use crate::sfn_api::{self, SfnError};

pub use host::listen_hosts;

/// The rules one running stack applies.
#[derive(Debug)]
pub struct AccessPolicy {
    key: Option<ApiKey>,
    /// The `Host` values accepted; `None` accepts any (a key is set).
    hosts: Option<Vec<String>>,
    open_paths: Vec<&'static str>,
    /// The `POST` routes (method, path template): requests to them must
    /// declare JSON.
    json_routes: Vec<(Method, &'static str)>,
    rate_limit: Option<RateLimit>,
}

impl AccessPolicy {
    /// The policy of a stack listening on `listen` (the bound address), with
    /// `key` when one is set. `open_paths` are the web API routes that answer
    /// without the key; `rate_limit` only applies with a key.
    pub fn new(
        listen: std::net::SocketAddr,
        key: Option<ApiKey>,
        open_paths: Vec<&'static str>,
        routes: impl IntoIterator<Item = (Method, &'static str)>,
        rate_limit: Option<crate::rate_limit::RateLimitConfig>,
    ) -> Self {
        let json_routes = routes
            .into_iter()
            .filter(|(method, _)| host::sendable_cross_site(method))
            .collect();
        let hosts = key.is_none().then(|| listen_hosts(listen));
        let rate_limit = key
            .as_ref()
            .zip(rate_limit)
            .map(|(_, config)| RateLimit::new(config));
        AccessPolicy {
            key,
            hosts,
            open_paths,
            json_routes,
            rate_limit,
        }
    }

    /// Whether the request reaches a `POST` route, which must declare JSON.
    fn needs_json(&self, request: &Request) -> bool {
        let path = request.uri().path();
        self.json_routes.iter().any(|(method, template)| {
            method == request.method() && host::path_matches(template, path)
        })
    }

    /// Whether the request reaches a route that answers without the key.
    fn is_open(&self, request: &Request) -> bool {
        let path = request.uri().path();
        let method = request.method();
        self.open_paths.contains(&path)
            || path == "/console"
            || path.starts_with("/console/")
            || (path == "/" && (method == Method::GET || method == Method::HEAD))
            || (method == Method::OPTIONS
                && request
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD))
    }
}

/// The surface a request is for, which decides its credential and its
/// error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    /// The rez-agent HTTP API and the console.
    Web,
    /// The Step Functions JSON API: `POST /`.
    StepFunctions,
}

impl Surface {
    fn of(request: &Request) -> Surface {
        if request.method() == Method::POST && request.uri().path() == sfn_api::PATH {
            Surface::StepFunctions
        } else {
            Surface::Web
        }
    }
}

/// The middleware: lets the request through, or answers in its surface's
/// error shape.
pub async fn guard(
    State(policy): State<Arc<AccessPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let surface = Surface::of(&request);
    if let Some(hosts) = &policy.hosts
        && let Err(why) = host::check_host(request.headers(), hosts)
    {
        return refuse_host(surface, why);
    }
    if policy.needs_json(&request)
        && let Err(why) = host::check_json_content(request.headers())
    {
        return refuse_content(surface, why);
    }
    let Some(key) = &policy.key else {
        return next.run(request).await;
    };
    if policy.is_open(&request) {
        return next.run(request).await;
    }
    let request = match surface {
        Surface::Web => match rez_webapi::bearer_token(request.headers()) {
            Some(token) if key.matches(token) => request,
            _ => return ApiError::unauthorized().into_response(),
        },
        Surface::StepFunctions => match signed_with(key, request).await {
            Ok(request) => request,
            Err(error) => return error.into_response(),
        },
    };
    if let Some(limit) = &policy.rate_limit
        && let Err(retry_after) = limit.check()
    {
        return match surface {
            Surface::Web => crate::rate_limit::too_many_requests(retry_after, limit.config()),
            Surface::StepFunctions => {
                SfnError::Throttling("Rate exceeded".to_owned()).into_response()
            }
        };
    }
    next.run(request).await
}

/// The request, with its body read back in, when its SigV4 signature was
/// made with `key`.
async fn signed_with(key: &ApiKey, request: Request) -> Result<Request, SfnError> {
    let (parts, body) = request.into_parts();
    // Refused before the body is read: a request without a plausible
    // signature costs no body.
    sigv4::check_headers(&parts.headers, SystemTime::now()).map_err(signature_error)?;
    let bytes = tokio::time::timeout(BODY_READ_LIMIT, to_bytes(body, sfn_api::BODY_LIMIT_BYTES))
        .await
        .map_err(|_| {
            SfnError::Serialization(format!(
                "the request body did not arrive within {} s",
                BODY_READ_LIMIT.as_secs()
            ))
        })?
        .map_err(|e| {
            SfnError::Serialization(format!(
                "the request body cannot be read (at most {} bytes): {e}",
                sfn_api::BODY_LIMIT_BYTES
            ))
        })?;
    sigv4::verify(
        &parts.method,
        &parts.uri,
        &parts.headers,
        &bytes,
        key.secret(),
        SystemTime::now(),
    )
    .map_err(signature_error)?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// How long a signed request's body may take to arrive.
const BODY_READ_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

fn signature_error(error: sigv4::SignatureError) -> SfnError {
    match error {
        sigv4::SignatureError::Unrecognized(m) => SfnError::UnrecognizedClient(m),
        sigv4::SignatureError::Invalid(m) => SfnError::InvalidSignature(m),
    }
}

fn refuse_host(surface: Surface, why: String) -> Response {
    match surface {
        Surface::Web => ApiError::forbidden(why).into_response(),
        Surface::StepFunctions => SfnError::UnrecognizedClient(why).into_response(),
    }
}

fn refuse_content(surface: Surface, why: String) -> Response {
    match surface {
        Surface::Web => ApiError::invalid_json(why).into_response(),
        Surface::StepFunctions => SfnError::Serialization(why).into_response(),
    }
}
