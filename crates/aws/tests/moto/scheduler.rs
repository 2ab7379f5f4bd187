//! The schedules people define as EventBridge Scheduler schedules: what the
//! runner creates, changes and deletes in the schedule group, read back with
//! GetSchedule.

use chrono::{Duration, Utc};
use rez_aws::{EventBridgeScheduleRunner, ScheduleTarget};
use rez_core::Stage;
use rez_core::ports::ScheduleRunner;
use rez_core::schedule::{CreateScheduleRequest, Schedule, ScheduleState};
use serde_json::json;

use crate::helpers::{TestResult, sdk_config, unique};

fn schedule(expression: &str) -> Schedule {
    let request: CreateScheduleRequest = serde_json::from_value(json!({
        "name": "stand-up",
        "expression": expression,
        "timezone": "Europe/Berlin",
        "notification": {"title": "Stand-up", "message": "in 5 minutes"}
    }))
    .unwrap();
    request.into_schedule(Utc::now(), Stage::Dev).unwrap()
}

async fn runner() -> (EventBridgeScheduleRunner, aws_sdk_scheduler::Client, String) {
    let client = aws_sdk_scheduler::Client::new(&sdk_config());
    let group = unique("rez-schedules");
    client
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .unwrap();
    let target = ScheduleTarget {
        group: group.clone(),
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:rez-agent-scheduler-dev:live"
            .into(),
        role_arn: "arn:aws:iam::123456789012:role/rez-agent-daily-scheduler-dev".into(),
        dead_letter_arn: "arn:aws:sqs:us-east-1:123456789012:rez-agent-schedule-dlq-dev".into(),
    };
    (
        EventBridgeScheduleRunner::new(client.clone(), target),
        client,
        group,
    )
}

/// The Scheduler schedule of `id` in `group`.
async fn read(
    client: &aws_sdk_scheduler::Client,
    group: &str,
    id: &str,
) -> Result<
    aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput,
    aws_sdk_scheduler::error::SdkError<
        aws_sdk_scheduler::operation::get_schedule::GetScheduleError,
    >,
> {
    client
        .get_schedule()
        .name(id)
        .group_name(group)
        .send()
        .await
}

#[tokio::test]
async fn a_schedule_becomes_a_scheduler_schedule_in_the_group_that_invokes_the_scheduler_with_its_id()
-> TestResult {
    let (runner, client, group) = runner().await;
    let mut defined = schedule("cron(0 8 ? * MON-FRI *)");
    runner.schedule_changed(&defined).await?;

    let got = read(&client, &group, defined.id.as_str()).await?;
    assert_eq!(got.schedule_expression(), Some("cron(0 8 ? * MON-FRI *)"));
    assert_eq!(got.schedule_expression_timezone(), Some("Europe/Berlin"));
    assert_eq!(got.description(), Some("stand-up"));
    assert_eq!(got.state().map(|s| s.as_str()), Some("ENABLED"));
    assert_eq!(
        got.flexible_time_window().map(|w| w.mode().as_str()),
        Some("OFF")
    );
    let target = got.target().expect("a target");
    assert!(target.arn().ends_with(":live"), "{target:?}");
    let input: serde_json::Value = serde_json::from_str(target.input().unwrap_or("null"))?;
    assert_eq!(
        input,
        json!({"schedule_id": defined.id.as_str(), "scheduled_time": "<aws.scheduler.scheduled-time>"})
    );
    assert_eq!(
        target
            .retry_policy()
            .and_then(|p| p.maximum_retry_attempts()),
        Some(3)
    );
    assert!(
        target
            .dead_letter_config()
            .and_then(|d| d.arn())
            .is_some_and(|arn| arn.ends_with("rez-agent-schedule-dlq-dev")),
        "{target:?}"
    );

    // Paused: the same schedule, updated in place.
    defined.state = ScheduleState::Disabled;
    runner.schedule_changed(&defined).await?;
    let got = read(&client, &group, defined.id.as_str()).await?;
    assert_eq!(got.state().map(|s| s.as_str()), Some("DISABLED"));

    runner.schedule_deleted(&defined.id).await?;
    let gone = read(&client, &group, defined.id.as_str()).await;
    assert!(gone.is_err(), "{gone:?}");
    // Deleting again is not an error: Scheduler deletes a one-time
    // schedule itself once it fired.
    runner.schedule_deleted(&defined.id).await?;
    Ok(())
}

#[tokio::test]
async fn a_one_time_schedule_is_deleted_after_completion_and_sends_no_start() -> TestResult {
    let (runner, client, group) = runner().await;
    let at = (Utc::now() + Duration::hours(2)).format("%Y-%m-%dT%H:%M:%S");
    let defined = schedule(&format!("at({at})"));
    runner.schedule_changed(&defined).await?;
    let got = read(&client, &group, defined.id.as_str()).await?;
    assert_eq!(
        got.action_after_completion().map(|a| a.as_str()),
        Some("DELETE")
    );
    assert!(got.start_date().is_none(), "{got:?}");
    Ok(())
}
