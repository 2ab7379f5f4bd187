//! The SQS adapters against moto: a failed record's redelivery wait, and
//! the dead-letter queue listed, counted and redriven.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use rez_aws::{SqsDeadLetterQueue, SqsRedelivery, queue_visibility_timeout};
use rez_core::ports::{DeadLetterQueue, RedeliveryScheduler};

use crate::helpers::{TestResult, sdk_config, unique};

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> Result<String, Box<dyn std::error::Error>> {
    let mut request = sqs.create_queue().queue_name(name);
    for (k, v) in attributes {
        request = request.attributes(k.clone(), v);
    }
    Ok(request.send().await?.queue_url.unwrap_or_default())
}

#[tokio::test]
async fn a_redelivered_record_comes_back_after_the_wait_not_the_queues_timeout() -> TestResult {
    let sqs = aws_sdk_sqs::Client::new(&sdk_config());
    let url = create_queue(
        &sqs,
        &unique("rez-queue"),
        &[(QueueAttributeName::VisibilityTimeout, "1800".into())],
    )
    .await?;
    assert_eq!(
        queue_visibility_timeout(&sqs, &url).await?,
        Duration::from_secs(1800)
    );
    sqs.send_message()
        .queue_url(&url)
        .message_body("{}")
        .send()
        .await?;
    let first = sqs.receive_message().queue_url(&url).send().await?;
    let handle = first.messages()[0].receipt_handle().unwrap_or_default();

    let started = Instant::now();
    SqsRedelivery::new(sqs.clone(), &url)
        .redeliver_after(handle, Duration::from_secs(1))
        .await?;
    let again = loop {
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .wait_time_seconds(1)
            .send()
            .await?;
        if let Some(m) = out.messages().first() {
            break m.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not back within 10 s"
        );
    };
    assert!(started.elapsed() >= Duration::from_millis(900));
    let count = &again.attributes().unwrap()[&MessageSystemAttributeName::ApproximateReceiveCount];
    assert_eq!(count, "2");
    Ok(())
}

#[tokio::test]
async fn a_stale_receipt_handle_is_an_error() -> TestResult {
    let sqs = aws_sdk_sqs::Client::new(&sdk_config());
    let url = create_queue(&sqs, &unique("rez-queue"), &[]).await?;
    let result = SqsRedelivery::new(sqs, &url)
        .redeliver_after("not-a-handle", Duration::from_secs(30))
        .await;
    assert!(result.is_err(), "{result:?}");
    Ok(())
}

/// A queue whose records die after one receive, and its dead-letter queue.
struct Queues {
    sqs: aws_sdk_sqs::Client,
    url: String,
    dlq_url: String,
}

impl Queues {
    async fn new() -> Result<Self, Box<dyn std::error::Error>> {
        let sqs = aws_sdk_sqs::Client::new(&sdk_config());
        let dlq_url = create_queue(&sqs, &unique("rez-dlq"), &[]).await?;
        let dlq_arn = sqs
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .unwrap_or_default()[&QueueAttributeName::QueueArn]
            .clone();
        let policy = serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1});
        let url = create_queue(
            &sqs,
            &unique("rez-queue"),
            &[(QueueAttributeName::RedrivePolicy, policy.to_string())],
        )
        .await?;
        Ok(Self { sqs, url, dlq_url })
    }

    fn port(&self) -> SqsDeadLetterQueue {
        SqsDeadLetterQueue::new(self.sqs.clone(), &self.url, &self.dlq_url)
    }

    /// Sends `body` and receives it until the queue moves it to the DLQ.
    async fn kill(&self, body: &str) -> TestResult {
        self.sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await?;
        for _ in 0..5 {
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.url)
                .visibility_timeout(0)
                .send()
                .await?;
            if out.messages().is_empty() {
                return Ok(());
            }
        }
        Err("the record did not move to the dead-letter queue".into())
    }

    async fn bodies(&self) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(10)
            .send()
            .await?;
        Ok(out
            .messages()
            .iter()
            .filter_map(|m| m.body().map(str::to_owned))
            .collect())
    }
}

fn event(message_id: &str) -> String {
    serde_json::json!({"message_id": message_id, "stage": "dev", "message_type": "api"}).to_string()
}

#[tokio::test]
async fn dead_letters_are_listed_oldest_first_with_their_message_ids_and_the_depth() -> TestResult {
    let queues = Queues::new().await?;
    queues.kill(&event("m-1")).await?;
    let wrapped = serde_json::json!({
        "Type": "Notification", "MessageId": "sns-1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": event("m-2"),
    });
    queues.kill(&wrapped.to_string()).await?;
    queues.kill("not an event").await?;

    let list = queues.port().list().await?;
    let ids: Vec<Option<&str>> = list.items.iter().map(|e| e.message_id.as_deref()).collect();
    assert_eq!(ids, [Some("m-1"), Some("m-2"), None], "{list:#?}");
    assert!(list.items.iter().all(|e| e.receive_count >= 1), "{list:#?}");
    assert!(list.items.windows(2).all(|w| w[0].sent_at <= w[1].sent_at));
    assert_eq!(list.depth.dead, 3);
    assert_eq!((list.depth.visible, list.depth.in_flight), (0, 0));
    // Listing peeks: everything is still there to list again.
    assert_eq!(queues.port().list().await?.items.len(), 3);
    Ok(())
}

#[tokio::test]
async fn a_listing_sees_every_dead_letter_past_one_receive_and_leaves_them_all_visible()
-> TestResult {
    let queues = Queues::new().await?;
    let sent: Vec<String> = (0..25).map(|i| format!("m-{i:02}")).collect();
    for id in &sent {
        queues.kill(&event(id)).await?;
    }
    for _ in 0..2 {
        let list = queues.port().list().await?;
        let mut ids: Vec<String> = list
            .items
            .iter()
            .filter_map(|e| e.message_id.clone())
            .collect();
        ids.sort();
        assert_eq!(ids, sent);
        assert_eq!(list.depth.dead, 25);
    }
    Ok(())
}

#[tokio::test]
async fn a_named_dead_letter_is_redriven_with_its_body_and_the_rest_stay() -> TestResult {
    let queues = Queues::new().await?;
    for id in ["m-1", "m-2", "m-3"] {
        queues.kill(&event(id)).await?;
    }
    let port = queues.port();
    let listed = port.list().await?;
    let second = listed.items[1].clone();

    let moved = port
        .redrive(Some(vec![second.id.clone(), "no-such-id".into()]))
        .await?;
    assert_eq!(moved, 1);
    assert_eq!(queues.bodies().await?, [second.body]);
    // The others were released at once, not left hidden for the sweep.
    let left = port.list().await?;
    let left_ids: Vec<Option<&str>> = left.items.iter().map(|e| e.message_id.as_deref()).collect();
    assert_eq!(left_ids, [Some("m-1"), Some("m-3")]);

    assert_eq!(port.redrive(None).await?, 2);
    assert!(port.list().await?.items.is_empty());
    let mut bodies = queues.bodies().await?;
    bodies.sort();
    assert_eq!(bodies, [event("m-1"), event("m-3")]);
    Ok(())
}
