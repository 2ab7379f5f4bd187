//! Shared helpers.

use chrono::{DateTime, Utc};

/// What every test returns, so it can use `?`.
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Parses an RFC 3339 instant such as `2026-03-01T12:00:00Z`.
pub(crate) fn utc(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    text.parse()
}

/// Parses an optional RFC 3339 instant; `None` stays `None`.
pub(crate) fn maybe_utc(text: Option<&str>) -> Result<Option<DateTime<Utc>>, chrono::ParseError> {
    text.map(utc).transpose()
}
