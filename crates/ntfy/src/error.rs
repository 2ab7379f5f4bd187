//! What can go wrong: building the client ([`ConfigError`]) and publishing
//! ([`NtfyError`]), each publish failure tagged with its
//! [`NotifyErrorKind`] so the workflow knows whether to retry.

use std::time::Duration;

use rez_core::ports::{NotifyError, NotifyErrorKind};

/// The topic URL, token or timeout cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The topic URL text is not a URL at all.
    #[error("the topic URL is not a valid URL: {reason}")]
    InvalidUrl {
        /// What the URL parser reported.
        reason: String,
    },
    /// The topic URL is not http or https.
    #[error(
        "unsupported topic URL scheme '{scheme}': use http or https, like https://ntfy.sh/mytopic"
    )]
    UnsupportedScheme {
        /// The scheme that was given.
        scheme: String,
    },
    /// The topic URL has no host.
    #[error("the topic URL has no host: write it like https://ntfy.sh/mytopic")]
    MissingHost,
    /// The topic URL carries a user name or password.
    #[error(
        "the topic URL must not contain a user name or password: remove them and set the access token instead"
    )]
    CredentialsInUrl,
    /// The topic URL has a query string or a fragment.
    #[error(
        "the topic URL {url} must not have a query or fragment: write only the server and topic, like https://ntfy.sh/mytopic"
    )]
    QueryOrFragment {
        /// The URL as given.
        url: String,
    },
    /// The topic URL has no path segment to use as the topic.
    #[error(
        "the topic URL {url} names no topic: add it as the last path segment, like https://ntfy.sh/mytopic"
    )]
    MissingTopic {
        /// The URL as given.
        url: String,
    },
    /// The last path segment is not a topic name ntfy accepts.
    #[error("invalid ntfy topic '{topic}': {reason}")]
    InvalidTopic {
        /// The segment that was given.
        topic: String,
        /// What is wrong with it and how to fix it.
        reason: &'static str,
    },
    /// The access token cannot be used (the token itself is never shown).
    #[error("invalid ntfy access token: {reason}")]
    InvalidToken {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A zero timeout would fail every publish.
    #[error("the ntfy timeout must be greater than zero")]
    ZeroTimeout,
    /// The HTTP client could not be built (TLS setup).
    #[error("could not build the HTTP client for ntfy: {reason}")]
    HttpClient {
        /// What the HTTP stack reported.
        reason: String,
    },
}

/// A publish that did not succeed, classified by what retrying can achieve.
///
/// Every message is lowercase, says what failed and never contains the
/// access token (server text is scrubbed of it before it gets here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NtfyError {
    /// 429 with code 42901 (or no code): too many requests; try again later.
    #[error(
        "ntfy rate-limited the publish{}; retry in {retry_after:?}",
        detail(error, code)
    )]
    RateLimited {
        /// How long to wait: `Retry-After` when sent, else
        /// [`DEFAULT_RETRY_AFTER`](crate::classify::DEFAULT_RETRY_AFTER).
        retry_after: Duration,
        /// ntfy's error code, if it sent one.
        code: Option<u32>,
        /// ntfy's error text, if it sent one.
        error: Option<String>,
    },
    /// 429 with code 42908 (or 42905): a daily quota is used up; the
    /// delivery waits for ntfy's daily reset.
    #[error(
        "ntfy's daily message quota is used up{}; publishing fails until the quota resets",
        detail(error, &Some(*code))
    )]
    QuotaExceeded {
        /// ntfy's error code (42908, or another daily-limit code).
        code: u32,
        /// ntfy's error text, if it sent one.
        error: Option<String>,
    },
    /// 5xx: the server failed; try again later.
    #[error(
        "ntfy answered {status}{}; the server is failing, retry later",
        detail(error, code)
    )]
    ServerError {
        /// The HTTP status.
        status: u16,
        /// ntfy's error code, if it sent one.
        code: Option<u32>,
        /// ntfy's error text, if it sent one.
        error: Option<String>,
    },
    /// 2xx whose body is not an ntfy message: something other than ntfy
    /// answered (classified as a server error, so it is retried).
    #[error(
        "ntfy answered {status} with a body that is not an ntfy message ({reason}); check that the topic URL points at an ntfy server"
    )]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// What was wrong with the body.
        reason: String,
    },
    /// No connection, no answer within the timeout, or the answer broke off.
    #[error("ntfy could not be reached: {reason}")]
    Unreachable {
        /// What happened, without URL or token.
        reason: String,
    },
    /// ntfy refused the publish (another 4xx or a redirect), or would have
    /// refused it and no request was sent (`status` is `None`). Permanent.
    #[error("{}", rejected(status, code, error))]
    Rejected {
        /// The HTTP status; `None` when the notification was refused locally.
        status: Option<u16>,
        /// ntfy's error code, if it sent one.
        code: Option<u32>,
        /// ntfy's error text, or what breaks the limits.
        error: String,
    },
}

impl NtfyError {
    /// The class of failure, which decides how the workflow retries.
    pub fn kind(&self) -> NotifyErrorKind {
        match self {
            NtfyError::RateLimited { .. } => NotifyErrorKind::RateLimited,
            NtfyError::QuotaExceeded { .. } => NotifyErrorKind::QuotaExceeded,
            NtfyError::ServerError { .. } | NtfyError::UnexpectedResponse { .. } => {
                NotifyErrorKind::ServerError
            }
            NtfyError::Unreachable { .. } => NotifyErrorKind::Unreachable,
            NtfyError::Rejected { .. } => NotifyErrorKind::Rejected,
        }
    }

    /// How long the server asked us to wait, for rate limits.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NtfyError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// ntfy's own error code (e.g. 42901, 40009), when it sent one.
    pub fn code(&self) -> Option<u32> {
        match self {
            NtfyError::RateLimited { code, .. }
            | NtfyError::ServerError { code, .. }
            | NtfyError::Rejected { code, .. } => *code,
            NtfyError::QuotaExceeded { code, .. } => Some(*code),
            NtfyError::UnexpectedResponse { .. } | NtfyError::Unreachable { .. } => None,
        }
    }
}

impl From<NtfyError> for NotifyError {
    fn from(err: NtfyError) -> Self {
        NotifyError {
            kind: err.kind(),
            retry_after: err.retry_after(),
            message: err.to_string(),
        }
    }
}

/// ` (text, code N)`, ` (text)`, ` (code N)` or nothing.
fn detail(error: &Option<String>, code: &Option<u32>) -> String {
    match (error.as_deref(), code) {
        (Some(text), Some(code)) => format!(" ({text}, code {code})"),
        (Some(text), None) => format!(" ({text})"),
        (None, Some(code)) => format!(" (code {code})"),
        (None, None) => String::new(),
    }
}

fn rejected(status: &Option<u16>, code: &Option<u32>, error: &str) -> String {
    match status {
        None => format!("ntfy would reject the notification, so it was not sent: {error}"),
        Some(status) => {
            let hint = match status {
                401 | 403 => "; check the access token and that it may publish to the topic",
                404 => "; check the topic URL",
                413 => "; shorten the message",
                300..=399 => "; use the final URL as the topic URL",
                _ => "",
            };
            let code = code.map(|c| format!(", code {c}")).unwrap_or_default();
            format!("ntfy rejected the publish with {status} ({error}{code}){hint}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_maps_to_its_kind_and_keeps_retry_after() {
        let cases = [
            (
                NtfyError::RateLimited {
                    retry_after: Duration::from_secs(7),
                    code: Some(42901),
                    error: None,
                },
                NotifyErrorKind::RateLimited,
                Some(Duration::from_secs(7)),
            ),
            (
                NtfyError::QuotaExceeded {
                    code: 42908,
                    error: None,
                },
                NotifyErrorKind::QuotaExceeded,
                None,
            ),
            (
                NtfyError::ServerError {
                    status: 503,
                    code: None,
                    error: None,
                },
                NotifyErrorKind::ServerError,
                None,
            ),
            (
                NtfyError::UnexpectedResponse {
                    status: 200,
                    reason: "x".into(),
                },
                NotifyErrorKind::ServerError,
                None,
            ),
            (
                NtfyError::Unreachable { reason: "x".into() },
                NotifyErrorKind::Unreachable,
                None,
            ),
            (
                NtfyError::Rejected {
                    status: Some(400),
                    code: Some(40009),
                    error: "invalid request: topic invalid".into(),
                },
                NotifyErrorKind::Rejected,
                None,
            ),
        ];
        for (err, kind, retry_after) in cases {
            let message = err.to_string();
            let notify = NotifyError::from(err);
            assert_eq!(notify.kind, kind, "{message}");
            assert_eq!(notify.retry_after, retry_after, "{message}");
            assert_eq!(notify.message, message);
        }
    }

    #[test]
    fn rejected_messages_say_what_to_do() {
        let err = NtfyError::Rejected {
            status: Some(403),
            code: Some(40301),
            error: "forbidden".into(),
        };
        assert_eq!(
            err.to_string(),
            "ntfy rejected the publish with 403 (forbidden, code 40301); check the access token and that it may publish to the topic"
        );
        let local = NtfyError::Rejected {
            status: None,
            code: None,
            error: "message: must not be empty".into(),
        };
        assert_eq!(
            local.to_string(),
            "ntfy would reject the notification, so it was not sent: message: must not be empty"
        );
    }
}
