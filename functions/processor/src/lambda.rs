//! The SQS edge of the processor: an [`SqsEvent`] in, an [`SqsBatchResponse`] out.
//!
//! The queue is subscribed to the SNS topic with raw message delivery, so a
//! record's body is the [`MessageEvent`](rez_core::ports::MessageEvent) JSON
//! itself. A body still wrapped in SNS's notification envelope (raw delivery
//! switched off) is unwrapped rather than dropped as unreadable.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::Diagnostic;
use serde::Deserialize;

use crate::{BatchOutcome, Deps, QueueRecord, handle_batch};

/// Handles one SQS batch: each record becomes a workflow execution, and the
/// answer names the records to redeliver.
///
/// # Errors
/// [`RecordWithoutId`] when a record has no message id; nothing is started.
pub async fn handle_event(
    deps: &Deps,
    event: &SqsEvent,
) -> Result<SqsBatchResponse, RecordWithoutId> {
    let records = queue_records(event)?;
    let outcome = handle_batch(deps, &records).await;
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
