//! The publishing client: one JSON POST per notification, no retries.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use url::Url;

use rez_core::Notification;
use rez_core::ports::{Delivery, Notifier, NotifyError};

use crate::classify::classify_failure;
use crate::config::{NtfyConfig, TopicUrl, is_ntfy_name};
use crate::error::{ConfigError, NtfyError};
use crate::token::AccessToken;

/// The most of an answer's body we read; ntfy's answers are far smaller.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// What ntfy answered for an accepted publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// ntfy's id for the message.
    pub id: String,
    /// When ntfy received it.
    pub time: DateTime<Utc>,
}

impl From<Published> for Delivery {
    fn from(published: Published) -> Self {
        Delivery {
            ntfy_id: published.id,
            time: published.time,
        }
    }
}

/// Publishes notifications to one ntfy topic.
///
/// Each call is exactly one HTTP request: retrying is the workflow's job, and
/// every failure comes back classified as a [`NtfyError`]. Redirects are
/// not followed, so the token only ever goes to the topic URL's host.
#[derive(Debug, Clone)]
pub struct NtfyClient {
    http: reqwest::Client,
    topic_url: TopicUrl,
    authorization: Option<HeaderValue>,
    token: Option<AccessToken>,
    timeout: Duration,
}

impl NtfyClient {
    /// Builds the client for `config`'s topic.
    ///
    /// # Errors
    /// A [`ConfigError`] when the topic URL or token cannot be used, the
    /// timeout is zero, or the HTTP stack cannot be set up.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use rez_ntfy::{AccessToken, NtfyClient, NtfyConfig};
    /// let config = NtfyConfig::new("https://ntfy.sh/rzesz-alerts".parse()?)
    ///     .with_token(AccessToken::new("tk_…")?);
    /// let client = NtfyClient::new(config)?;
    /// # Ok(()) }
    /// ```
    pub fn new(config: NtfyConfig) -> Result<Self, ConfigError> {
        let topic_url = TopicUrl::parse(&config.topic_url)?;
        if config.timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout);
        }
        let authorization = config
            .token
            .as_ref()
            .map(AccessToken::bearer_header)
            .transpose()?;
        if authorization.is_some() && !is_private_transport(topic_url.server_root()) {
            tracing::warn!(
                server = %topic_url.server_root(),
                "the ntfy access token will be sent over plain http; use https outside a trusted network"
            );
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("rez-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::HttpClient {
                reason: error_chain(&e.without_url()),
            })?;
        Ok(Self {
            http,
            topic_url,
            authorization,
            token: config.token,
            timeout: config.timeout,
        })
    }

    /// The topic this client publishes to.
    pub fn topic(&self) -> &str {
        self.topic_url.topic()
    }

    /// Where JSON publishes are posted.
    pub fn server_root(&self) -> &Url {
        self.topic_url.server_root()
    }

    /// Publishes `notification` with `sequence_id`, so that publishing the
    /// same id again replaces the first notification instead of adding one.
    ///
    /// The notification is checked against ntfy's limits first; a
    /// notification that breaks them is refused without a request.
    ///
    /// # Errors
    /// A [`NtfyError`] whose [`kind`](NtfyError::kind) says whether
    /// and when to retry.
    #[tracing::instrument(
        name = "ntfy.publish",
        skip_all,
        fields(topic = %self.topic_url.topic(), sequence_id = %sequence_id)
    )]
    pub async fn publish(
        &self,
        sequence_id: &str,
        notification: &Notification,
    ) -> Result<Published, NtfyError> {
        let result = self.try_publish(sequence_id, notification).await;
        match &result {
            Ok(published) => {
                tracing::debug!(ntfy_id = %published.id, "ntfy accepted the notification")
            }
            Err(err) => {
                tracing::warn!(kind = err.kind().error_name(), error = %err, "ntfy publish failed")
            }
        }
        result
    }

    async fn try_publish(
        &self,
        sequence_id: &str,
        notification: &Notification,
    ) -> Result<Published, NtfyError> {
        let body = PublishBody::new(self.topic_url.topic(), sequence_id, notification)?;
        let mut request = self
            .http
            .post(self.topic_url.server_root().clone())
            .json(&body);
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let mut response = request.send().await.map_err(|e| self.unreachable(e))?;

        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let arrived = Utc::now();
        let body = self.read_body(&mut response).await?;

        if !status.is_success() {
            return Err(classify_failure(
                status,
                retry_after.as_deref(),
                &body,
                arrived,
            ));
        }
        let unexpected = |reason: String| NtfyError::UnexpectedResponse {
            status: status.as_u16(),
            reason,
        };
        let answer: MessageAnswer =
            serde_json::from_str(&body).map_err(|e| unexpected(e.to_string()))?;
        let time = DateTime::from_timestamp(answer.time, 0)
            .ok_or_else(|| unexpected(format!("time {} is out of range", answer.time)))?;
        Ok(Published {
            id: answer.id,
            time,
        })
    }

    /// Reads at most [`MAX_RESPONSE_BYTES`] of the body, as text scrubbed of
    /// the token.
    async fn read_body(&self, response: &mut reqwest::Response) -> Result<String, NtfyError> {
        let mut bytes = Vec::new();
        while bytes.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(self.unreachable(e)),
            }
        }
        bytes.truncate(MAX_RESPONSE_BYTES);
        let text = String::from_utf8_lossy(&bytes);
        Ok(match &self.token {
            Some(token) => token.scrub(&text),
            None => text.into_owned(),
        })
    }

    /// A transport failure, described without URL or token.
    fn unreachable(&self, err: reqwest::Error) -> NtfyError {
        let what = if err.is_timeout() {
            format!("no answer within {:?}", self.timeout)
        } else if err.is_connect() {
            "could not connect".to_owned()
        } else if err.is_body() || err.is_decode() {
            "the answer broke off".to_owned()
        } else {
            "the request failed".to_owned()
        };
        let chain = error_chain(&err.without_url());
        let reason = match &self.token {
            Some(token) => token.scrub(&chain),
            None => chain,
        };
        NtfyError::Unreachable {
            reason: format!("{what} ({reason})"),
        }
    }
}

#[async_trait::async_trait]
impl Notifier for NtfyClient {
    async fn notify(
        &self,
        sequence_id: &rez_core::MessageId,
        notification: &Notification,
    ) -> Result<Delivery, NotifyError> {
        self.publish(sequence_id.as_str(), notification)
            .await
            .map(Delivery::from)
            .map_err(NotifyError::from)
    }
}

/// ntfy's JSON publish body; absent fields are left out.
#[derive(Debug, Serialize)]
struct PublishBody<'a> {
    topic: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<u8>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    click: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    markdown: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    sequence_id: &'a str,
}

impl<'a> PublishBody<'a> {
    /// The body for `notification`, or the reason ntfy would refuse it.
    fn new(
        topic: &'a str,
        sequence_id: &'a str,
        notification: &'a Notification,
    ) -> Result<Self, NtfyError> {
        let refuse = |error: String| NtfyError::Rejected {
            status: None,
            code: None,
            error,
        };
        notification
            .validate()
            .map_err(|e| refuse(format!("{e}")))?;
        if !is_ntfy_name(sequence_id) {
            return Err(refuse(format!(
                "sequence id '{sequence_id}' must match [-_A-Za-z0-9]{{1,64}}"
            )));
        }
        Ok(Self {
            topic,
            message: &notification.message,
            title: notification.title.as_deref(),
            priority: notification.priority.map(|p| p.as_number()),
            tags: &notification.tags,
            click: notification.click.as_deref(),
            markdown: notification.markdown,
            icon: notification.icon.as_deref(),
            sequence_id,
        })
    }
}

/// The fields of ntfy's answer we keep.
#[derive(Debug, Deserialize)]
struct MessageAnswer {
    id: String,
    time: i64,
}

/// Whether a token sent to `url` is safe from the network: https, or plain
/// http to this machine.
fn is_private_transport(url: &Url) -> bool {
    url.scheme() == "https"
        || match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        }
}

/// An error and its sources, joined with `: `.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
