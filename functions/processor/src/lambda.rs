//! The SQS edge of the processor: an [`SqsEvent`] in, an [`SqsBatchResponse`] out.
//!
//! The queue is subscribed to the SNS topic with raw message delivery, so a
//! record's body is the [`MessageEvent`](rez_core::ports::MessageEvent) JSON
//! itself. A body still wrapped in SNS's notification envelope (raw delivery
//! switched off) is unwrapped rather than dropped as unreadable.
//!
//! A record reported in `batchItemFailures` is first hidden for the wait
//! [`RedeliveryPolicy`](crate::redelivery::RedeliveryPolicy) gives its
//! `ApproximateReceiveCount`, so it comes back in 30 s, 2 min or 10 min
//! instead of after the queue's whole visibility timeout.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::Diagnostic;
use serde::Deserialize;

use crate::redelivery::{Receipt, Redelivery};
use crate::{BatchOutcome, Deps, QueueRecord, handle_batch};

/// The record attribute that says how often SQS has handed the record out.
pub const RECEIVE_COUNT_ATTRIBUTE: &str = "ApproximateReceiveCount";

/// Handles one SQS batch: each record becomes a workflow execution, each
/// record to redeliver is hidden for its wait, and the answer names them.
///
/// # Errors
/// [`RecordWithoutId`] when a record has no message id; nothing is started.
pub async fn handle_event(
    deps: &Deps,
    redelivery: &Redelivery,
    event: &SqsEvent,
) -> Result<SqsBatchResponse, RecordWithoutId> {
    let records = queue_records(event)?;
    let outcome = handle_batch(deps, &records).await;
    redelivery
        .schedule(&receipts(event, &outcome.failed_ids))
        .await;
    tracing::info!(
        records = records.len(),
        redeliver = outcome.failed_ids.len(),
        "batch handled"
    );
    Ok(batch_response(&outcome))
}

/// The `errorType` of a batch that holds a record without a message id.
pub const RECORD_WITHOUT_ID: &str = "Queue.RecordWithoutId";

/// A record the queue sent without a `messageId`: it cannot be named in
/// `batchItemFailures`, so the whole batch is failed and redelivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "record {index} of the batch has no messageId; failing the whole batch so the queue redelivers it"
)]
pub struct RecordWithoutId {
    /// Its position in the batch.
    pub index: usize,
}

impl From<RecordWithoutId> for Diagnostic {
    fn from(e: RecordWithoutId) -> Self {
        Diagnostic {
            error_type: RECORD_WITHOUT_ID.to_owned(),
            error_message: e.to_string(),
        }
    }
}

/// The queue records of `event`, in order.
///
/// # Errors
/// [`RecordWithoutId`] for the first record without a message id (never an
/// empty id: SQS would read an empty `itemIdentifier` as a failed batch anyway,
/// and silently).
pub fn queue_records(event: &SqsEvent) -> Result<Vec<QueueRecord>, RecordWithoutId> {
    event
        .records
        .iter()
        .enumerate()
        .map(|(index, record)| queue_record(index, record))
        .collect()
}

fn queue_record(index: usize, record: &SqsMessage) -> Result<QueueRecord, RecordWithoutId> {
    let Some(id) = record.message_id.clone().filter(|id| !id.is_empty()) else {
        tracing::error!(index, "SQS record without a messageId");
        return Err(RecordWithoutId { index });
    };
    let body = record.body.as_deref().unwrap_or_default();
    Ok(QueueRecord {
        id,
        body: unwrap_sns_envelope(body).unwrap_or_else(|| body.to_owned()),
    })
}

/// The receipts of the records named in `failed_ids`, in the event's order.
///
/// A record without a receipt handle is left out (its visibility cannot be
/// changed; it comes back after the queue's visibility timeout); a missing
/// or unreadable receive count counts as 1, the shortest wait.
pub fn receipts(event: &SqsEvent, failed_ids: &[String]) -> Vec<Receipt> {
    event
        .records
        .iter()
        .filter_map(|record| {
            let id = record.message_id.as_ref().filter(|id| failed_ids.contains(id))?;
            let Some(receipt_handle) = record.receipt_handle.clone().filter(|h| !h.is_empty())
            else {
                tracing::warn!(record_id = %id, "record without a receiptHandle: it comes back after the visibility timeout");
                return None;
            };
            let receive_count = record
                .attributes
                .get(RECEIVE_COUNT_ATTRIBUTE)
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            Some(Receipt {
                id: id.clone(),
                receipt_handle,
                receive_count,
            })
        })
        .collect()
}

/// SNS's notification envelope, as far as unwrapping it needs.
#[derive(Deserialize)]
struct SnsEnvelope {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "TopicArn")]
    _topic_arn: String,
}

/// The inner message of an SNS notification envelope, if `body` is one.
fn unwrap_sns_envelope(body: &str) -> Option<String> {
    let envelope: SnsEnvelope = serde_json::from_str(body).ok()?;
    (envelope.kind == "Notification").then_some(envelope.message)
}

/// The partial batch answer: the records the queue should redeliver.
pub fn batch_response(outcome: &BatchOutcome) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for id in &outcome.failed_ids {
        response.add_failure(id.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(records: serde_json::Value) -> SqsEvent {
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    #[test]
    fn records_keep_their_ids_and_raw_bodies_in_order() {
        let event = event(serde_json::json!([
            {"messageId": "a", "body": "{\"message_id\":\"1\"}"},
            {"messageId": "b", "body": "not json"},
        ]));
        let records = queue_records(&event).unwrap();
        assert_eq!(
            records,
            vec![
                QueueRecord {
                    id: "a".into(),
                    body: "{\"message_id\":\"1\"}".into()
                },
                QueueRecord {
                    id: "b".into(),
                    body: "not json".into()
                },
            ]
        );
    }

    #[test]
    fn a_record_without_an_id_fails_the_batch_instead_of_using_an_empty_id() {
        for missing in [
            serde_json::json!({"body": "x"}),
            serde_json::json!({"messageId": "", "body": "x"}),
        ] {
            let event = event(serde_json::json!([{"messageId": "a", "body": "x"}, missing]));
            let error = queue_records(&event).unwrap_err();
            assert_eq!(error, RecordWithoutId { index: 1 });
            assert_eq!(Diagnostic::from(error).error_type, RECORD_WITHOUT_ID);
        }
    }

    #[test]
    fn an_sns_envelope_is_unwrapped_and_anything_else_is_kept_as_sent() {
        let inner = r#"{"message_id":"1","stage":"dev","message_type":"api"}"#;
        let envelope = serde_json::json!({
            "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": inner, "Timestamp": "2026-11-30T12:00:00.000Z",
        });
        assert_eq!(
            unwrap_sns_envelope(&envelope.to_string()).as_deref(),
            Some(inner)
        );
        assert_eq!(unwrap_sns_envelope(inner), None);
        assert_eq!(unwrap_sns_envelope("{\"Type\":\"Notification\"}"), None);
    }

    #[test]
    fn only_failed_records_with_a_receipt_handle_get_a_receipt_with_their_receive_count() {
        let event = event(serde_json::json!([
            {"messageId": "a", "receiptHandle": "ha", "body": "x",
             "attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1"}},
            {"messageId": "b", "receiptHandle": "hb", "body": "x",
             "attributes": {"ApproximateReceiveCount": "1"}},
            {"messageId": "c", "receiptHandle": "hc", "body": "x"},
            {"messageId": "d", "body": "x", "attributes": {"ApproximateReceiveCount": "3"}},
            {"messageId": "e", "receiptHandle": "he", "body": "x",
             "attributes": {"ApproximateReceiveCount": "many"}},
        ]));
        let failed: Vec<String> = ["a", "c", "d", "e"].map(String::from).to_vec();
        let receipt = |id: &str, handle: &str, receive_count| Receipt {
            id: id.into(),
            receipt_handle: handle.into(),
            receive_count,
        };
        assert_eq!(
            receipts(&event, &failed),
            [
                receipt("a", "ha", 2),
                receipt("c", "hc", 1),
                receipt("e", "he", 1)
            ]
        );
    }

    #[test]
    fn only_the_failed_ids_are_reported() {
        let outcome = BatchOutcome {
            failed_ids: vec!["b".into()],
            dispositions: vec![],
        };
        let json = serde_json::to_value(batch_response(&outcome)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"batchItemFailures": [{"itemIdentifier": "b"}]})
        );
    }
}
