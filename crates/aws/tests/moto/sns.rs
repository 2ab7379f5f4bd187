//! The SNS publisher: an SNS → SQS (raw delivery) round trip.

use aws_sdk_sqs::types::QueueAttributeName;
use rez_aws::SnsPublisher;
use rez_core::ports::{MessageEvent, Publisher};
use rez_core::{MessageType, Stage};

use crate::helpers::{TestResult, message_at, sdk_config, unique};

#[tokio::test]
async fn a_published_event_arrives_in_sqs_as_the_raw_event_json_with_attributes() -> TestResult {
    let config = sdk_config();
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue_url = sqs
        .create_queue()
        .queue_name(unique("rez-queue"))
        .send()
        .await?
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    let topic_arn = sns
        .create_topic()
        .name(unique("rez-topic"))
        .send()
        .await?
        .topic_arn
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await?;

    let m = message_at(0, Stage::Prod, MessageType::Scheduled);
    let event = MessageEvent {
        message_id: m.id.clone(),
        stage: m.stage,
        message_type: m.message_type,
    };
    SnsPublisher::new(sns, &topic_arn).publish(&event).await?;

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .message_attribute_names("All")
        .wait_time_seconds(2)
        .send()
        .await?;
    let messages = received.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let body: MessageEvent = serde_json::from_str(messages[0].body().unwrap())?;
    assert_eq!(body, event);
    let attributes = messages[0].message_attributes().unwrap();
    for (name, value) in [("message_type", "scheduled"), ("stage", "prod")] {
        assert_eq!(attributes[name].data_type(), "String");
        assert_eq!(attributes[name].string_value(), Some(value), "{name}");
    }
    Ok(())
}

#[tokio::test]
async fn publishing_to_a_missing_topic_fails_naming_the_message() -> TestResult {
    let sns = aws_sdk_sns::Client::new(&sdk_config());
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    let event = MessageEvent {
        message_id: m.id.clone(),
        stage: m.stage,
        message_type: m.message_type,
    };
    let topic = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
    let err = SnsPublisher::new(sns, topic)
        .publish(&event)
        .await
        .unwrap_err();
    assert_eq!(err.message_id, m.id);
    assert!(err.reason.contains("no-such-topic"), "{err}");
    Ok(())
}
