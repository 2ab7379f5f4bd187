//! The Lambda edge of the scheduler: the event EventBridge sends in, the
//! submitted message (or a named error) out.
//!
//! # The event
//!
//! The schedule (EventBridge Scheduler, target this function) passes its fire
//! time through the target's input template:
//!
//! ```json
//! {"scheduled_time": "<aws.scheduler.scheduled-time>"}
//! ```
//!
//! Scheduler substitutes the time the invocation was scheduled for (not the
//! time it ran), e.g. `{"scheduled_time": "2026-11-30T12:00:00Z"}`, so a
//! retried or redelivered invocation carries the same fire time and creates
//! no second message. An EventBridge *rule*'s `Scheduled Event`
//! (`detail-type: "Scheduled Event"`, fire time in `time`) is accepted too,
//! for a deployment that schedules with a rule instead.
//!
//! A schedule people define (`/api/schedules`) invokes it with its id too:
//!
//! ```json
//! {"schedule_id": "0193…", "scheduled_time": "<aws.scheduler.scheduled-time>"}
//! ```
//!
//! and the message is the schedule's notification ([`crate::defined`]).
//!
//! The deployment's reconcile schedule invokes the same function with
//! `{"job": "reconcile"}`: one bounded run of the reconciler
//! ([`rez_core::reconcile`]) over the table, publishing to the same topic.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use lambda_runtime::Diagnostic;
use rez_core::ports::SystemClock;
use rez_core::reconcile::{ReconcilePolicy, Reconciled, Reconciler};
use rez_core::schedule::ScheduleId;
use rez_core::{MessageId, Status, SubmitError, Submitted, error_names};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::defined::{DefinedFire, DefinedFireError, fire_defined};
use crate::{Deps, ScheduleEvent, handle};

/// The `errorType` of an event that names no fire time.
pub const INVALID_EVENT: &str = "Schedule.InvalidEvent";
/// The `errorType` of a message stored but not published (it stays
/// `created`; the same fire time submitted again publishes it).
pub const PUBLISH_FAILED: &str = "Publish.Failed";

/// The jobs the function runs besides creating the scheduled message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Run the reconciler once ([`rez_core::reconcile`]).
    Reconcile,
}

/// What the scheduler function is invoked with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SchedulerEvent {
    /// The reconcile schedule's input `{"job": "reconcile"}`.
    Job {
        /// The job to run.
        job: Job,
    },
    /// A schedule people define: `{"schedule_id": …, "scheduled_time": …}`
    /// (first of the fire times, as it names more than the template).
    Defined {
        /// The schedule that fires.
        schedule_id: ScheduleId,
        /// `<aws.scheduler.scheduled-time>`.
        scheduled_time: DateTime<Utc>,
    },
    /// EventBridge Scheduler's input template `{"scheduled_time": …}`.
    Template {
        /// `<aws.scheduler.scheduled-time>`.
        scheduled_time: DateTime<Utc>,
    },
    /// An EventBridge rule's `Scheduled Event`.
    Rule(Box<EventBridgeEvent<Value>>),
}

impl SchedulerEvent {
    /// The fire time this invocation is for.
    pub fn fire_time(&self) -> Option<DateTime<Utc>> {
        match self {
            SchedulerEvent::Template { scheduled_time }
            | SchedulerEvent::Defined { scheduled_time, .. } => Some(*scheduled_time),
            SchedulerEvent::Rule(event) => event.time,
            SchedulerEvent::Job { .. } => None,
        }
    }
}

/// What the function answers: the message for this fire time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledOutput {
    /// The message's id.
    pub message_id: MessageId,
    /// Its status now (usually `queued`).
    pub status: Status,
    /// Whether this fire time had been handled before.
    pub replayed: bool,
}

/// What the function answers for a fire that made no message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedOutput {
    /// Why no message was made (the schedule is gone or paused).
    pub skipped: String,
}

/// What the function answers, by the event it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SchedulerOutput {
    /// A fire time: the message for it.
    Scheduled(ScheduledOutput),
    /// A defined schedule's fire that made no message.
    Skipped(SkippedOutput),
    /// The reconcile job: what the run did.
    Reconciled(Reconciled),
}

/// Runs the job, or creates the message for the fire time, in `payload`.
///
/// # Errors
/// A [`Diagnostic`] named [`INVALID_EVENT`], `Store.Unavailable` or [`PUBLISH_FAILED`].
pub async fn invoke(deps: &Deps, payload: Value) -> Result<SchedulerOutput, Diagnostic> {
    if let Ok(SchedulerEvent::Job {
        job: Job::Reconcile,
    }) = serde_json::from_value(payload.clone())
    {
        let policy = ReconcilePolicy::default();
        let done = Reconciler {
            store: deps.store.as_ref(),
            publisher: deps.publisher.as_ref(),
            clock: &SystemClock,
            policy: &policy,
            dead_letters: deps.dead_letters.as_deref(),
        }
        .run()
        .await
        .map_err(|e| Diagnostic {
            error_type: error_names::STORE_UNAVAILABLE.to_owned(),
            error_message: e.to_string(),
        })?;
        return Ok(SchedulerOutput::Reconciled(done));
    }
    if let Ok(SchedulerEvent::Defined {
        schedule_id,
        scheduled_time,
    }) = serde_json::from_value(payload.clone())
    {
        return fire(deps, &schedule_id, scheduled_time).await;
    }
    let event = schedule_event(payload)?;
    let submitted = handle(deps, &event).await.map_err(submit_diagnostic)?;
    Ok(SchedulerOutput::Scheduled(scheduled_output(&submitted)))
}

fn scheduled_output(submitted: &Submitted) -> ScheduledOutput {
    let message = submitted.message();
    ScheduledOutput {
        message_id: message.id.clone(),
        status: message.status,
        replayed: matches!(submitted, Submitted::Replayed(_)),
    }
}

/// A defined schedule's fire ([`fire_defined`]).
async fn fire(
    deps: &Deps,
    schedule_id: &ScheduleId,
    scheduled_time: DateTime<Utc>,
) -> Result<SchedulerOutput, Diagnostic> {
    let schedules = deps.schedules.as_deref().ok_or_else(|| Diagnostic {
        error_type: INVALID_EVENT.to_owned(),
        error_message: format!(
            "schedule {schedule_id} fired, but this function is given no schedule store"
        ),
    })?;
    match fire_defined(deps, schedules, schedule_id, scheduled_time).await {
        Ok(DefinedFire::Submitted(submitted)) => {
            Ok(SchedulerOutput::Scheduled(scheduled_output(&submitted)))
        }
        Ok(DefinedFire::Skipped(skipped)) => {
            Ok(SchedulerOutput::Skipped(SkippedOutput { skipped }))
        }
        Err(DefinedFireError::Submit(e)) => Err(submit_diagnostic(e)),
        Err(DefinedFireError::Schedules(e)) => Err(Diagnostic {
            error_type: error_names::STORE_UNAVAILABLE.to_owned(),
            error_message: e.to_string(),
        }),
    }
}

/// Reads the fire time out of an invocation payload.
///
/// # Errors
/// A [`Diagnostic`] named [`INVALID_EVENT`] saying what was expected.
pub fn schedule_event(payload: Value) -> Result<ScheduleEvent, Diagnostic> {
    let invalid = |why: String| Diagnostic {
        error_type: INVALID_EVENT.to_owned(),
        error_message: format!(
            "{why}; the schedule's input should be {{\"scheduled_time\": \"<aws.scheduler.scheduled-time>\"}}"
        ),
    };
    let event: SchedulerEvent = serde_json::from_value(payload.clone())
        .map_err(|_| invalid(format!("the event {payload} names no fire time")))?;
    let scheduled_time = event
        .fire_time()
        .ok_or_else(|| invalid("the EventBridge event has no time".to_owned()))?;
    Ok(ScheduleEvent { scheduled_time })
}

fn submit_diagnostic(error: SubmitError) -> Diagnostic {
    let error_type = match &error {
        SubmitError::Store(_) => error_names::STORE_UNAVAILABLE,
        SubmitError::Publish(_) => PUBLISH_FAILED,
    };
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_and_a_rule_event_both_give_the_fire_time() {
        let want: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        let template = serde_json::json!({"scheduled_time": "2026-11-30T12:00:00Z"});
        let rule = serde_json::json!({
            "version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-30T12:00:00Z", "region": "us-east-1",
            "resources": [], "detail": {}
        });
        for payload in [template, rule] {
            assert_eq!(schedule_event(payload).unwrap().scheduled_time, want);
        }
    }

    #[test]
    fn a_defined_schedule_s_input_is_read_as_its_fire_not_the_daily_one() {
        let payload = serde_json::json!({
            "schedule_id": "0193a000-0000-7000-8000-000000000001",
            "scheduled_time": "2026-11-30T12:00:00Z"
        });
        let event: SchedulerEvent = serde_json::from_value(payload).unwrap();
        assert!(
            matches!(&event, SchedulerEvent::Defined { schedule_id, .. }
                if schedule_id.as_str() == "0193a000-0000-7000-8000-000000000001"),
            "{event:?}"
        );
    }

    #[test]
    fn an_event_without_a_fire_time_is_named_invalid_and_says_what_to_send() {
        for payload in [
            serde_json::json!({}),
            serde_json::json!({"scheduled_time": "tomorrow"}),
            serde_json::json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}),
        ] {
            let d = schedule_event(payload).unwrap_err();
            assert_eq!(d.error_type, INVALID_EVENT);
            assert!(
                d.error_message.contains("<aws.scheduler.scheduled-time>"),
                "{}",
                d.error_message
            );
        }
    }
}
