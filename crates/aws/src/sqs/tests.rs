//! The request shapes of the SQS adapters, pinned with a replay client.

use std::time::Duration;

use rez_core::ports::RedeliveryScheduler;

use super::*;
use crate::test_support::{replay, requests};

const QUEUE: &str =
    "https://sqs.us-east-1.amazonaws.com/123456789012/rez-agent-dev-notifications-queue";

#[tokio::test]
async fn a_redelivery_changes_the_records_visibility_to_the_wait_in_whole_seconds() {
    let (config, http) = replay("http://127.0.0.1:5000", &[(200, "{}"), (200, "{}")]);
    let redelivery = SqsRedelivery::new(aws_sdk_sqs::Client::new(&config), QUEUE);
    redelivery
        .redeliver_after("handle-1", Duration::from_millis(30_900))
        .await
        .unwrap();
    redelivery
        .redeliver_after("handle-2", Duration::from_secs(24 * 3600))
        .await
        .unwrap();
    let sent = requests(&http);
    assert_eq!(sent[0].target, "AmazonSQS.ChangeMessageVisibility");
    assert_eq!(
        sent[0].json(),
        serde_json::json!({"QueueUrl": QUEUE, "ReceiptHandle": "handle-1", "VisibilityTimeout": 30})
    );
    assert_eq!(
        sent[1].json()["VisibilityTimeout"],
        visibility::MAX_VISIBILITY_SECONDS,
        "SQS takes at most 12 hours"
    );
}

#[tokio::test]
async fn a_refused_redelivery_is_an_error_naming_the_queue() {
    let (config, _http) = replay(
        "http://127.0.0.1:5000",
        &[(
            400,
            r#"{"__type": "com.amazonaws.sqs#ReceiptHandleIsInvalid", "message": "The receipt handle has expired."}"#,
        )],
    );
    let error = SqsRedelivery::new(aws_sdk_sqs::Client::new(&config), QUEUE)
        .redeliver_after("stale", Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(error.reason.contains(QUEUE), "{error}");
    assert!(error.reason.contains("ChangeMessageVisibility"), "{error}");
}

#[tokio::test]
async fn the_queues_visibility_timeout_is_read_from_its_attributes() {
    let (config, http) = replay(
        "http://127.0.0.1:5000",
        &[
            (200, r#"{"Attributes": {"VisibilityTimeout": "1800"}}"#),
            (200, r#"{"Attributes": {}}"#),
        ],
    );
    let client = aws_sdk_sqs::Client::new(&config);
    assert_eq!(
        queue_visibility_timeout(&client, QUEUE).await.unwrap(),
        Duration::from_secs(1800)
    );
    let error = queue_visibility_timeout(&client, QUEUE).await.unwrap_err();
    assert!(
        error.to_string().contains("no VisibilityTimeout"),
        "{error}"
    );
    let sent = requests(&http);
    assert_eq!(sent[0].target, "AmazonSQS.GetQueueAttributes");
    assert_eq!(
        sent[0].json(),
        serde_json::json!({"QueueUrl": QUEUE, "AttributeNames": ["VisibilityTimeout"]})
    );
}
