//! A typed client of the rez-agent HTTP API (`/api/...`), the one the CLI
//! commands talk through, against `rez-agent up` or a deployed API.
//!
//! | module | what it holds |
//! |---|---|
//! | [`error`] | [`ClientError`]: unreachable, 401, the API's `{error:{code,message}}`, odd answers |
//! | [`types`] | pages, filters and dead letters; items are rez-core's types |
//!
//! Every call returns a [`Reply`]: the typed value for tables and the JSON
//! exactly as the API sent it, for `--json`.

pub mod error;
pub mod types;

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use rez_core::ports::{DeadLetterList, ExecutionRecord};
use rez_core::schedule::CreateScheduleRequest;
use rez_core::{CreateMessageRequest, Message};
use serde::de::DeserializeOwned;
use url::Url;

pub use error::ClientError;
use error::{one_line, root_cause};
pub use types::{
    ExecutionFilter, ExecutionPage, MessageFilter, MessagePage, RedriveRequest, Redriven,
    SchedulePage, ShownSchedule,
};

/// How long one call may take, connect included.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// An answer: the typed value and the JSON as the API sent it.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    /// The answer, typed.
    pub value: T,
    /// The answer as the API sent it.
    pub json: serde_json::Value,
}

/// The rez-agent HTTP API at one base URL, with an optional API key.
#[derive(Clone)]
pub struct ApiClient {
    base: Url,
    key: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base.as_str())
            .field("key", &self.key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client of the API at `base` (e.g. `http://127.0.0.1:8080`, or a
    /// deployed API with a path prefix), sending `key` as `Authorization: Bearer`.
    ///
    /// # Errors
    /// [`ClientError::InvalidUrl`] when `base` is not an http(s) URL.
    pub fn new(base: &str, key: Option<String>) -> Result<Self, ClientError> {
        let invalid = |reason: String| ClientError::InvalidUrl {
            url: base.to_owned(),
            reason,
        };
        let url = Url::parse(base).map_err(|e| invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(invalid("must be an http:// or https:// URL".to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("rez-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| invalid(format!("cannot set up the HTTP client: {}", root_cause(&e))))?;
        Ok(Self {
            base: url,
            key: key.filter(|k| !k.is_empty()),
            http,
        })
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `POST /api/messages`: the message as stored and queued. With an
    /// `idempotency_key` used before, the API answers with the message
    /// stored then instead of creating another.
    ///
    /// # Errors
    /// Any [`ClientError`]; a rejected field is [`ClientError::Api`] `validation_failed`.
    pub async fn create_message(
        &self,
        request: &CreateMessageRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Reply<Message>, ClientError> {
        let url = self.url(&["api", "messages"], &[])?;
        let mut builder = self.http.post(url.clone()).json(request);
        if let Some(key) = idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        self.send(builder, &url).await
    }

    /// `GET /api/messages/{id}`.
    ///
    /// # Errors
    /// Any [`ClientError`]; an unknown id is [`ClientError::Api`] `not_found`.
    pub async fn message(&self, id: &str) -> Result<Reply<Message>, ClientError> {
        let url = self.url(&["api", "messages", id], &[])?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/messages?…`: one page, newest first.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn messages(
        &self,
        filter: &MessageFilter,
    ) -> Result<Reply<MessagePage>, ClientError> {
        let limit = filter.limit.map(|l| l.to_string());
        let query = [
            ("status", filter.status.as_deref()),
            ("stage", filter.stage.as_deref()),
            ("limit", limit.as_deref()),
            ("cursor", filter.cursor.as_deref()),
        ];
        let url = self.url(&["api", "messages"], &query)?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/executions?…`: one page, newest first.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn executions(
        &self,
        filter: &ExecutionFilter,
    ) -> Result<Reply<ExecutionPage>, ClientError> {
        let limit = filter.limit.map(|l| l.to_string());
        let query = [
            ("status", filter.status.map(|s| s.as_str())),
            ("message_id", filter.message_id.as_deref()),
            ("limit", limit.as_deref()),
            ("cursor", filter.cursor.as_deref()),
        ];
        let url = self.url(&["api", "executions"], &query)?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/executions/{id}`: the execution with its history.
    ///
    /// # Errors
    /// Any [`ClientError`]; an unknown id is [`ClientError::Api`] `not_found`.
    pub async fn execution(&self, id: &str) -> Result<Reply<ExecutionRecord>, ClientError> {
        let url = self.url(&["api", "executions", id], &[])?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/dlq`: the dead letters and the queue's depth.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn dead_letters(&self) -> Result<Reply<DeadLetterList>, ClientError> {
        let url = self.url(&["api", "dlq"], &[])?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `POST /api/dlq/redrive`: moves the given dead letters (all when
    /// `ids` is `None`) back to the queue.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn redrive(&self, ids: Option<Vec<String>>) -> Result<Reply<Redriven>, ClientError> {
        let url = self.url(&["api", "dlq", "redrive"], &[])?;
        // All of them is said by leaving the body out.
        let body = ids.map(|ids| RedriveRequest { ids: Some(ids) });
        self.call(Method::POST, url, body.as_ref()).await
    }

    /// `GET /api/schedules?…`: one page, newest first.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn schedules(
        &self,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Reply<SchedulePage>, ClientError> {
        let limit = limit.map(|l| l.to_string());
        let url = self.url(
            &["api", "schedules"],
            &[("limit", limit.as_deref()), ("cursor", cursor)],
        )?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/schedules/{id}`.
    ///
    /// # Errors
    /// Any [`ClientError`]; an unknown id is [`ClientError::Api`] `not_found`.
    pub async fn schedule(&self, id: &str) -> Result<Reply<ShownSchedule>, ClientError> {
        let url = self.url(&["api", "schedules", id], &[])?;
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `POST /api/schedules`.
    ///
    /// # Errors
    /// Any [`ClientError`]; a rejected field is [`ClientError::Api`] `validation_failed`.
    pub async fn create_schedule(
        &self,
        request: &CreateScheduleRequest,
    ) -> Result<Reply<ShownSchedule>, ClientError> {
        let url = self.url(&["api", "schedules"], &[])?;
        self.call(Method::POST, url, Some(request)).await
    }

    /// `PUT /api/schedules/{id}` with `changes` (the fields to change).
    ///
    /// # Errors
    /// Any [`ClientError`]; the deployment's own schedule is [`ClientError::Api`] `conflict`.
    pub async fn update_schedule(
        &self,
        id: &str,
        changes: &serde_json::Value,
    ) -> Result<Reply<ShownSchedule>, ClientError> {
        let url = self.url(&["api", "schedules", id], &[])?;
        self.call(Method::PUT, url, Some(changes)).await
    }

    /// `DELETE /api/schedules/{id}`.
    ///
    /// # Errors
    /// Any [`ClientError`]; an unknown id is [`ClientError::Api`] `not_found`.
    pub async fn delete_schedule(&self, id: &str) -> Result<Reply<()>, ClientError> {
        let url = self.url(&["api", "schedules", id], &[])?;
        self.call(Method::DELETE, url, None::<&()>).await
    }

    /// The base URL with `segments` appended (each percent-encoded) and the
    /// query pairs that have a value.
    fn url(&self, segments: &[&str], query: &[(&str, Option<&str>)]) -> Result<Url, ClientError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ClientError::InvalidUrl {
                url: self.base.to_string(),
                reason: "cannot take a path".to_owned(),
            })?
            .pop_if_empty()
            .extend(segments);
        let pairs: Vec<(&str, &str)> = query
            .iter()
            .filter_map(|(name, value)| value.map(|v| (*name, v)))
            .collect();
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        Ok(url)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl serde::Serialize>,
    ) -> Result<Reply<T>, ClientError> {
        let changes_state = method != Method::GET && method != Method::HEAD;
        let mut request: RequestBuilder = self.http.request(method, url.clone());
        if let Some(body) = body {
            request = request.json(body);
        } else if changes_state {
            // `rez-agent up` refuses a POST that does not declare JSON, even
            // an empty one (no HTML form can declare it).
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json");
        }
        self.send(request, &url).await
    }

    /// Sends `request` with the API key and reads the answer as `T`.
    async fn send<T: DeserializeOwned>(
        &self,
        mut request: RequestBuilder,
        url: &Url,
    ) -> Result<Reply<T>, ClientError> {
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        let url = url.clone();
        let response = request
            .send()
            .await
            .map_err(|e| self.unreachable(&url, &e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.unreachable(&url, &e))?;
        if !status.is_success() {
            return Err(self.failure(status, &url, &bytes));
        }
        // An answer without a body (204) reads as null.
        let json: serde_json::Value = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| ClientError::Unexpected {
                url: url.to_string(),
                reason: format!("{status} with a body that is not JSON: {e}"),
            })?
        };
        let value = T::deserialize(&json).map_err(|e| ClientError::Unexpected {
            url: url.to_string(),
            reason: format!("{status} with JSON of another shape: {e}"),
        })?;
        Ok(Reply { value, json })
    }

    fn unreachable(&self, url: &Url, error: &reqwest::Error) -> ClientError {
        let reason = if error.is_timeout() {
            format!("no answer within {} s", CALL_TIMEOUT.as_secs())
        } else {
            root_cause(error)
        };
        if error.is_connect() || error.is_timeout() || error.is_request() {
            ClientError::Unreachable {
                url: self.base.to_string(),
                reason,
            }
        } else {
            ClientError::Unexpected {
                url: url.to_string(),
                reason,
            }
        }
    }

    fn failure(&self, status: StatusCode, url: &Url, body: &[u8]) -> ClientError {
        if status == StatusCode::UNAUTHORIZED {
            let url = self.base.to_string();
            return match self.key {
                None => ClientError::MissingKey { url },
                Some(_) => ClientError::WrongKey { url },
            };
        }
        let shaped = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                let error = v.get("error")?;
                Some((
                    error.get("code")?.as_str()?.to_owned(),
                    error.get("message")?.as_str()?.to_owned(),
                ))
            });
        match shaped {
            Some((code, message)) => ClientError::Api {
                status: status.as_u16(),
                code,
                message: one_line(&message, 300),
            },
            None => ClientError::Unexpected {
                url: url.to_string(),
                reason: format!(
                    "{status}: {}",
                    one_line(&String::from_utf8_lossy(body), 200)
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests;
