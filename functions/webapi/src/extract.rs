//! Extractors whose rejections come back in the API's error shape.
//!
//! axum's own `Json`, `Query` and `Path` answer bad input with plain-text
//! bodies; these wrap or replace them so every 4xx reads the same.

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use rez_core::{IdempotencyKey, ValidationError};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::headers::IDEMPOTENCY_KEY;

/// Longest idempotency key, in characters.
const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// A JSON body: `invalid_json` when it is not JSON (or not sent as JSON),
/// `validation_failed` naming the field when it does not fit `T`.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(not_json());
        }
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body that may be left out: `None` for an empty body, otherwise
/// the same rules as [`ApiJson`].
#[derive(Debug)]
pub(crate) struct OptionalApiJson<T>(pub(crate) Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(req.headers());
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        if !json {
            return Err(not_json());
        }
        parse_json(&bytes).map(|value| Self(Some(value)))
    }
}

/// The error for a body not sent as JSON.
fn not_json() -> ApiError {
    ApiError::invalid_json("the body must be JSON sent with 'Content-Type: application/json'")
}

/// The whole body: 413 beyond the limit, `invalid_json` when it cannot be read.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::layers::payload_too_large()
        } else {
            ApiError::invalid_json("the request body could not be read")
                .with_detail(rejection.body_text())
        }
    })
}

/// Parses `bytes` as one JSON value of type `T`.
///
/// The body must be a JSON object: serde would otherwise read `[]` as a
/// struct with every field defaulted.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(_) => ApiError::new(
                crate::error::ErrorCode::ValidationFailed,
                "body: must be a JSON object",
            ),
            Err(err) => ApiError::invalid_json(format!(
                "the body is not valid JSON: {}",
                without_position(&err)
            )),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let text = without_position(&inner);
        if inner.is_data() {
            let message = if path == "." {
                text
            } else {
                format!("{path}: {text}")
            };
            ApiError::new(crate::error::ErrorCode::ValidationFailed, message)
        } else {
            ApiError::invalid_json(format!("the body is not valid JSON: {text}"))
        }
    })?;
    de.end().map_err(|err| {
        ApiError::invalid_json(format!(
            "the body is not valid JSON: {}",
            without_position(&err)
        ))
    })?;
    Ok(value)
}

/// serde_json's message without its " at line 1 column 7" suffix.
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rsplit_once(" at line ") {
        Some((head, _)) if err.line() > 0 => head.to_owned(),
        _ => text,
    }
}

/// Whether the request says its body is JSON (`application/json` or `+json`).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A path parameter; a value that does not decode is `validation_failed`.
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) if rejection.status().is_server_error() => {
                Err(ApiError::internal(rejection.body_text()))
            }
            Err(rejection) => Err(ApiError::new(
                crate::error::ErrorCode::ValidationFailed,
                format!("path: {}", rejection.body_text()),
            )),
        }
    }
}

/// The `Idempotency-Key` header, when sent: 1–255 visible ASCII characters,
/// a key in the client namespace (never one of the scheduler's, whatever
/// the text).
#[derive(Debug)]
pub(crate) struct IdempotencyKeyHeader(pub(crate) Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY) else {
            return Ok(IdempotencyKeyHeader(None));
        };
        let bytes = value.as_bytes();
        if bytes.is_empty()
            || bytes.len() > MAX_IDEMPOTENCY_KEY_CHARS
            || !bytes.iter().all(u8::is_ascii_graphic)
        {
            return Err(ApiError::validation(&ValidationError::new(
                "Idempotency-Key",
                format!("must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"),
            )));
        }
        Ok(IdempotencyKeyHeader(Some(IdempotencyKey::Client(
            String::from_utf8_lossy(bytes).into_owned(),
        ))))
    }
}

/// A decoded query string checked against the parameters a route knows.
///
/// Unknown or repeated parameters are `invalid_query`; an empty value counts
/// as absent, so `?status=` is the same as no status filter.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(BTreeMap<String, String>);

impl QueryParams {
    /// Decodes `query` (the raw text after `?`), allowing only `known` names.
    ///
    /// # Errors
    /// `invalid_query` for an unknown or repeated parameter.
    pub(crate) fn parse(query: Option<&str>, known: &[&str]) -> Result<Self, ApiError> {
        let mut params = BTreeMap::new();
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            if !known.contains(&name.as_ref()) {
                return Err(ApiError::invalid_query(format!(
                    "unknown query parameter '{name}': expected one of {}",
                    known.join(", ")
                )));
            }
            if params
                .insert(name.clone().into_owned(), value.into_owned())
                .is_some()
            {
                return Err(ApiError::invalid_query(format!(
                    "{name}: must be given at most once"
                )));
            }
        }
        params.retain(|_, value: &mut String| !value.is_empty());
        Ok(Self(params))
    }

    /// The raw value of `name`, when given.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `name` parsed with its type's own rules (the core enums).
    ///
    /// # Errors
    /// `invalid_query` naming the parameter and the allowed values.
    pub(crate) fn parsed<T>(&self, name: &str) -> Result<Option<T>, ApiError>
    where
        T: FromStr<Err = ValidationError>,
    {
        self.text(name)
            .map(|text| {
                text.parse::<T>()
                    .map_err(|err| ApiError::invalid_query(err.to_string()))
            })
            .transpose()
    }

    /// `limit`: 1 to `max`, `default` when absent.
    ///
    /// # Errors
    /// `invalid_query` for anything else.
    pub(crate) fn limit(&self, default: u32, max: u32) -> Result<u32, ApiError> {
        let Some(text) = self.text("limit") else {
            return Ok(default);
        };
        match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_query(format!(
                "limit: must be a whole number from 1 to {max}, got '{text}'"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use rez_core::{CreateMessageRequest, Status};

    fn json_error(body: &str) -> (ErrorCode, String) {
        let err = parse_json::<CreateMessageRequest>(body.as_bytes()).unwrap_err();
        (err.code(), err.to_string())
    }

    #[test]
    fn json_errors_say_whether_the_syntax_or_a_field_is_wrong() {
        let cases = [
            ("{", ErrorCode::InvalidJson, "EOF while parsing"),
            ("", ErrorCode::InvalidJson, "EOF while parsing"),
            ("{} {}", ErrorCode::InvalidJson, "trailing characters"),
            (
                r#"{"stage":"qa"}"#,
                ErrorCode::ValidationFailed,
                "stage: unknown variant `qa`",
            ),
            (
                r#"{"priority":9}"#,
                ErrorCode::ValidationFailed,
                "priority: unknown priority '9'",
            ),
            (
                r#"{"titel":"x"}"#,
                ErrorCode::ValidationFailed,
                "unknown field `titel`",
            ),
            (
                r#"{"tags":[1]}"#,
                ErrorCode::ValidationFailed,
                "tags[0]: invalid type",
            ),
            (
                "[]",
                ErrorCode::ValidationFailed,
                "body: must be a JSON object",
            ),
            (
                " 5",
                ErrorCode::ValidationFailed,
                "body: must be a JSON object",
            ),
            ("nope", ErrorCode::InvalidJson, "expected ident"),
            (
                r#"{"message":"a","message":"b"}"#,
                ErrorCode::ValidationFailed,
                "duplicate field",
            ),
        ];
        for (body, code, text) in cases {
            let (got, message) = json_error(body);
            assert_eq!(got, code, "{body}");
            assert!(message.contains(text), "{body}: {message}");
            assert!(!message.contains("line 1"), "{body}: {message}");
        }
    }

    #[test]
    fn json_content_types_are_recognised() {
        for (value, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/merge-patch+json", true),
            ("text/plain", false),
            ("application/jsonx", false),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_json(&headers), ok, "{value}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn query_params_reject_unknown_repeated_and_malformed_values() {
        let known = ["status", "limit"];
        let err = QueryParams::parse(Some("colour=red"), &known).unwrap_err();
        assert!(err.to_string().contains("unknown query parameter 'colour'"));
        let err = QueryParams::parse(Some("status=a&status=b"), &known).unwrap_err();
        assert!(
            err.to_string()
                .contains("status: must be given at most once")
        );

        let params = QueryParams::parse(Some("status=&limit=7"), &known).unwrap();
        assert_eq!(params.parsed::<Status>("status").unwrap(), None);
        assert_eq!(params.limit(50, 1000).unwrap(), 7);

        let params = QueryParams::parse(Some("status=lost&limit=-1"), &known).unwrap();
        assert_eq!(
            params.parsed::<Status>("status").unwrap_err().code(),
            ErrorCode::InvalidQuery
        );
        assert_eq!(
            params.limit(50, 1000).unwrap_err().code(),
            ErrorCode::InvalidQuery
        );
    }
}
