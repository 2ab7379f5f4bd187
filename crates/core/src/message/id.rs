//! Message ids: UUIDv7, so ids sort by creation time and never collide.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A message's id: a lowercase hyphenated UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

impl MessageId {
    /// A new id whose time part is `at`.
    pub fn generate(at: DateTime<Utc>) -> Self {
        let seconds = u64::try_from(at.timestamp()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, seconds, at.timestamp_subsec_nanos());
        Self(uuid::Uuid::new_v7(ts).hyphenated().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MessageId {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let uuid = uuid::Uuid::try_parse(text)
            .map_err(|_| ValidationError::new("id", "must be a UUID such as 0192f0c4-…"))?;
        Ok(Self(uuid.hyphenated().to_string()))
    }
}

impl TryFrom<String> for MessageId {
    type Error = ValidationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<MessageId> for String {
    fn from(id: MessageId) -> Self {
        id.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_generated_later_sort_later_and_round_trip() {
        let t = Utc::now();
        let a = MessageId::generate(t);
        let b = MessageId::generate(t + chrono::Duration::milliseconds(2));
        assert!(a < b);
        assert_eq!(a.as_str().parse::<MessageId>().unwrap(), a);
    }

    #[test]
    fn a_non_uuid_is_rejected() {
        assert!("not-an-id".parse::<MessageId>().is_err());
    }
}
