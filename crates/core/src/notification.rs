//! The notification a message carries to ntfy, its priority and ntfy's limits.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// ntfy.sh's message size limit, in bytes (larger bodies become attachments).
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// Longest title we accept, in bytes.
pub const MAX_TITLE_BYTES: usize = 256;
/// Most tags we accept on one notification.
pub const MAX_TAGS: usize = 10;
/// Longest single tag, in bytes.
pub const MAX_TAG_BYTES: usize = 64;
/// Longest click or icon URL, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// What ntfy shows: title, text, priority, tags and links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The notification's title, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The body text (required, at most [`MAX_MESSAGE_BYTES`]).
    pub message: String,
    /// ntfy priority; ntfy's default (3) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Tags; ntfy turns known ones into emojis.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// URL opened when the notification is tapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click: Option<String>,
    /// Whether the body is Markdown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub markdown: bool,
    /// URL of an icon shown beside the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

impl Notification {
    /// A plain notification with only a body.
    pub fn text(message: impl Into<String>) -> Self {
        Self {
            title: None,
            message: message.into(),
            priority: None,
            tags: Vec::new(),
            click: None,
            markdown: false,
            icon: None,
        }
    }

    /// Checks every field against ntfy's limits and ours.
    ///
    /// # Errors
    /// The first field that breaks a rule.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.message.trim().is_empty() {
            return Err(ValidationError::new("message", "must not be empty"));
        }
        max_bytes("message", &self.message, MAX_MESSAGE_BYTES)?;
        if let Some(title) = &self.title {
            max_bytes("title", title, MAX_TITLE_BYTES)?;
        }
        if self.tags.len() > MAX_TAGS {
            return Err(ValidationError::new(
                "tags",
                format!(
                    "at most {MAX_TAGS} tags are allowed, got {}",
                    self.tags.len()
                ),
            ));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            let field = format!("tags[{i}]");
            if tag.trim().is_empty() {
                return Err(ValidationError::new(field, "must not be empty"));
            }
            if tag.contains(',') {
                return Err(ValidationError::new(field, "must not contain a comma"));
            }
            max_bytes(&field, tag, MAX_TAG_BYTES)?;
        }
        if let Some(click) = &self.click {
            http_url("click", click)?;
        }
        if let Some(icon) = &self.icon {
            http_url("icon", icon)?;
        }
        Ok(())
    }
}

fn max_bytes(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.len() > max {
        return Err(ValidationError::new(
            field,
            format!("is {} bytes, at most {max} are allowed", value.len()),
        ));
    }
    Ok(())
}

fn http_url(field: &str, value: &str) -> Result<(), ValidationError> {
    max_bytes(field, value, MAX_URL_BYTES)?;
    let url = url::Url::parse(value)
        .map_err(|e| ValidationError::new(field, format!("is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ValidationError::new(field, "must be an http or https URL"));
    }
    Ok(())
}

/// ntfy's message priority, 1 (min) to 5 (urgent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// 1: no sound or vibration, hidden under other notifications.
    Min = 1,
    /// 2: no sound or vibration.
    Low = 2,
    /// 3: the default.
    Default = 3,
    /// 4: long vibration burst, pop-over.
    High = 4,
    /// 5: really long vibration bursts, pop-over.
    Urgent = 5,
}

impl Priority {
    /// The number ntfy expects (1–5).
    pub fn as_number(self) -> u8 {
        self as u8
    }

    /// The priority for a number 1–5.
    ///
    /// # Errors
    /// Any other number.
    pub fn from_number(n: i64) -> Result<Self, ValidationError> {
        match n {
            1 => Ok(Priority::Min),
            2 => Ok(Priority::Low),
            3 => Ok(Priority::Default),
            4 => Ok(Priority::High),
            5 => Ok(Priority::Urgent),
            other => Err(unknown_priority(&other.to_string())),
        }
    }
}

fn unknown_priority(text: &str) -> ValidationError {
    ValidationError::new(
        "priority",
        format!("unknown priority '{text}': expected 1-5 or min, low, default, high, urgent"),
    )
}

impl FromStr for Priority {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "min" => Ok(Priority::Min),
            "low" => Ok(Priority::Low),
            "default" => Ok(Priority::Default),
            "high" => Ok(Priority::High),
            "urgent" | "max" => Ok(Priority::Urgent),
            number => number
                .parse::<i64>()
                .map_err(|_| unknown_priority(text))
                .and_then(Priority::from_number),
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_number())
    }
}

impl Serialize for Priority {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.as_number())
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let parsed = match &value {
            serde_json::Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| unknown_priority(&n.to_string()))
                .and_then(Priority::from_number),
            serde_json::Value::String(s) => s.parse(),
            other => Err(unknown_priority(&other.to_string())),
        };
        parsed.map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_accepts_numbers_and_names_and_rejects_the_rest() {
        for (input, want) in [
            ("1", Some(Priority::Min)),
            ("urgent", Some(Priority::Urgent)),
            ("HIGH", Some(Priority::High)),
            ("0", None),
            ("6", None),
            ("loud", None),
        ] {
            assert_eq!(input.parse::<Priority>().ok(), want, "{input}");
        }
        let p: Priority = serde_json::from_str("4").unwrap();
        assert_eq!(p, Priority::High);
        assert!(serde_json::from_str::<Priority>("9").is_err());
        assert_eq!(serde_json::to_string(&Priority::Low).unwrap(), "2");
    }

    #[test]
    fn validation_names_the_field_that_breaks_a_limit() {
        let cases: Vec<(Notification, &str)> = vec![
            (Notification::text(" "), "message"),
            (
                Notification::text("x".repeat(MAX_MESSAGE_BYTES + 1)),
                "message",
            ),
            (
                Notification {
                    title: Some("t".repeat(257)),
                    ..Notification::text("hi")
                },
                "title",
            ),
            (
                Notification {
                    tags: vec!["a".into(); 11],
                    ..Notification::text("hi")
                },
                "tags",
            ),
            (
                Notification {
                    tags: vec!["a,b".into()],
                    ..Notification::text("hi")
                },
                "tags[0]",
            ),
            (
                Notification {
                    click: Some("javascript:alert(1)".into()),
                    ..Notification::text("hi")
                },
                "click",
            ),
            (
                Notification {
                    icon: Some("not a url".into()),
                    ..Notification::text("hi")
                },
                "icon",
            ),
        ];
        for (n, field) in cases {
            assert_eq!(n.validate().unwrap_err().field, field);
        }
        let ok = Notification {
            title: Some("🚀 Déploiement".into()),
            tags: vec!["café".into()],
            click: Some("https://example.com".into()),
            ..Notification::text("x".repeat(MAX_MESSAGE_BYTES))
        };
        assert!(ok.validate().is_ok());
    }
}
