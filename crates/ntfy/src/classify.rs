//! Turning ntfy's answer into a [`NtfyError`]: status code, ntfy's JSON
//! error code and the `Retry-After` header.
//!
//! ntfy answers errors with `{"code": 42901, "http": 429, "error": "…", "link": "…"}`.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::StatusCode;
use serde::Deserialize;

use crate::error::NtfyError;

/// How long to wait after a 429 that did not say (ntfy.sh's request limit
/// refills one request every 5 seconds).
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// ntfy's code for "limit reached: too many requests" (transient).
pub const CODE_TOO_MANY_REQUESTS: u32 = 42901;
/// ntfy's code for "limit reached: daily bandwidth" (lasts until the day resets).
pub const CODE_DAILY_BANDWIDTH: u32 = 42905;
/// ntfy's code for "limit reached: too many messages" — the daily message
/// quota (lasts until the day resets).
pub const CODE_DAILY_MESSAGES: u32 = 42908;

/// The longest piece of server text kept in an error.
const MAX_ERROR_TEXT: usize = 300;

/// ntfy's error body.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    code: Option<u32>,
    error: Option<String>,
}

/// Classifies a non-2xx answer.
///
/// - 429 with code 42908 or 42905 (daily limits) → [`NtfyError::QuotaExceeded`];
///   any other 429 (42901, no code, or a code we do not know) →
///   [`NtfyError::RateLimited`], waiting `Retry-After` when sent, else
///   [`DEFAULT_RETRY_AFTER`];
/// - 5xx → [`NtfyError::ServerError`];
/// - anything else (other 4xx, 3xx, 1xx) → [`NtfyError::Rejected`].
///
/// `body` is the answer's text, already scrubbed of the token; `now` is
/// when it arrived, for `Retry-After` dates.
pub(crate) fn classify_failure(
    status: StatusCode,
    retry_after: Option<&str>,
    body: &str,
    now: DateTime<Utc>,
) -> NtfyError {
    let parsed: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    let code = parsed.code;
    let error = parsed
        .error
        .map(|text| clip(&text))
        .or_else(|| plain_text(body));

    if status == StatusCode::TOO_MANY_REQUESTS {
        return match code {
            Some(code @ (CODE_DAILY_MESSAGES | CODE_DAILY_BANDWIDTH)) => {
                NtfyError::QuotaExceeded { code, error }
            }
            _ => NtfyError::RateLimited {
                retry_after: retry_after
                    .and_then(|value| parse_retry_after(value, now))
                    .unwrap_or(DEFAULT_RETRY_AFTER),
                code,
                error,
            },
        };
    }
    if status.is_server_error() {
        return NtfyError::ServerError {
            status: status.as_u16(),
            code,
            error,
        };
    }
    NtfyError::Rejected {
        status: Some(status.as_u16()),
        code,
        error: error.unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_lowercase()
        }),
    }
}

/// Reads `Retry-After`: delay-seconds, or an HTTP date (IMF-fixdate, RFC 850
/// or asctime, as RFC 9110 §5.6.7 requires recipients to accept). A date in
/// the past means zero. `None` when the value is neither.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc2822(value) {
        return Some(at.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

/// A non-JSON body as error text: trimmed, clipped, and only if non-empty.
fn plain_text(body: &str) -> Option<String> {
    if body.trim_start().starts_with('{') {
        return None;
    }
    let text = body.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| clip(&text))
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_TEXT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
