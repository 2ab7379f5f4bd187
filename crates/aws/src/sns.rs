//! The [`Publisher`] on SNS: one `Publish` per message event.

use aws_sdk_sns::types::MessageAttributeValue;
use rez_core::ports::{MessageEvent, PublishError, Publisher};

use crate::error::describe;

/// The SNS message attribute carrying the message type (subscription filters use it).
pub const MESSAGE_TYPE_ATTRIBUTE: &str = "message_type";
/// The SNS message attribute carrying the stage.
pub const STAGE_ATTRIBUTE: &str = "stage";

/// Publishes [`MessageEvent`]s to an SNS topic.
///
/// The body is the event's JSON, which the processor reads as the raw SQS
/// body (the queue's subscription uses raw message delivery); `message_type`
/// and `stage` also travel as String message attributes.
#[derive(Debug, Clone)]
pub struct SnsPublisher {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsPublisher {
    /// A publisher to `topic_arn`.
    pub fn new(client: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, String> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| e.to_string())
}

#[async_trait::async_trait]
impl Publisher for SnsPublisher {
    async fn publish(&self, event: &MessageEvent) -> Result<(), PublishError> {
        let failed = |reason: String| PublishError {
            message_id: event.message_id.clone(),
            reason,
        };
        let body = serde_json::to_string(event).map_err(|e| failed(e.to_string()))?;
        let output = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .message(body)
            .message_attributes(
                MESSAGE_TYPE_ATTRIBUTE,
                string_attribute(event.message_type.as_str()).map_err(failed)?,
            )
            .message_attributes(
                STAGE_ATTRIBUTE,
                string_attribute(event.stage.as_str()).map_err(failed)?,
            )
            .send()
            .await
            .map_err(|e| {
                failed(format!(
                    "sns publish to {}: {}",
                    self.topic_arn,
                    describe(&e)
                ))
            })?;
        tracing::debug!(
            message_id = %event.message_id,
            sns_message_id = output.message_id().unwrap_or_default(),
            "published message event"
        );
        Ok(())
    }
}
