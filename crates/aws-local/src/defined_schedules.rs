//! EventBridge Scheduler for the schedules the API creates: the webapi
//! creates, changes and deletes them in moto's Scheduler (in the stack's
//! schedule groups), which stores them but fires nothing; this player reads
//! them back and fires each enabled one at its times, as
//! [`crate::scheduler`] fires the declared schedules: the target's input
//! with its placeholders filled in, invoked asynchronously with the
//! schedule's retry policy. A one-time schedule with
//! `ActionAfterCompletion: DELETE` is deleted once it fired.
//!
//! Times are read in the schedule's zone with `rez-schedule`'s rules. The
//! player may run on a virtual clock `time_scale` times faster than the
//! real one, which starts at the player's start, so a test sees a
//! `rate(1 minute)` schedule fire every second at scale 60. A fire is due
//! once the clock passed it; fires before the player first saw a schedule
//! are not made, and at most [`MAX_FIRES_PER_POLL`] per schedule per poll.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_scheduler::types::{ActionAfterCompletion, ScheduleState};
use chrono::{DateTime, TimeDelta, Utc};
use rez_schedule::{Timing, time_zone};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::declared::{Declared, DeclaredRetryPolicy, DeclaredSchedule};
use crate::lambda::LambdaService;

/// How often the player reads the groups' schedules (real time).
pub const POLL: Duration = Duration::from_millis(250);
/// The most fires one schedule makes in one poll; later ones are skipped
/// (a clock far faster than the schedule's period).
pub const MAX_FIRES_PER_POLL: usize = 10;

/// A clock `scale` times faster than the real one from `origin` on.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    origin: DateTime<Utc>,
    scale: u32,
}

impl ScaledClock {
    /// A clock that reads the real time at `origin` and runs `scale` times
    /// faster (at least 1).
    pub fn new(origin: DateTime<Utc>, scale: u32) -> Self {
        Self {
            origin,
            scale: scale.max(1),
        }
    }

    /// The clock's time when the real one reads `real`.
    pub fn at(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        let elapsed = (real - self.origin).max(TimeDelta::zero());
        self.origin + elapsed * i32::try_from(self.scale).unwrap_or(i32::MAX)
    }
}

/// One schedule as moto's Scheduler holds it, in the form the declared
/// schedules fire from, with its timing.
struct Stored {
    schedule: DeclaredSchedule,
    arn: String,
    group: String,
    timing: Timing,
    delete_after_completion: bool,
}

/// Starts the player on `tasks`, until `stop`, when the program declares
/// schedule groups.
pub fn start(
    lambda: &LambdaService,
    scheduler: aws_sdk_scheduler::Client,
    declared: &Declared,
    time_scale: u32,
    tasks: &TaskTracker,
    stop: &CancellationToken,
) {
    let groups: Vec<String> = declared
        .schedule_groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    if groups.is_empty() {
        return;
    }
    let lambda = lambda.clone();
    let stop = stop.clone();
    let runs = tasks.clone();
    let clock = ScaledClock::new(Utc::now(), time_scale);
    tasks.spawn(async move {
        // Schedule ARN → the clock's time up to which its fires were made.
        let mut considered: HashMap<String, DateTime<Utc>> = HashMap::new();
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(POLL) => {}
            }
            let now = clock.at(Utc::now());
            let stored = match read_enabled(&scheduler, &groups).await {
                Ok(stored) => stored,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the schedules the API created");
                    continue;
                }
            };
            considered.retain(|arn, _| stored.iter().any(|s| &s.arn == arn));
            for schedule in stored {
                let since = *considered.entry(schedule.arn.clone()).or_insert(now);
                considered.insert(schedule.arn.clone(), now);
                let due: Vec<DateTime<Utc>> =
                    std::iter::successors(schedule.timing.next_after(since), |last| {
                        schedule.timing.next_after(*last)
                    })
                    .take_while(|fire| *fire <= now)
                    .take(MAX_FIRES_PER_POLL)
                    .collect();
                if due.is_empty() {
                    continue;
                }
                let lambda = lambda.clone();
                let scheduler = scheduler.clone();
                runs.spawn(async move { fire_all(&lambda, &scheduler, &schedule, due).await });
            }
        }
    });
}

/// Fires `schedule` at each of `due`, then deletes it if it completed.
async fn fire_all(
    lambda: &LambdaService,
    scheduler: &aws_sdk_scheduler::Client,
    stored: &Stored,
    due: Vec<DateTime<Utc>>,
) {
    let last = due.last().copied();
    for fire in due {
        match crate::scheduler::fire(lambda, &stored.schedule, &stored.arn, fire).await {
            Ok(invoked) => {
                tracing::info!(schedule = %stored.arn, %fire, error = ?invoked.error_type(), "fired");
            }
            Err(e) => {
                tracing::warn!(schedule = %stored.arn, error = %e, "the schedule's target was not invoked");
            }
        }
    }
    let completed = last.is_some_and(|last| stored.timing.next_after(last).is_none());
    if stored.delete_after_completion && completed {
        let deleted = scheduler
            .delete_schedule()
            .name(&stored.schedule.name)
            .group_name(&stored.group)
            .send()
            .await;
        if let Err(e) = deleted {
            tracing::warn!(schedule = %stored.arn, error = %aws_sdk_scheduler::error::DisplayErrorContext(&e), "deleting the completed schedule");
        }
    }
}

/// Every enabled schedule of `groups`, read with GetSchedule.
async fn read_enabled(
    scheduler: &aws_sdk_scheduler::Client,
    groups: &[String],
) -> Result<Vec<Stored>, String> {
    let mut found = Vec::new();
    for group in groups {
        let mut pages = scheduler
            .list_schedules()
            .group_name(group)
            .state(ScheduleState::Enabled)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                format!(
                    "ListSchedules {group}: {}",
                    aws_sdk_scheduler::error::DisplayErrorContext(&e)
                )
            })?;
            for summary in page.schedules() {
                let Some(name) = summary.name() else { continue };
                match read_one(scheduler, group, name).await {
                    Ok(Some(stored)) => found.push(stored),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(schedule = %name, error = %e, "not fired"),
                }
            }
        }
    }
    Ok(found)
}

/// One schedule, or `None` when it went or is disabled.
async fn read_one(
    scheduler: &aws_sdk_scheduler::Client,
    group: &str,
    name: &str,
) -> Result<Option<Stored>, String> {
    let got = match scheduler
        .get_schedule()
        .name(name)
        .group_name(group)
        .send()
        .await
    {
        Ok(got) => got,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            return Ok(None);
        }
        Err(e) => {
            return Err(format!(
                "GetSchedule: {}",
                aws_sdk_scheduler::error::DisplayErrorContext(&e)
            ));
        }
    };
    if got.state() != Some(&ScheduleState::Enabled) {
        return Ok(None);
    }
    let expression = got.schedule_expression().unwrap_or_default();
    let zone = got.schedule_expression_timezone().unwrap_or("UTC");
    let target = got
        .target()
        .ok_or_else(|| "the schedule has no target".to_owned())?;
    let start = got
        .start_date()
        .or(got.creation_date())
        .and_then(|t| DateTime::from_timestamp_millis(t.to_millis().ok()?))
        .unwrap_or_else(Utc::now);
    let end = got
        .end_date()
        .and_then(|t| DateTime::from_timestamp_millis(t.to_millis().ok()?));
    let timing = Timing::new(
        expression
            .parse()
            .map_err(|e| format!("{expression}: {e}"))?,
        time_zone(zone).map_err(|e| e.to_string())?,
        start,
        end,
    )
    .map_err(|e| e.to_string())?;
    let retry_policy = target.retry_policy().map(|p| DeclaredRetryPolicy {
        maximum_retry_attempts: p
            .maximum_retry_attempts()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(185),
        maximum_event_age_in_seconds: p
            .maximum_event_age_in_seconds()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(86_400),
    });
    Ok(Some(Stored {
        arn: got.arn().unwrap_or(name).to_owned(),
        group: group.to_owned(),
        schedule: DeclaredSchedule {
            name: name.to_owned(),
            schedule_expression: expression.to_owned(),
            schedule_expression_timezone: Some(zone.to_owned()),
            state: "ENABLED".to_owned(),
            target_arn: target.arn().to_owned(),
            input: target.input().unwrap_or("{}").to_owned(),
            retry_policy,
        },
        timing,
        delete_after_completion: got.action_after_completion()
            == Some(&ActionAfterCompletion::Delete),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scaled_clock_runs_faster_from_its_origin() {
        let origin: DateTime<Utc> = "2026-12-07T12:00:00Z".parse().unwrap_or_default();
        let clock = ScaledClock::new(origin, 60);
        assert_eq!(clock.at(origin), origin);
        assert_eq!(
            clock.at(origin + TimeDelta::seconds(2)),
            origin + TimeDelta::minutes(2)
        );
        assert_eq!(
            ScaledClock::new(origin, 0).at(origin + TimeDelta::seconds(2)),
            origin + TimeDelta::seconds(2)
        );
    }
}
