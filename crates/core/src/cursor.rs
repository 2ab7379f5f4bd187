//! The opaque list cursor: where the next page starts, bound to its query.
//!
//! A cursor encodes the last item's sort key (`created_date`, `id`) and a
//! fingerprint of the filters it was issued for, as URL-safe base64 JSON.
//! A cursor that does not decode, or that was issued for other filters, is
//! rejected, so a hand-made or spliced cursor gets a 400, not a wrong page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// `created_date` of the last item returned, in the sortable format.
    #[serde(rename = "c")]
    pub created_date: String,
    /// `id` of the last item returned.
    #[serde(rename = "i")]
    pub id: String,
    /// Fingerprint of the query's filters.
    #[serde(rename = "f")]
    pub filters: String,
}

impl Cursor {
    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a client's cursor and checks it belongs to a query with `filters`.
    ///
    /// # Errors
    /// A cursor that is not one we issued for these filters.
    pub fn decode(text: &str, filters: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                "cursor",
                "is not a cursor this service issued for this query",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.filters != filters || crate::time::parse(&cursor.created_date).is_err() {
            return Err(invalid());
        }
        cursor
            .id
            .parse::<crate::MessageId>()
            .map_err(|_| invalid())?;
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cursor {
        Cursor {
            created_date: "2026-11-30T12:00:00.000000Z".into(),
            id: "01936f3c-0000-7000-8000-000000000000".into(),
            filters: "status=queued".into(),
        }
    }

    #[test]
    fn a_cursor_round_trips_for_its_own_filters_only() {
        let text = sample().encode();
        assert_eq!(Cursor::decode(&text, "status=queued").unwrap(), sample());
        assert!(Cursor::decode(&text, "status=failed").is_err());
    }

    #[test]
    fn garbage_and_tampered_cursors_are_rejected() {
        for text in [
            "",
            "!!!",
            "eyJ9",
            &URL_SAFE_NO_PAD.encode(r#"{"c":"x","i":"y","f":""}"#),
        ] {
            assert!(Cursor::decode(text, "").is_err(), "{text}");
        }
    }
}
