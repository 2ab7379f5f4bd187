//! Why a call to the rez-agent HTTP API failed, in words a person can act on.

/// A failed API call. Every message is one line.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// `--api-url` is not an http(s) URL.
    #[error("--api-url {url}: {reason}")]
    InvalidUrl {
        /// What was given.
        url: String,
        /// Why it is not usable.
        reason: String,
    },
    /// Nothing answered at the URL (refused, no route, DNS, timeout).
    #[error(
        "nothing answered at {url} ({reason}); is `rez-agent up` running there, or is --api-url / REZ_API_URL right?"
    )]
    Unreachable {
        /// The URL that was called.
        url: String,
        /// The innermost cause, e.g. `Connection refused (os error 111)`.
        reason: String,
    },
    /// 401 without a key.
    #[error("the API at {url} needs an API key (401): pass --api-key or set REZ_API_KEY")]
    MissingKey {
        /// The API's base URL.
        url: String,
    },
    /// 401 with a key.
    #[error("the API at {url} rejected the API key (401): --api-key / REZ_API_KEY is wrong")]
    WrongKey {
        /// The API's base URL.
        url: String,
    },
    /// Any other non-success answer in the API's error shape.
    #[error("the API answered {status} {code}: {message}")]
    Api {
        /// The HTTP status code.
        status: u16,
        /// The API's error code, e.g. `not_found`.
        code: String,
        /// The API's message.
        message: String,
    },
    /// An answer that is not what the API sends (a proxy's page, a different service).
    #[error("unexpected answer from {url}: {reason}")]
    Unexpected {
        /// The URL that was called.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl ClientError {
    /// The HTTP status, when the API answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::MissingKey { .. } | ClientError::WrongKey { .. } => Some(401),
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The innermost cause of an error, on one line.
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    one_line(&current.to_string(), 200)
}

/// `text` on one line, at most `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max).collect();
    out.push('…');
    out
}
