//! Timestamps in one fixed, lexicographically sortable format.
//!
//! Stores sort by `created_date` as a string (DynamoDB sort keys, SQLite
//! indexes), so every timestamp is written with exactly six fractional
//! digits and a `Z`: `2026-11-30T12:00:00.000000Z`.

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats `at` in the sortable form, e.g. `2026-11-30T12:00:00.000000Z`.
pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses any RFC 3339 timestamp into UTC.
///
/// # Errors
/// Returns the parser's error when `text` is not RFC 3339.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

/// Serde adapter writing a `DateTime<Utc>` in the sortable form.
pub mod serde_sortable {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes in the sortable form.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*at))
    }

    /// Deserializes any RFC 3339 timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        super::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde adapter for an optional `DateTime<Utc>` in the sortable form.
pub mod serde_sortable_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes in the sortable form, or null.
    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&super::format(*at)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes an RFC 3339 timestamp or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| super::parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn format_has_fixed_width_so_strings_sort_like_times() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(format(a), "2026-01-02T03:04:05.000000Z");
        assert!(format(a) < format(b));
        assert_eq!(parse(&format(b)).unwrap(), b);
    }
}
