//! The [`ScheduleRunner`] on EventBridge Scheduler: each schedule people
//! define is a Scheduler schedule of the same id in the stack's schedule
//! group, invoking the scheduler function with
//! `{"schedule_id": …, "scheduled_time": "<aws.scheduler.scheduled-time>"}`.
//!
//! The Scheduler schedule carries only the timing and the target; the
//! notification stays in DynamoDB, where the scheduler function reads it at
//! each fire. So a fire always sends the schedule as the API last stored it.
//!
//! Scheduler refuses a recurring schedule's `StartDate` more than five
//! minutes in the past. A schedule changed later than that is sent with the
//! start it keeps firing from: a `rate(…)` schedule's next fire time (which
//! keeps its phase, so the times the API shows stay the times it fires), and
//! no start for a `cron(…)` one (its start only bounds it, and that bound is
//! behind it). `at(…)` schedules are one-time: Scheduler ignores their start
//! and end and deletes them once they fired (`ActionAfterCompletion: DELETE`).

use aws_sdk_scheduler::error::ProvideErrorMetadata;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, ScheduleState as SchedulerState, Target,
};
use chrono::{DateTime, TimeDelta, Utc};
use rez_core::ports::{ScheduleRunner, ScheduleRunnerError};
use rez_core::schedule::{Schedule, ScheduleId, ScheduleState};
use rez_schedule::ScheduleExpression;
use serde::Serialize;

use crate::error::describe;

/// How many more times Scheduler tries an invocation Lambda refused, as the
/// deployment's daily schedule does.
pub const MAXIMUM_RETRY_ATTEMPTS: i32 = 3;
/// How long Scheduler keeps trying one fire, in seconds (an hour).
pub const MAXIMUM_EVENT_AGE_SECONDS: i32 = 3600;
/// The oldest `StartDate` Scheduler takes is five minutes ago; a start
/// older than this margin is replaced (see the module's documentation).
const OLDEST_START: TimeDelta = TimeDelta::minutes(4);

/// Where the schedules go and what they invoke: the deployment's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleTarget {
    /// The schedule group of the stack (`REZ_SCHEDULE_GROUP`).
    pub group: String,
    /// The scheduler function's `live` alias (`REZ_SCHEDULE_TARGET_ARN`).
    pub function_arn: String,
    /// The role Scheduler invokes it with (`REZ_SCHEDULE_ROLE_ARN`).
    pub role_arn: String,
    /// Where Scheduler puts a fire it could not deliver (`REZ_SCHEDULE_DLQ_ARN`).
    pub dead_letter_arn: String,
}

/// The input each fire invokes the scheduler function with.
#[derive(Debug, Serialize)]
struct FireInput<'a> {
    schedule_id: &'a str,
    scheduled_time: &'static str,
}

/// Runs the schedules people define as EventBridge Scheduler schedules.
#[derive(Debug, Clone)]
pub struct EventBridgeScheduleRunner {
    client: aws_sdk_scheduler::Client,
    target: ScheduleTarget,
}

impl EventBridgeScheduleRunner {
    /// A runner creating schedules in `target.group`.
    pub fn new(client: aws_sdk_scheduler::Client, target: ScheduleTarget) -> Self {
        Self { client, target }
    }

    /// The Scheduler target of `schedule`: the function, its input, the
    /// retry policy and the dead-letter queue.
    fn target_of(&self, schedule: &Schedule) -> Result<Target, ScheduleRunnerError> {
        let input = serde_json::to_string(&FireInput {
            schedule_id: schedule.id.as_str(),
            scheduled_time: "<aws.scheduler.scheduled-time>",
        })
        .map_err(|e| ScheduleRunnerError(e.to_string()))?;
        let retry_policy = RetryPolicy::builder()
            .maximum_retry_attempts(MAXIMUM_RETRY_ATTEMPTS)
            .maximum_event_age_in_seconds(MAXIMUM_EVENT_AGE_SECONDS)
            .build();
        let dead_letters = DeadLetterConfig::builder()
            .arn(&self.target.dead_letter_arn)
            .build();
        Target::builder()
            .arn(&self.target.function_arn)
            .role_arn(&self.target.role_arn)
            .input(input)
            .retry_policy(retry_policy)
            .dead_letter_config(dead_letters)
            .build()
            .map_err(|e| ScheduleRunnerError(e.to_string()))
    }
}

/// What Scheduler is sent for `schedule` at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerFields {
    /// `StartDate`, when one is sent.
    pub start_date: Option<DateTime<Utc>>,
    /// `EndDate`, when one is sent.
    pub end_date: Option<DateTime<Utc>>,
    /// `ActionAfterCompletion`: `DELETE` for a one-time schedule.
    pub delete_after_completion: bool,
}

impl SchedulerFields {
    /// The start, end and completion action Scheduler takes for `schedule`
    /// changed at `now` (the module's documentation says why a start moves).
    ///
    /// # Errors
    /// A stored schedule whose expression or time zone no longer parses.
    pub fn of(schedule: &Schedule, now: DateTime<Utc>) -> Result<Self, ScheduleRunnerError> {
        let timing = schedule
            .timing()
            .map_err(|e| ScheduleRunnerError(format!("schedule {}: {e}", schedule.id)))?;
        let start = schedule.start_date.unwrap_or(schedule.created_date);
        let (start_date, end_date) = match timing.expression() {
            ScheduleExpression::At(_) => (None, None),
            _ if start >= now - OLDEST_START => (Some(start), schedule.end_date),
            ScheduleExpression::Rate(_) => (timing.next_after(now), schedule.end_date),
            ScheduleExpression::Cron(_) => (None, schedule.end_date),
        };
        Ok(Self {
            start_date,
            end_date,
            delete_after_completion: matches!(timing.expression(), ScheduleExpression::At(_)),
        })
    }
}

fn smithy_time(time: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(time.timestamp_millis())
}

fn scheduler_state(state: ScheduleState) -> SchedulerState {
    match state {
        ScheduleState::Enabled => SchedulerState::Enabled,
        ScheduleState::Disabled => SchedulerState::Disabled,
    }
}

fn completion(fields: &SchedulerFields) -> ActionAfterCompletion {
    if fields.delete_after_completion {
        ActionAfterCompletion::Delete
    } else {
        ActionAfterCompletion::None
    }
}

/// Scheduler's `FlexibleTimeWindow`: off, so each fire is made at its time.
fn exact_time() -> Result<FlexibleTimeWindow, ScheduleRunnerError> {
    FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()
        .map_err(|e| ScheduleRunnerError(e.to_string()))
}

/// Sets every field of a schedule on a CreateSchedule or UpdateSchedule
/// builder (two types with the same setters; UpdateSchedule replaces all).
macro_rules! schedule_fields {
    ($builder:expr, $runner:expr, $schedule:expr, $fields:expr, $target:expr) => {
        $builder
            .name($schedule.id.as_str())
            .group_name(&$runner.target.group)
            .description(&$schedule.name)
            .schedule_expression(&$schedule.expression)
            .schedule_expression_timezone(&$schedule.timezone)
            .set_start_date($fields.start_date.map(smithy_time))
            .set_end_date($fields.end_date.map(smithy_time))
            .state(scheduler_state($schedule.state))
            .flexible_time_window(exact_time()?)
            .action_after_completion(completion(&$fields))
            .target($target)
    };
}

#[async_trait::async_trait]
impl ScheduleRunner for EventBridgeScheduleRunner {
    async fn schedule_changed(&self, schedule: &Schedule) -> Result<(), ScheduleRunnerError> {
        let fields = SchedulerFields::of(schedule, Utc::now())?;
        let target = self.target_of(schedule)?;
        let created = schedule_fields!(
            self.client.create_schedule(),
            self,
            schedule,
            fields,
            target.clone()
        )
        .send()
        .await;
        let Err(error) = created else {
            return Ok(());
        };
        if error.code() != Some("ConflictException") {
            return Err(ScheduleRunnerError(format!(
                "CreateSchedule {}: {}",
                schedule.id,
                describe(&error)
            )));
        }
        // It exists: a change.
        schedule_fields!(
            self.client.update_schedule(),
            self,
            schedule,
            fields,
            target
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            ScheduleRunnerError(format!("UpdateSchedule {}: {}", schedule.id, describe(&e)))
        })
    }

    async fn schedule_deleted(&self, id: &ScheduleId) -> Result<(), ScheduleRunnerError> {
        match self
            .client
            .delete_schedule()
            .name(id.as_str())
            .group_name(&self.target.group)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Gone already: a one-time schedule Scheduler deleted after it fired.
            Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(()),
            Err(e) => Err(ScheduleRunnerError(format!(
                "DeleteSchedule {id}: {}",
                describe(&e)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rez_core::Stage;
    use rez_core::schedule::CreateScheduleRequest;
    use serde_json::json;

    fn made_at(expression: &str, made: DateTime<Utc>) -> Schedule {
        let request: CreateScheduleRequest = serde_json::from_value(json!({
            "name": "n",
            "expression": expression,
            "notification": {"message": "m"}
        }))
        .unwrap();
        request.into_schedule(made, Stage::Dev).unwrap()
    }

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_new_schedule_starts_when_it_was_made() {
        let made = time("2026-12-07T10:07:30Z");
        let fields = SchedulerFields::of(&made_at("rate(1 hour)", made), made).unwrap();
        assert_eq!(fields.start_date, Some(made));
        assert!(!fields.delete_after_completion);
    }

    #[test]
    fn a_rate_schedule_changed_later_starts_at_its_next_fire_so_it_keeps_its_phase() {
        let made = time("2026-12-07T10:07:30Z");
        let later = time("2026-12-07T13:30:00Z");
        let fields = SchedulerFields::of(&made_at("rate(1 hour)", made), later).unwrap();
        assert_eq!(fields.start_date, Some(time("2026-12-07T14:07:30Z")));
    }

    #[test]
    fn a_cron_schedule_changed_later_sends_no_start() {
        let made = time("2026-12-07T10:07:30Z");
        let later = time("2026-12-07T13:30:00Z");
        let fields = SchedulerFields::of(&made_at("cron(0 8 * * ? *)", made), later).unwrap();
        assert_eq!(fields.start_date, None);
    }

    #[test]
    fn a_one_time_schedule_is_deleted_after_completion_and_has_no_start_or_end() {
        let made = time("2026-12-07T10:07:30Z");
        let fields = SchedulerFields::of(&made_at("at(2026-12-08T08:00:00)", made), made).unwrap();
        assert_eq!((fields.start_date, fields.end_date), (None, None));
        assert!(fields.delete_after_completion);
    }
}
