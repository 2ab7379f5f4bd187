//! The SQS event source mapping, as Lambda's poller runs it: long-poll the
//! queue, invoke the function with batches of up to the declared size,
//! delete what succeeded (with `ReportBatchItemFailures`, every record but
//! the reported ones), and leave the rest to the visibility timeout and, after
//! `maxReceiveCount` receives, to the dead-letter queue.
//!
//! Records carry moto's own `receiptHandle` and attributes
//! (`ApproximateReceiveCount`, `SentTimestamp`, …), and the poller never
//! changes a failed record's visibility itself: the processor's
//! `ChangeMessageVisibility` decides when it comes back, as on AWS.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::declared::{Declared, DeclaredEventSourceMapping};
use crate::faults::Faults;
use crate::lambda::{Invoked, LambdaService};

/// Concurrent pollers per mapping (Lambda starts with five; two keep one
/// slow batch from holding up the next on this machine).
const POLLERS: usize = 2;
/// The long-poll wait of each ReceiveMessage: short, so shutdown is prompt.
const WAIT_SECONDS: i32 = 1;

/// What a poller needs.
#[derive(Clone)]
pub struct Poller {
    /// The queue's client (moto).
    pub sqs: aws_sdk_sqs::Client,
    /// The functions.
    pub lambda: LambdaService,
    /// Duplicate deliveries waiting to happen.
    pub faults: Arc<Faults>,
    /// The region records name.
    pub region: String,
}

/// Starts the pollers of every enabled mapping on `tasks`, until `stop`.
///
/// # Errors
/// A mapping whose queue is not declared or cannot be found in moto.
pub async fn start(
    poller: &Poller,
    declared: &Declared,
    tasks: &TaskTracker,
    stop: &CancellationToken,
) -> Result<(), crate::AwsLocalError> {
    for mapping in declared.event_source_mappings.iter().filter(|m| m.enabled) {
        let queue = declared.queue(&mapping.event_source_arn).ok_or_else(|| {
            crate::AwsLocalError::Unsupported(format!(
                "the event source {} is not a declared queue",
                mapping.event_source_arn
            ))
        })?;
        let url = poller
            .sqs
            .get_queue_url()
            .queue_name(&queue.name)
            .send()
            .await
            .map_err(|e| {
                crate::AwsLocalError::provision(format!("queue {}", queue.name))(
                    &aws_sdk_sqs::error::DisplayErrorContext(&e),
                )
            })?
            .queue_url
            .unwrap_or_default();
        for _ in 0..POLLERS {
            let poller = poller.clone();
            let mapping = mapping.clone();
            let url = url.clone();
            let stop = stop.clone();
            tasks.spawn(async move { poller.run(&mapping, &url, stop).await });
        }
    }
    Ok(())
}

impl Poller {
    async fn run(&self, mapping: &DeclaredEventSourceMapping, url: &str, stop: CancellationToken) {
        let batch = i32::try_from(mapping.batch_size.clamp(1, 10)).unwrap_or(10);
        while !stop.is_cancelled() {
            let received = tokio::select! {
                () = stop.cancelled() => return,
                r = self.sqs.receive_message()
                    .queue_url(url)
                    .max_number_of_messages(batch)
                    .wait_time_seconds(WAIT_SECONDS)
                    .message_system_attribute_names(MessageSystemAttributeName::All)
                    .message_attribute_names("All")
                    .send() => r,
            };
            let messages = match received {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "ReceiveMessage failed");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if messages.is_empty() {
                continue;
            }
            let event = sqs_event(&messages, &mapping.event_source_arn, &self.region);
            let payload = axum::body::Bytes::from(event.to_string());
            if self.faults.take_duplicate_delivery() {
                // At-least-once delivery: the same records reach a second
                // invocation at once, and its result is not acted on.
                let lambda = self.lambda.clone();
                let function = mapping.function_arn.clone();
                let duplicate = payload.clone();
                tokio::spawn(async move { lambda.invoke(&function, None, duplicate).await });
            }
            let invoked = self
                .lambda
                .invoke(&mapping.function_arn, None, payload)
                .await;
            let succeeded = succeeded_records(&messages, mapping, invoked.as_ref().ok());
            self.delete(url, &messages, &succeeded).await;
        }
    }

    async fn delete(&self, url: &str, messages: &[Message], succeeded: &HashSet<String>) {
        let entries: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| {
                m.message_id
                    .as_ref()
                    .is_some_and(|id| succeeded.contains(id))
            })
            .filter_map(|m| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(m.message_id.clone().unwrap_or_default())
                    .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                    .build()
                    .ok()
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        if let Err(e) = self
            .sqs
            .delete_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "DeleteMessageBatch failed");
        }
    }
}

/// The records to delete after an invocation: none when it failed; with
/// `ReportBatchItemFailures`, all but the reported ones (a report Lambda
/// cannot read fails the whole batch); else all.
pub fn succeeded_records(
    messages: &[Message],
    mapping: &DeclaredEventSourceMapping,
    invoked: Option<&Invoked>,
) -> HashSet<String> {
    let ids = || messages.iter().filter_map(|m| m.message_id.clone());
    let Some(Invoked::Response { payload, .. }) = invoked else {
        return HashSet::new();
    };
    let reports = mapping
        .function_response_types
        .iter()
        .any(|t| t == "ReportBatchItemFailures");
    if !reports {
        return ids().collect();
    }
    let Some(failures) = payload.get("batchItemFailures") else {
        return ids().collect();
    };
    let Some(failures) = failures.as_array() else {
        return if failures.is_null() {
            ids().collect()
        } else {
            HashSet::new()
        };
    };
    let mut failed = HashSet::new();
    for failure in failures {
        match failure.get("itemIdentifier").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && ids().any(|m| m == id) => {
                failed.insert(id.to_owned());
            }
            _ => return HashSet::new(),
        }
    }
    ids().filter(|id| !failed.contains(id)).collect()
}

/// The `SQSEvent` Lambda's poller sends.
fn sqs_event(messages: &[Message], queue_arn: &str, region: &str) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_owned(), Value::String(v.clone())))
                .collect();
            let message_attributes: serde_json::Map<String, Value> = m
                .message_attributes
                .iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!({
                            "stringValue": v.string_value,
                            "dataType": v.data_type,
                            "stringListValues": [],
                            "binaryListValues": [],
                        }),
                    )
                })
                .collect();
            json!({
                "messageId": m.message_id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "attributes": attributes,
                "messageAttributes": message_attributes,
                "md5OfBody": m.md5_of_body,
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            })
        })
        .collect();
    json!({ "Records": records })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(types: &[&str]) -> DeclaredEventSourceMapping {
        DeclaredEventSourceMapping {
            event_source_arn: "arn:q".into(),
            function_arn: "arn:f".into(),
            batch_size: 10,
            function_response_types: types.iter().map(|t| (*t).to_owned()).collect(),
            maximum_batching_window_in_seconds: None,
            enabled: true,
        }
    }

    fn messages(ids: &[&str]) -> Vec<Message> {
        ids.iter()
            .map(|id| Message::builder().message_id(*id).build())
            .collect()
    }

    fn response(payload: Value) -> Invoked {
        Invoked::Response {
            payload,
            version: "1".into(),
        }
    }

    #[test]
    fn records_carry_the_receipt_handle_and_the_receive_count_the_queue_gave() {
        let message = Message::builder()
            .message_id("a")
            .receipt_handle("handle-a")
            .body("{}")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "2")
            .attributes(MessageSystemAttributeName::SentTimestamp, "1764504000000")
            .build();
        let event = sqs_event(&[message], "arn:q", "us-east-1");
        let record = &event["Records"][0];
        assert_eq!(record["receiptHandle"], "handle-a");
        assert_eq!(record["attributes"]["ApproximateReceiveCount"], "2");
        assert_eq!(record["attributes"]["SentTimestamp"], "1764504000000");
        assert_eq!(record["eventSourceARN"], "arn:q");
    }

    #[test]
    fn only_the_records_a_batch_response_does_not_report_are_deleted() {
        let m = messages(&["a", "b", "c"]);
        let reports = mapping(&["ReportBatchItemFailures"]);
        let kept = succeeded_records(
            &m,
            &reports,
            Some(&response(
                json!({"batchItemFailures": [{"itemIdentifier": "b"}]}),
            )),
        );
        assert_eq!(kept, HashSet::from(["a".to_owned(), "c".to_owned()]));
        let all = succeeded_records(
            &m,
            &reports,
            Some(&response(json!({"batchItemFailures": []}))),
        );
        assert_eq!(all.len(), 3);
        let unknown = succeeded_records(
            &m,
            &reports,
            Some(&response(
                json!({"batchItemFailures": [{"itemIdentifier": "zzz"}]}),
            )),
        );
        assert!(
            unknown.is_empty(),
            "an id that is not in the batch fails it whole"
        );
        let error = Invoked::FunctionError {
            payload: json!({"errorType": "Runtime.ExitError"}),
            version: "1".into(),
        };
        assert!(succeeded_records(&m, &reports, Some(&error)).is_empty());
        assert!(succeeded_records(&m, &reports, None).is_empty());
        let plain = succeeded_records(
            &m,
            &mapping(&[]),
            Some(&response(
                json!({"batchItemFailures": [{"itemIdentifier": "b"}]}),
            )),
        );
        assert_eq!(
            plain.len(),
            3,
            "without ReportBatchItemFailures a response is success"
        );
    }
}
