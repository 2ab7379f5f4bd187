//! The scheduler creates one message per fire time, however often
//! EventBridge Scheduler delivers it.

use rez_core::ports::MessageStore;
use rez_core::{MessageId, MessageType, Status};
use serde_json::json;

use crate::fixture;
use crate::helpers::{AwsWorld, DLQ_URL, QUEUE_URL, call, closed_endpoint, json, response, start};

#[tokio::test]
async fn one_fire_time_creates_one_queued_message_however_often_it_fires() -> anyhow::Result<()> {
    let aws = AwsWorld::start("http://127.0.0.1:9/unused").await?;
    let (api, function) = start("scheduler", aws.env()).await?;
    let first = response(
        call(&api, &function, &json(fixture!("scheduler-event.json"))).await?,
        &function,
    )?;
    let again = response(
        call(&api, &function, &json(fixture!("scheduler-event.json"))).await?,
        &function,
    )?;
    let rule = response(
        call(
            &api,
            &function,
            &json(fixture!("eventbridge-scheduled-event.json")),
        )
        .await?,
        &function,
    )?;
    assert_eq!(first["replayed"], false);
    assert_eq!(again["replayed"], true);
    assert_eq!(
        rule["replayed"], true,
        "the rule event names the same fire time"
    );
    assert_eq!(first["message_id"], again["message_id"]);
    assert_eq!(first["status"], "queued");

    let id: MessageId = serde_json::from_value(first["message_id"].clone())?;
    let stored = aws
        .store()
        .get(&id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("not stored"))?;
    assert_eq!(stored.status, Status::Queued);
    assert_eq!(stored.message_type, MessageType::Scheduled);
    assert_eq!(
        stored.arguments["scheduled_time"],
        "2026-11-30T12:00:00.000000Z"
    );

    let next = response(
        call(
            &api,
            &function,
            &json!({"scheduled_time": "2026-12-01T12:00:00Z"}),
        )
        .await?,
        &function,
    )?;
    assert_eq!(next["replayed"], false);
    assert_ne!(next["message_id"], first["message_id"]);
    Ok(())
}

#[tokio::test]
async fn an_event_without_a_fire_time_fails_by_name_and_says_what_to_send() -> anyhow::Result<()> {
    let endpoint = closed_endpoint().await?;
    let (api, function) = start(
        "scheduler",
        [
            ("REZ_TABLE_NAME", "rez-agent-messages-dev"),
            ("REZ_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:t"),
            ("REZ_QUEUE_URL", QUEUE_URL),
            ("REZ_DLQ_URL", DLQ_URL),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ],
    )
    .await?;
    let outcome = call(&api, &function, &json!({"time": "noon"})).await?;
    let error = outcome
        .error()
        .ok_or_else(|| anyhow::anyhow!("answered {outcome:?}"))?;
    assert_eq!(error.error_type, "Schedule.InvalidEvent");
    assert!(
        error
            .error_message
            .contains("<aws.scheduler.scheduled-time>")
    );
    Ok(())
}
