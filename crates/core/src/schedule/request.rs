//! The bodies of `POST /api/schedules` and `PUT /api/schedules/{id}`, and
//! their validation into a [`Schedule`].

use chrono::{DateTime, Utc};
use rez_schedule::{ScheduleError, ScheduleExpression, Timing, time_zone};
use serde::{Deserialize, Deserializer, Serialize};

use super::model::{NEXT_FIRE_TIMES, SCHEDULE_ID_ARGUMENT};
use super::{Schedule, ScheduleId, ScheduleOwner, ScheduleState};
use crate::idempotency::SCHEDULED_TIME_ARGUMENT;
use crate::{CreateMessageRequest, MessageType, Stage, ValidationError};

/// Longest schedule name, in bytes.
pub const MAX_SCHEDULE_NAME_BYTES: usize = 128;
/// The zone of a schedule that names none, as EventBridge Scheduler defaults.
const DEFAULT_TIMEZONE: &str = "UTC";

/// The body of `POST /api/schedules`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateScheduleRequest {
    /// What people call it (required).
    #[serde(default)]
    pub name: Option<String>,
    /// `cron(…)`, `rate(…)` or `at(…)` as EventBridge Scheduler takes them (required).
    #[serde(default)]
    pub expression: Option<String>,
    /// An IANA zone; `UTC` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// No fire before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    /// No fire at or after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<DateTime<Utc>>,
    /// What each fire sends: the body `POST /api/messages` takes (required).
    #[serde(default)]
    pub notification: Option<CreateMessageRequest>,
    /// `ENABLED` (when absent) or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ScheduleState>,
}

impl CreateScheduleRequest {
    /// Validates the request into a new schedule made through the API at `now`.
    ///
    /// # Errors
    /// The first field that breaks a rule: a missing field, a name too
    /// long, an expression EventBridge Scheduler would refuse, an unknown
    /// zone, an end not after the start, an `at` time that is past or that
    /// the zone's clocks skip, or a notification `POST /api/messages` would
    /// refuse (named `notification.<field>`).
    pub fn into_schedule(
        mut self,
        now: DateTime<Utc>,
        default_stage: Stage,
    ) -> Result<Schedule, ValidationError> {
        let name = self
            .name
            .take()
            .ok_or_else(|| ValidationError::new("name", "is required"))?;
        if name.trim().is_empty() || name.len() > MAX_SCHEDULE_NAME_BYTES {
            return Err(ValidationError::new(
                "name",
                format!("must be 1 to {MAX_SCHEDULE_NAME_BYTES} bytes, not only spaces"),
            ));
        }
        let CheckedTiming {
            expression,
            timezone,
            ..
        } = self.checked_timing(now)?;
        let notification = self
            .notification
            .ok_or_else(|| ValidationError::new("notification", "is required"))?;
        check_notification(&notification, now, default_stage)?;
        Ok(Schedule {
            id: ScheduleId::generate(now),
            name,
            expression: expression.to_string(),
            timezone,
            start_date: self.start_date,
            end_date: self.end_date,
            notification,
            state: self.state.unwrap_or(ScheduleState::Enabled),
            owner: ScheduleOwner::Api,
            created_date: now,
            updated_date: now,
        })
    }

    /// The next [`NEXT_FIRE_TIMES`] fire times after `now` of the schedule
    /// the request would make at `now` (none when it asks for `DISABLED`),
    /// checking only the timing: the expression, the zone and the dates,
    /// by the rules of [`CreateScheduleRequest::into_schedule`].
    ///
    /// # Errors
    /// The first timing field that breaks a rule, as `into_schedule` names it.
    pub fn next_fire_times(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, ValidationError> {
        let checked = self.checked_timing(now)?;
        Ok(match self.state.unwrap_or(ScheduleState::Enabled) {
            ScheduleState::Enabled => checked.timing.next_fire_times(now, NEXT_FIRE_TIMES),
            ScheduleState::Disabled => Vec::new(),
        })
    }

    /// Checks the expression, the zone and the dates for a schedule made at `now`.
    fn checked_timing(&self, now: DateTime<Utc>) -> Result<CheckedTiming, ValidationError> {
        let expression: ScheduleExpression = self
            .expression
            .as_deref()
            .ok_or_else(|| ValidationError::new("expression", "is required"))?
            .parse()
            .map_err(|e: ScheduleError| ValidationError::new("expression", e.to_string()))?;
        let timezone = self
            .timezone
            .clone()
            .unwrap_or_else(|| DEFAULT_TIMEZONE.to_owned());
        let zone =
            time_zone(&timezone).map_err(|e| ValidationError::new("timezone", e.to_string()))?;
        let timing = Timing::new(
            expression.clone(),
            zone,
            self.start_date.unwrap_or(now),
            self.end_date,
        )
        .map_err(|e| match e {
            ScheduleError::EndNotAfterStart { .. } => {
                ValidationError::new("end_date", e.to_string())
            }
            _ => ValidationError::new("expression", e.to_string()),
        })?;
        if matches!(expression, ScheduleExpression::At(_)) && timing.next_after(now).is_none() {
            return Err(ValidationError::new(
                "expression",
                format!("{expression} in {timezone} is not after now: it would never fire"),
            ));
        }
        Ok(CheckedTiming {
            expression,
            timezone,
            timing,
        })
    }
}

/// A request's timing that passed the rules.
struct CheckedTiming {
    /// The expression, parsed.
    expression: ScheduleExpression,
    /// The zone's name as the request gave it (`UTC` when it gave none).
    timezone: String,
    /// The expression in the zone, from the start to the end.
    timing: Timing,
}

/// Checks a schedule's notification as `POST /api/messages` would, and
/// refuses what each fire sets itself: the message type (always
/// `scheduled`) and the arguments naming the schedule and the fire time.
fn check_notification(
    notification: &CreateMessageRequest,
    now: DateTime<Utc>,
    default_stage: Stage,
) -> Result<(), ValidationError> {
    let nested =
        |e: ValidationError| ValidationError::new(format!("notification.{}", e.field), e.message);
    if notification
        .message_type
        .is_some_and(|t| t != MessageType::Scheduled)
    {
        return Err(ValidationError::new(
            "notification.message_type",
            "is always scheduled for a schedule's messages: leave it out",
        ));
    }
    for reserved in [SCHEDULE_ID_ARGUMENT, SCHEDULED_TIME_ARGUMENT] {
        if notification
            .arguments
            .as_ref()
            .is_some_and(|a| a.contains_key(reserved))
        {
            return Err(ValidationError::new(
                format!("notification.arguments.{reserved}"),
                "is set by each fire: leave it out",
            ));
        }
    }
    notification
        .clone()
        .into_message(now, default_stage)
        .map(drop)
        .map_err(nested)
}

/// The body of `PUT /api/schedules/{id}`: the fields to change, each as in
/// [`CreateScheduleRequest`]; a field left out keeps its value, and
/// `start_date` or `end_date` set to `null` is removed. `{"state":
/// "DISABLED"}` pauses a schedule, `{"state": "ENABLED"}` resumes it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateScheduleRequest {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// A new expression.
    #[serde(default)]
    pub expression: Option<String>,
    /// A new zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// A new start (`Some(None)`: none).
    #[serde(default, deserialize_with = "present")]
    pub start_date: Option<Option<DateTime<Utc>>>,
    /// A new end (`Some(None)`: none).
    #[serde(default, deserialize_with = "present")]
    pub end_date: Option<Option<DateTime<Utc>>>,
    /// A new notification, whole.
    #[serde(default)]
    pub notification: Option<CreateMessageRequest>,
    /// Paused or not.
    #[serde(default)]
    pub state: Option<ScheduleState>,
}

impl UpdateScheduleRequest {
    /// `current` with the request's changes, validated as a new schedule is,
    /// changed at `now`; its id, owner and creation stay.
    ///
    /// # Errors
    /// As [`CreateScheduleRequest::into_schedule`].
    pub fn apply(
        self,
        current: &Schedule,
        now: DateTime<Utc>,
        default_stage: Stage,
    ) -> Result<Schedule, ValidationError> {
        let merged = CreateScheduleRequest {
            name: Some(self.name.unwrap_or_else(|| current.name.clone())),
            expression: Some(
                self.expression
                    .unwrap_or_else(|| current.expression.clone()),
            ),
            timezone: Some(self.timezone.unwrap_or_else(|| current.timezone.clone())),
            // A rate keeps counting from when the schedule was made.
            start_date: Some(
                self.start_date
                    .unwrap_or(current.start_date)
                    .unwrap_or(current.created_date),
            ),
            end_date: self.end_date.unwrap_or(current.end_date),
            notification: Some(
                self.notification
                    .unwrap_or_else(|| current.notification.clone()),
            ),
            state: Some(self.state.unwrap_or(current.state)),
        };
        let start_date = merged.start_date.filter(|s| *s != current.created_date);
        let changed = merged.into_schedule(now, default_stage)?;
        Ok(Schedule {
            id: current.id.clone(),
            start_date,
            owner: current.owner,
            created_date: current.created_date,
            updated_date: now,
            ..changed
        })
    }
}

/// Reads a field that is present (its value, `null` included) as `Some`,
/// so that a missing field (`None`, through `default`) differs from `null`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
