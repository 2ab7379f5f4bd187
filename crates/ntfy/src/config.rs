//! The client's configuration and the topic URL as users write it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use url::Url;

use crate::error::ConfigError;
use crate::token::AccessToken;

/// How long a publish may take when no timeout is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest topic name ntfy accepts (its topic pattern is `[-_A-Za-z0-9]{1,64}`).
pub const MAX_TOPIC_LEN: usize = 64;

/// Names ntfy reserves for its own pages and API (its default
/// `disallowed-topics`); publishing to them fails with 400.
pub const RESERVED_TOPICS: &[&str] = &[
    "docs", "static", "file", "app", "metrics", "account", "settings", "signup", "login", "v1",
];

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct NtfyConfig {
    /// The topic URL as users write it: `https://ntfy.sh/rzesz-alerts`,
    /// `http://127.0.0.1:8080/mytopic`, or `https://example.com/ntfy/mytopic`
    /// for a server under a sub-path.
    pub topic_url: Url,
    /// The access token for protected topics, if any.
    pub token: Option<AccessToken>,
    /// How long one publish may take, connecting included.
    pub timeout: Duration,
}

impl NtfyConfig {
    /// A configuration for `topic_url` with no token and [`DEFAULT_TIMEOUT`].
    pub fn new(topic_url: Url) -> Self {
        Self {
            topic_url,
            token: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same configuration with `token`.
    pub fn with_token(mut self, token: AccessToken) -> Self {
        self.token = Some(token);
        self
    }

    /// The same configuration with `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A topic URL split into the server root ntfy's JSON API is posted to and
/// the topic name.
///
/// The topic is the last path segment; everything before it is the server
/// root, so `https://example.com/ntfy/alerts` means the server at
/// `https://example.com/ntfy/` and the topic `alerts`. One trailing slash
/// is tolerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicUrl {
    server_root: Url,
    topic: String,
}

impl TopicUrl {
    /// Splits and checks `url`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming what is wrong: a scheme other than http(s),
    /// credentials, a query or fragment, no topic, or a topic ntfy refuses.
    pub fn parse(url: &Url) -> Result<Self, ConfigError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::UnsupportedScheme {
                scheme: url.scheme().to_owned(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConfigError::CredentialsInUrl);
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ConfigError::MissingHost);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError::QueryOrFragment {
                url: url.to_string(),
            });
        }
        let mut segments: Vec<&str> = url
            .path_segments()
            .map(Iterator::collect)
            .unwrap_or_default();
        if segments.last() == Some(&"") {
            segments.pop();
        }
        let Some(topic) = segments.pop().filter(|t| !t.is_empty()) else {
            return Err(ConfigError::MissingTopic {
                url: url.to_string(),
            });
        };
        check_topic(topic)?;

        let mut server_root = url.clone();
        let prefix: String = segments.iter().map(|s| format!("{s}/")).collect();
        server_root.set_path(&format!("/{prefix}"));
        Ok(Self {
            server_root,
            topic: topic.to_owned(),
        })
    }

    /// Where JSON publishes are posted: scheme, host, port and any path
    /// prefix, ending in `/`.
    pub fn server_root(&self) -> &Url {
        &self.server_root
    }

    /// The topic name.
    pub fn topic(&self) -> &str {
        &self.topic
    }
}

impl FromStr for TopicUrl {
    type Err = ConfigError;

    /// Parses a topic URL from text; `ntfy.sh/mytopic` without a scheme is
    /// refused rather than guessed.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(text.trim()).map_err(|e| ConfigError::InvalidUrl {
            reason: match e {
                url::ParseError::RelativeUrlWithoutBase => {
                    "it has no scheme; write it like https://ntfy.sh/mytopic".to_owned()
                }
                other => other.to_string(),
            },
        })?;
        Self::parse(&url)
    }
}

impl fmt::Display for TopicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.server_root, self.topic)
    }
}

/// Checks a name against ntfy's pattern for topics (and ids):
/// `[-_A-Za-z0-9]{1,64}`.
pub(crate) fn is_ntfy_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TOPIC_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_topic(topic: &str) -> Result<(), ConfigError> {
    let invalid = |reason| ConfigError::InvalidTopic {
        topic: topic.to_owned(),
        reason,
    };
    if topic.len() > MAX_TOPIC_LEN {
        return Err(invalid("it is longer than 64 characters"));
    }
    if !is_ntfy_name(topic) {
        return Err(invalid(
            "use only letters A-Z and a-z, digits, '-' and '_' (ntfy's pattern [-_A-Za-z0-9]{1,64})",
        ));
    }
    if RESERVED_TOPICS.contains(&topic) {
        return Err(invalid(
            "ntfy reserves this name for its own pages; pick another topic",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
