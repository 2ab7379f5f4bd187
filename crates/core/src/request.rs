//! The request that creates a message, as the API and the CLI send it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Message, MessageType, Notification, Priority, Stage, ValidationError};

/// Longest `created_by` label, in bytes.
pub const MAX_CREATED_BY_BYTES: usize = 128;
/// Largest `arguments` object, in bytes of JSON.
pub const MAX_ARGUMENTS_BYTES: usize = 8192;

/// The body of `POST /api/messages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMessageRequest {
    /// The body text (required).
    #[serde(default)]
    pub message: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// 1–5 or min/low/default/high/urgent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// URL opened on tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click: Option<String>,
    /// Whether the body is Markdown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub markdown: bool,
    /// Icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Stage; the service's own stage when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Message type; `notification` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<MessageType>,
    /// Who is sending; `api` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Free-form key/values kept with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<serde_json::Map<String, serde_json::Value>>,
}

impl CreateMessageRequest {
    /// Validates the request and turns it into a new message created at `now`.
    ///
    /// # Errors
    /// The first field that breaks a rule.
    pub fn into_message(
        self,
        now: DateTime<Utc>,
        default_stage: Stage,
    ) -> Result<Message, ValidationError> {
        let message = self
            .message
            .ok_or_else(|| ValidationError::new("message", "is required"))?;
        let payload = Notification {
            title: self.title,
            message,
            priority: self.priority,
            tags: self.tags,
            click: self.click,
            markdown: self.markdown,
            icon: self.icon,
        };
        payload.validate()?;
        let created_by = self.created_by.unwrap_or_else(|| "api".to_owned());
        if created_by.trim().is_empty() || created_by.len() > MAX_CREATED_BY_BYTES {
            return Err(ValidationError::new(
                "created_by",
                format!("must be 1 to {MAX_CREATED_BY_BYTES} bytes"),
            ));
        }
        let mut msg = Message::new(
            now,
            created_by,
            self.stage.unwrap_or(default_stage),
            self.message_type.unwrap_or(MessageType::Notification),
            payload,
        );
        if let Some(arguments) = self.arguments {
            let size = serde_json::to_string(&arguments).map_or(usize::MAX, |s| s.len());
            if size > MAX_ARGUMENTS_BYTES {
                return Err(ValidationError::new(
                    "arguments",
                    format!("is {size} bytes of JSON, at most {MAX_ARGUMENTS_BYTES} are allowed"),
                ));
            }
            msg.arguments = arguments;
        }
        Ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn a_valid_request_becomes_a_created_message_with_defaults() {
        let req: CreateMessageRequest =
            serde_json::from_str(r#"{"message":"hi","title":"T","priority":"high","tags":["a"]}"#)
                .unwrap();
        let now = Utc::now();
        let msg = req.into_message(now, Stage::Dev).unwrap();
        assert_eq!(msg.status, Status::Created);
        assert_eq!(msg.stage, Stage::Dev);
        assert_eq!(msg.message_type, MessageType::Notification);
        assert_eq!(msg.created_by, "api");
        assert_eq!(msg.payload.priority, Some(Priority::High));
        assert_eq!(msg.ttl, now.timestamp() + 90 * 86400);
    }

    #[test]
    fn missing_message_and_unknown_fields_are_rejected() {
        let req: CreateMessageRequest = serde_json::from_str(r#"{"title":"T"}"#).unwrap();
        assert_eq!(
            req.into_message(Utc::now(), Stage::Dev).unwrap_err().field,
            "message"
        );
        assert!(
            serde_json::from_str::<CreateMessageRequest>(r#"{"message":"x","titel":"T"}"#).is_err()
        );
        assert!(
            serde_json::from_str::<CreateMessageRequest>(r#"{"message":"x","stage":"qa"}"#)
                .is_err()
        );
    }
}
