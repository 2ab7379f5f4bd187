//! The schedules people define, fired by the embedded stack: its
//! counterpart of EventBridge Scheduler.
//!
//! Each enabled schedule fires at its times, read in its zone with the
//! daylight saving rules of `rez-schedule`; `--time-scale` multiplies the
//! waits, on a virtual clock that starts at the process's start. A fire
//! makes the schedule's message through the stack's [`Submitter`] with the
//! schedule's fire key, and is then recorded as the schedule's last fire in
//! the database.
//! So a restart neither loses nor doubles a fire: the key makes a fire made
//! twice one message, and the last fire says where to go on. An `at(…)`
//! schedule deletes itself once it fired, as EventBridge's
//! `ActionAfterCompletion: DELETE` does.
//!
//! Fires missed while the process was down: the latest one is made once at
//! start if it is at most [`CATCH_UP_WINDOW`] old; older ones are not made
//! (and logged). EventBridge Scheduler delivers a fire late only within a
//! schedule's flexible time window and its retry policy's maximum event age;
//! 15 minutes is this stack's choice of both: a reminder an hour late is
//! more confusing than one that did not come. Fires due before a schedule's
//! last change (its `updated_date`) are not caught up either: a schedule
//! that was paused does not fire for the time it was paused.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rez_core::ports::{ScheduleRunner, ScheduleRunnerError, ScheduleStore};
use rez_core::schedule::{Schedule, ScheduleId};
use rez_core::{Stage, Submitter};
use rez_schedule::{ScheduleExpression, Timing};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use rez_sqlite::SqliteStore;

/// How old a missed fire may be and still be made at start.
pub const CATCH_UP_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// The longest a pass waits (real time) before it reads the schedules again,
/// whatever their next fires: a store that failed is tried again then.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// How soon (real time) a fire that failed is tried again.
const RETRY_WAIT: Duration = Duration::from_secs(5);
/// Most fires one schedule can have within [`CATCH_UP_WINDOW`]: one a
/// minute (cron's and rate's finest), plus one.
const MAX_FIRES_IN_WINDOW: usize = 16;

/// The virtual clock of the loop: wall-clock time at the start, then
/// running `1 / time_scale` times as fast.
#[derive(Debug, Clone, Copy)]
pub struct VirtualClock {
    real_start: tokio::time::Instant,
    start: DateTime<Utc>,
    time_scale: f64,
}

impl VirtualClock {
    /// A clock that reads `start` now and runs `1 / time_scale` times as fast.
    pub fn new(start: DateTime<Utc>, time_scale: f64) -> Self {
        Self {
            real_start: tokio::time::Instant::now(),
            start,
            time_scale,
        }
    }

    /// The virtual time now.
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = self.real_start.elapsed().div_f64(self.time_scale);
        self.start + TimeDelta::from_std(elapsed).unwrap_or(TimeDelta::MAX)
    }

    /// The real wait until the virtual time `at`.
    fn wait_until(&self, at: DateTime<Utc>) -> Duration {
        (at - self.now())
            .to_std()
            .unwrap_or_default()
            .mul_f64(self.time_scale)
    }
}

/// What a pass does with one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The fire to make now: the latest fire after the last one made that is
    /// due and at most [`CATCH_UP_WINDOW`] old.
    pub fire: Option<DateTime<Utc>>,
    /// Whether fires older than the window were not made.
    pub missed: bool,
    /// The next fire after `now` and after the last one made.
    pub next: Option<DateTime<Utc>>,
}

/// What is due at `now` of `timing`, whose fires up to `made_up_to` are
/// made (or are not to be made).
pub fn due(timing: &Timing, made_up_to: DateTime<Utc>, now: DateTime<Utc>) -> Due {
    let window_start = now - CATCH_UP_WINDOW;
    let missed = made_up_to < window_start
        && timing
            .next_after(made_up_to)
            .is_some_and(|t| t <= window_start);
    let mut after = made_up_to.max(window_start);
    let mut fire = None;
    for _ in 0..MAX_FIRES_IN_WINDOW {
        match timing.next_after(after) {
            Some(t) if t <= now => {
                fire = Some(t);
                after = t;
            }
            _ => break,
        }
    }
    Due {
        fire,
        missed,
        // Not before the last fire made: a restarted virtual clock can be
        // behind it.
        next: timing.next_after(after.max(now)),
    }
}

/// The schedules' fires: where they are read and where their messages go.
#[derive(Clone)]
pub struct ScheduleFiring {
    /// The schedules and their last fires.
    pub schedules: SqliteStore,
    /// Stores each fire's message and enqueues it (the stack's one write).
    pub submitter: Arc<dyn Submitter>,
    /// The stage of the messages whose notification names none.
    pub stage: Stage,
}

/// What one pass found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// The earliest next fire of any schedule.
    pub next: Option<DateTime<Utc>>,
    /// Whether something failed that a pass soon should try again.
    pub retry: bool,
}

impl ScheduleFiring {
    /// Makes every enabled schedule's due fire at `now`.
    pub async fn pass(&self, now: DateTime<Utc>) -> Pass {
        let schedules = match self.schedules.enabled_schedules().await {
            Ok(schedules) => schedules,
            Err(e) => {
                tracing::warn!(error = %e, "the schedules could not be read");
                return Pass {
                    next: None,
                    retry: true,
                };
            }
        };
        let mut pass = Pass::default();
        for (schedule, last_fire) in schedules {
            let timing = match schedule.timing() {
                Ok(timing) => timing,
                Err(e) => {
                    tracing::error!(schedule_id = %schedule.id, error = %e, "a stored schedule does not parse");
                    continue;
                }
            };
            let changed = schedule.updated_date - TimeDelta::microseconds(1);
            let made_up_to = last_fire.map_or(changed, |last| last.max(changed));
            let due = due(&timing, made_up_to, now);
            if due.missed {
                tracing::info!(
                    schedule_id = %schedule.id,
                    window_minutes = CATCH_UP_WINDOW.num_minutes(),
                    "fires missed while the stack was down are older than the catch-up window: not made"
                );
            }
            if let Some(fire) = due.fire {
                pass.retry |= !self.fire(&schedule, &timing, fire).await;
            }
            pass.next = match (pass.next, due.next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        pass
    }

    /// Makes the message of `schedule`'s fire at `fire`; whether it was made.
    async fn fire(&self, schedule: &Schedule, timing: &Timing, fire: DateTime<Utc>) -> bool {
        let message = match schedule.message_for(fire, self.stage) {
            Ok(message) => message,
            Err(e) => {
                tracing::error!(schedule_id = %schedule.id, error = %e, "the schedule's notification no longer validates");
                return true;
            }
        };
        let submitted = self
            .submitter
            .submit(&message, Some(&schedule.fire_key(fire)))
            .await;
        match submitted {
            Ok(submitted) => {
                tracing::info!(
                    schedule_id = %schedule.id,
                    message_id = %submitted.message().id,
                    fire_time = %fire,
                    "schedule fired"
                );
            }
            Err(e) => {
                tracing::error!(schedule_id = %schedule.id, fire_time = %fire, error = %e, "the schedule's message was not made");
                return false;
            }
        }
        if let Err(e) = self.schedules.schedule_fired(&schedule.id, fire).await {
            // The fire key keeps the next pass from making it twice.
            tracing::warn!(schedule_id = %schedule.id, error = %e, "the fire was not recorded");
            return false;
        }
        if matches!(timing.expression(), ScheduleExpression::At(_)) {
            match self.schedules.delete_schedule(&schedule.id).await {
                Ok(()) => {
                    tracing::info!(schedule_id = %schedule.id, "one-time schedule fired and deleted")
                }
                Err(e) => {
                    tracing::warn!(schedule_id = %schedule.id, error = %e, "one-time schedule fired but not deleted")
                }
            }
        }
        true
    }
}

/// The [`ScheduleRunner`] of the embedded stack: the schedules loop reads
/// the schedules from the database, so a change only has to wake it.
#[derive(Debug, Clone, Default)]
pub struct WakeLoop(pub Arc<Notify>);

#[async_trait::async_trait]
impl ScheduleRunner for WakeLoop {
    async fn schedule_changed(&self, _schedule: &Schedule) -> Result<(), ScheduleRunnerError> {
        self.0.notify_one();
        Ok(())
    }

    async fn schedule_deleted(&self, _id: &ScheduleId) -> Result<(), ScheduleRunnerError> {
        self.0.notify_one();
        Ok(())
    }
}

/// Fires the schedules until `cancel` fires, passing again at the next
/// fire, when `wake` is notified (a schedule changed), and at least every
/// minute (real time).
pub async fn run(
    firing: ScheduleFiring,
    clock: VirtualClock,
    wake: Arc<Notify>,
    cancel: CancellationToken,
) {
    loop {
        let pass = firing.pass(clock.now()).await;
        let mut wait = pass.next.map_or(MAX_WAIT, |next| clock.wait_until(next));
        wait = wait.min(MAX_WAIT);
        if pass.retry {
            wait = wait.min(RETRY_WAIT);
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}
