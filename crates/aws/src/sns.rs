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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{replay, requests};
    use rez_core::{MessageId, MessageType, Stage};

    const OK: &str = r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
        <PublishResult><MessageId>m-1</MessageId></PublishResult>
        <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>"#;

    #[tokio::test]
    async fn the_body_is_the_event_json_and_type_and_stage_are_string_attributes() {
        let (config, http) = replay("http://127.0.0.1:5000", &[(200, OK)]);
        let event = MessageEvent {
            message_id: MessageId::generate(chrono::Utc::now()),
            stage: Stage::Prod,
            message_type: MessageType::Scheduled,
        };
        let topic = "arn:aws:sns:us-east-1:123456789012:rez-agent-messages-prod";
        SnsPublisher::new(aws_sdk_sns::Client::new(&config), topic)
            .publish(&event)
            .await
            .unwrap();
        let sent = requests(&http);
        let form: std::collections::HashMap<String, String> = sent[0]
            .body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), decode(v)))
            .collect();
        assert_eq!(form["Action"], "Publish");
        assert_eq!(form["TopicArn"], topic);
        let body: MessageEvent = serde_json::from_str(&form["Message"]).unwrap();
        assert_eq!(body, event);
        let mut attributes: Vec<(String, String, String)> = (1..=2)
            .map(|i| {
                let at = |f: &str| form[&format!("MessageAttributes.entry.{i}.{f}")].clone();
                (at("Name"), at("Value.DataType"), at("Value.StringValue"))
            })
            .collect();
        attributes.sort();
        assert_eq!(
            attributes,
            [
                ("message_type".into(), "String".into(), "scheduled".into()),
                ("stage".into(), "String".into(), "prod".into()),
            ]
        );
    }

    /// Percent-decoding of a form value (enough for these tests).
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' => {
                    out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                    i += 3;
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).unwrap()
    }
}
