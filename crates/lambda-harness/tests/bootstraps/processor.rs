//! The processor answers SQS with a partial batch response: only records
//! whose outcome may change on another try are redelivered.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde_json::Value;

use crate::fixture;
use crate::helpers::{QUEUE_URL, call, closed_endpoint, json, response, start};

const STATE_MACHINE: &str =
    "arn:aws:states:us-east-1:123456789012:stateMachine:rez-agent-notification-dev";

/// Runs the processor over `batch` with Step Functions unreachable, and
/// returns the ids it asks SQS to redeliver.
async fn redelivered(batch: &Value) -> anyhow::Result<Vec<String>> {
    let endpoint = closed_endpoint().await?;
    let (api, function) = start(
        "processor",
        [
            ("REZ_TABLE_NAME", "rez-agent-messages-dev"),
            ("REZ_STATE_MACHINE_ARN", STATE_MACHINE),
            ("REZ_QUEUE_URL", QUEUE_URL),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ],
    )
    .await?;
    let answer = response(call(&api, &function, batch).await?, &function)?;
    let answer: SqsBatchResponse = serde_json::from_value(answer)?;
    Ok(answer
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect())
}

fn ids(batch: &Value) -> anyhow::Result<Vec<String>> {
    let event: SqsEvent = serde_json::from_value(batch.clone())?;
    Ok(event
        .records
        .into_iter()
        .filter_map(|r| r.message_id)
        .collect())
}

#[tokio::test]
async fn an_unparseable_body_is_acknowledged_not_redelivered() -> anyhow::Result<()> {
    let batch = json(fixture!("sqs-sns-raw-batch-unreadable.json"));
    assert_eq!(redelivered(&batch).await?, Vec::<String>::new());
    Ok(())
}

#[tokio::test]
async fn only_the_records_whose_execution_could_not_start_are_redelivered() -> anyhow::Result<()> {
    let mixed = json(fixture!("sqs-sns-raw-batch-mixed.json"));
    assert_eq!(redelivered(&mixed).await?, ids(&mixed)?[1..].to_vec());
    let batch = json(fixture!("sqs-sns-raw-batch.json"));
    assert_eq!(redelivered(&batch).await?, ids(&batch)?);
    Ok(())
}

#[tokio::test]
async fn a_record_without_a_message_id_fails_the_whole_batch_by_name() -> anyhow::Result<()> {
    let mut batch = json(fixture!("sqs-sns-raw-batch.json"));
    if let Some(record) = batch["Records"][1].as_object_mut() {
        record.remove("messageId");
    }
    let (api, function) = start(
        "processor",
        [
            ("REZ_TABLE_NAME", "t"),
            ("REZ_STATE_MACHINE_ARN", STATE_MACHINE),
            ("REZ_QUEUE_URL", QUEUE_URL),
        ],
    )
    .await?;
    let outcome = call(&api, &function, &batch).await?;
    let error = outcome
        .error()
        .ok_or_else(|| anyhow::anyhow!("answered {outcome:?}"))?;
    assert_eq!(error.error_type, "Queue.RecordWithoutId");
    assert!(
        error.error_message.contains("record 1"),
        "{}",
        error.error_message
    );
    Ok(())
}
