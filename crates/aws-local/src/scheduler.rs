//! EventBridge Scheduler: each enabled schedule fires its target at the
//! times its expression names, with the declared input (its
//! `<aws.scheduler.*>` placeholders filled in). The target is invoked as
//! Scheduler invokes Lambda, asynchronously: a throttled invoke is retried
//! by the schedule's retry policy, and a function error by Lambda's
//! asynchronous retries (two more attempts; AWS waits about a minute, then
//! two, here [`ASYNC_RETRY_DELAYS`]).

use std::str::FromStr;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use rez_schedule::ScheduleExpression;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::AwsLocalError;
use crate::declared::{Declared, DeclaredSchedule};
use crate::lambda::{InvokeError, Invoked, LambdaService};

/// The waits before Lambda's two asynchronous retries of a function error.
pub const ASYNC_RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(2)];

/// The target input for a run at `scheduled`: the declared input with
/// Scheduler's context placeholders replaced.
pub fn target_input(
    schedule: &DeclaredSchedule,
    scheduled: DateTime<Utc>,
    attempt: u32,
    arn: &str,
) -> String {
    schedule
        .input
        .replace(
            "<aws.scheduler.scheduled-time>",
            &scheduled.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        )
        .replace(
            "<aws.scheduler.execution-id>",
            &uuid::Uuid::new_v4().to_string(),
        )
        .replace("<aws.scheduler.schedule-arn>", arn)
        .replace("<aws.scheduler.attempt-number>", &attempt.to_string())
}

/// Runs one firing of `schedule` for `scheduled` to its end: the invoke
/// (throttles retried by the retry policy), then the function's own
/// attempts. Returns the last attempt's result.
///
/// # Errors
/// [`InvokeError`] when the invoke itself never got through.
pub async fn fire(
    lambda: &LambdaService,
    schedule: &DeclaredSchedule,
    schedule_arn: &str,
    scheduled: DateTime<Utc>,
) -> Result<Invoked, InvokeError> {
    let retries = schedule
        .retry_policy
        .as_ref()
        .map_or(185, |p| p.maximum_retry_attempts);
    let mut last = None;
    for (attempt, delay) in std::iter::once(Duration::ZERO)
        .chain(ASYNC_RETRY_DELAYS)
        .enumerate()
    {
        tokio::time::sleep(delay).await;
        let number = u32::try_from(attempt).unwrap_or(u32::MAX) + 1;
        let input = target_input(schedule, scheduled, number, schedule_arn);
        let invoked = (|| async {
            lambda
                .invoke(
                    &schedule.target_arn,
                    None,
                    axum::body::Bytes::from(input.clone()),
                )
                .await
        })
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(200))
                .with_max_times(usize::try_from(retries).unwrap_or(usize::MAX)),
        )
        .when(|e| matches!(e, InvokeError::TooManyRequests(_)))
        .await?;
        let failed = matches!(invoked, Invoked::FunctionError { .. });
        last = Some(invoked);
        if !failed {
            break;
        }
    }
    last.ok_or_else(|| InvokeError::InvalidParameter("no attempt ran".to_owned()))
}

/// The ARN of a schedule in the default group.
pub fn schedule_arn(declared: &Declared, schedule: &DeclaredSchedule) -> String {
    format!(
        "arn:aws:scheduler:{}:{}:schedule/default/{}",
        declared.region, declared.account, schedule.name
    )
}

/// Starts a timer per enabled schedule on `tasks`, until `stop`.
///
/// # Errors
/// [`AwsLocalError::Unsupported`] for an expression or time zone the
/// harness cannot run.
pub fn start(
    lambda: &LambdaService,
    declared: &Declared,
    tasks: &TaskTracker,
    stop: &CancellationToken,
) -> Result<(), AwsLocalError> {
    for schedule in declared.schedules.iter().filter(|s| s.state == "ENABLED") {
        let zone = schedule
            .schedule_expression_timezone
            .as_deref()
            .unwrap_or("UTC");
        if zone != "UTC" {
            return Err(AwsLocalError::Unsupported(format!(
                "schedule {}: time zone {zone}; the harness runs UTC schedules",
                schedule.name
            )));
        }
        let expression = ScheduleExpression::from_str(&schedule.schedule_expression)
            .map_err(|e| AwsLocalError::Unsupported(format!("schedule {}: {e}", schedule.name)))?;
        let lambda = lambda.clone();
        let schedule = schedule.clone();
        let arn = schedule_arn(declared, &schedule);
        let stop = stop.clone();
        let anchor = Utc::now();
        let runs = tasks.clone();
        tasks.spawn(async move {
            let mut after = anchor;
            while let Some(next) = expression.next_after(after, anchor) {
                let wait = (next - Utc::now()).to_std().unwrap_or_default();
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(wait) => {}
                }
                let lambda = lambda.clone();
                let schedule = schedule.clone();
                let arn = arn.clone();
                runs.spawn(async move {
                    if let Err(e) = fire(&lambda, &schedule, &arn, next).await {
                        tracing::warn!(schedule = %schedule.name, error = %e, "the schedule's target was not invoked");
                    }
                });
                after = next;
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_carries_the_scheduled_time() {
        let schedule = DeclaredSchedule {
            name: "s".into(),
            schedule_expression: "cron(0 12 * * ? *)".into(),
            schedule_expression_timezone: Some("UTC".into()),
            state: "ENABLED".into(),
            target_arn: "arn:f".into(),
            input: r#"{"scheduled_time":"<aws.scheduler.scheduled-time>"}"#.into(),
            retry_policy: None,
        };
        let at =
            DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z").map(|t| t.with_timezone(&Utc));
        assert_eq!(
            target_input(&schedule, at.unwrap_or_default(), 1, "arn:s"),
            r#"{"scheduled_time":"2026-12-06T12:00:00Z"}"#
        );
    }
}
