//! A schedule's id.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A schedule's id: a lowercase hyphenated UUIDv7, its time part the
/// schedule's creation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ScheduleId(String);

impl ScheduleId {
    /// A new id whose time part is `at`.
    pub fn generate(at: DateTime<Utc>) -> Self {
        Self(crate::MessageId::generate(at).into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ScheduleId {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let uuid = uuid::Uuid::try_parse(text)
            .map_err(|_| ValidationError::new("id", "must be a UUID such as 0192f0c4-…"))?;
        Ok(Self(uuid.hyphenated().to_string()))
    }
}

impl TryFrom<String> for ScheduleId {
    type Error = ValidationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<ScheduleId> for String {
    fn from(id: ScheduleId) -> Self {
        id.0
    }
}

impl fmt::Display for ScheduleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
