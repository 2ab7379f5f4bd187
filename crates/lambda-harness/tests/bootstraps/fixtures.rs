//! Every fixture is a real payload: it parses as its `aws_lambda_events`
//! type (or, for task inputs, as the task's own input) and survives
//! parse → serialise → reparse unchanged.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use rez_core::ports::MessageEvent;
use rez_scheduler::lambda::SchedulerEvent;
use serde_json::Value;

use crate::fixture;
use crate::helpers::round_trip;

#[test]
fn sqs_batches_round_trip_and_carry_raw_message_events() -> anyhow::Result<()> {
    for (name, text, events) in [
        (
            "sqs-sns-raw-batch.json",
            fixture!("sqs-sns-raw-batch.json"),
            2,
        ),
        (
            "sqs-sns-raw-batch-mixed.json",
            fixture!("sqs-sns-raw-batch-mixed.json"),
            1,
        ),
        (
            "sqs-sns-raw-batch-unreadable.json",
            fixture!("sqs-sns-raw-batch-unreadable.json"),
            0,
        ),
    ] {
        let event: SqsEvent = round_trip(name, text)?;
        let parsed = event
            .records
            .iter()
            .filter(|r| {
                serde_json::from_str::<MessageEvent>(r.body.as_deref().unwrap_or("")).is_ok()
            })
            .count();
        assert_eq!(parsed, events, "{name}");
        assert!(
            event.records.iter().all(|r| r.message_id.is_some()),
            "{name}"
        );
    }
    Ok(())
}

#[test]
fn api_gateway_requests_round_trip_for_every_route() -> anyhow::Result<()> {
    for (name, text, method, path) in [
        (
            "apigw-v2-get-health.json",
            fixture!("apigw-v2-get-health.json"),
            "GET",
            "/api/health",
        ),
        (
            "apigw-v2-get-messages.json",
            fixture!("apigw-v2-get-messages.json"),
            "GET",
            "/api/messages",
        ),
        (
            "apigw-v2-post-messages.json",
            fixture!("apigw-v2-post-messages.json"),
            "POST",
            "/api/messages",
        ),
        (
            "apigw-v2-post-messages-base64.json",
            fixture!("apigw-v2-post-messages-base64.json"),
            "POST",
            "/api/messages",
        ),
        (
            "apigw-v2-post-messages-malformed.json",
            fixture!("apigw-v2-post-messages-malformed.json"),
            "POST",
            "/api/messages",
        ),
        (
            "apigw-v2-post-messages-no-key.json",
            fixture!("apigw-v2-post-messages-no-key.json"),
            "POST",
            "/api/messages",
        ),
        (
            "apigw-v2-get-message.json",
            fixture!("apigw-v2-get-message.json"),
            "GET",
            "/api/messages/019ad3a1-7c00-7000-8000-000000000001",
        ),
        (
            "apigw-v2-get-message-bad-id.json",
            fixture!("apigw-v2-get-message-bad-id.json"),
            "GET",
            "/api/messages/not-a-uuid",
        ),
        (
            "apigw-v2-get-metrics.json",
            fixture!("apigw-v2-get-metrics.json"),
            "GET",
            "/api/metrics",
        ),
        (
            "apigw-v2-get-executions.json",
            fixture!("apigw-v2-get-executions.json"),
            "GET",
            "/api/executions",
        ),
        (
            "apigw-v2-get-execution.json",
            fixture!("apigw-v2-get-execution.json"),
            "GET",
            "/api/executions/arn:aws:states:us-east-1:123456789012:express:rez-agent-notification-dev:e1:e2",
        ),
        (
            "apigw-v2-get-openapi.json",
            fixture!("apigw-v2-get-openapi.json"),
            "GET",
            "/api/openapi.json",
        ),
    ] {
        let request: ApiGatewayV2httpRequest = round_trip(name, text)?;
        assert_eq!(request.version.as_deref(), Some("2.0"), "{name}");
        assert_eq!(
            request.request_context.http.method.as_str(),
            method,
            "{name}"
        );
        assert_eq!(request.raw_path.as_deref(), Some(path), "{name}");
    }
    Ok(())
}

#[test]
fn scheduler_events_round_trip_and_name_the_fire_time() -> anyhow::Result<()> {
    let rule: EventBridgeEvent<Value> = round_trip(
        "eventbridge-scheduled-event.json",
        fixture!("eventbridge-scheduled-event.json"),
    )?;
    assert_eq!(rule.detail_type, "Scheduled Event");
    for (name, text) in [
        ("scheduler-event.json", fixture!("scheduler-event.json")),
        (
            "eventbridge-scheduled-event.json",
            fixture!("eventbridge-scheduled-event.json"),
        ),
    ] {
        let event: SchedulerEvent = round_trip(name, text)?;
        assert_eq!(
            event.fire_time().map(|t| t.to_rfc3339()),
            Some("2026-11-30T12:00:00+00:00".to_owned()),
            "{name}"
        );
    }
    Ok(())
}

/// The keys a Task state's `Parameters` give its function's input.
fn parameter_keys(definition: &Value, state: &str) -> Vec<String> {
    let mut keys: Vec<String> = definition["States"][state]["Parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.trim_end_matches(".$").to_owned())
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn task_inputs_round_trip_and_have_the_shape_the_definitions_parameters_build() -> anyhow::Result<()>
{
    let definition: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../statemachine/notification.asl.json"
    )))?;
    for (name, text, state) in [
        (
            "task-load-message.json",
            fixture!("task-load-message.json"),
            "LoadMessage",
        ),
        (
            "task-load-message-malformed.json",
            fixture!("task-load-message-malformed.json"),
            "LoadMessage",
        ),
        (
            "task-send-notification.json",
            fixture!("task-send-notification.json"),
            "SendNotification",
        ),
        (
            "task-record-success.json",
            fixture!("task-record-success.json"),
            "RecordSuccess",
        ),
        (
            "task-record-failure.json",
            fixture!("task-record-failure.json"),
            "RecordFailure",
        ),
    ] {
        let input: Value = round_trip(name, text)?;
        let mut keys: Vec<String> = input
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            parameter_keys(&definition, state),
            "{name} against {state}"
        );
    }
    let send: Value = serde_json::from_str(fixture!("task-send-notification.json"))?;
    serde_json::from_value::<rez_core::Message>(send["message"].clone())?;
    Ok(())
}
