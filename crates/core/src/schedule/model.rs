//! What a schedule is, and the message one of its fires makes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rez_schedule::{ScheduleError, Timing, time_zone};
use serde::{Deserialize, Serialize};

use super::ScheduleId;
use crate::idempotency::{SCHEDULED_TIME_ARGUMENT, SCHEDULER_CREATED_BY};
use crate::message::text_enum;
use crate::{CreateMessageRequest, IdempotencyKey, Message, MessageType, Stage, ValidationError};

/// How many fire times a schedule shows ahead (`next_fire_times`).
pub const NEXT_FIRE_TIMES: usize = 5;
/// The argument naming the schedule a `scheduled` message came from.
pub const SCHEDULE_ID_ARGUMENT: &str = "schedule_id";

/// The id of the deployment's own daily schedule (`schedulerCron`,
/// `--schedule`) where it is shown among the schedules.
pub const CONFIGURATION_SCHEDULE_ID: &str = "00000000-0000-7000-8000-000000000000";
/// The title of the deployment's own daily notification.
pub const DAILY_TITLE: &str = "rez-agent";

text_enum!(
    /// Whether a schedule fires.
    ScheduleState, "state" {
        /// It fires at its times (EventBridge Scheduler's `ENABLED`).
        Enabled => "ENABLED",
        /// Paused: it does not fire until enabled again (`DISABLED`).
        Disabled => "DISABLED",
    }
);

text_enum!(
    /// Who may change a schedule.
    ScheduleOwner, "owner" {
        /// Made through the API: the API changes and deletes it.
        Api => "api",
        /// The deployment's own daily schedule (`schedulerCron`, `--schedule`):
        /// its configuration changes it, the API only shows it.
        Configuration => "configuration",
    }
);

/// A schedule: when it fires, and the notification each fire sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Its id.
    pub id: ScheduleId,
    /// What people call it.
    pub name: String,
    /// The EventBridge Scheduler expression, in canonical form.
    pub expression: String,
    /// The IANA zone the expression is read in.
    pub timezone: String,
    /// No fire before it; a rate counts from it (from `created_date` without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    /// No fire at or after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<DateTime<Utc>>,
    /// What each fire sends: the body `POST /api/messages` takes.
    pub notification: CreateMessageRequest,
    /// Whether it fires.
    pub state: ScheduleState,
    /// Who may change it.
    pub owner: ScheduleOwner,
    /// When it was made.
    pub created_date: DateTime<Utc>,
    /// When it last changed.
    pub updated_date: DateTime<Utc>,
}

impl Schedule {
    /// The deployment's own schedule, as the API shows it: `expression` (in
    /// UTC), fired by the scheduler function from `since` on with the daily
    /// notification (`title`, and a text naming the fire time). Its
    /// configuration changes it, not the API.
    pub fn configuration(
        expression: &rez_schedule::ScheduleExpression,
        title: &str,
        since: DateTime<Utc>,
    ) -> Self {
        Schedule {
            id: CONFIGURATION_SCHEDULE_ID
                .parse()
                .unwrap_or_else(|_| ScheduleId::generate(since)),
            name: "the deployment's schedule".to_owned(),
            expression: expression.to_string(),
            timezone: "UTC".to_owned(),
            start_date: None,
            end_date: None,
            notification: CreateMessageRequest {
                title: Some(title.to_owned()),
                message: Some("Scheduled notification for <the fire time> UTC.".to_owned()),
                tags: vec!["calendar".to_owned()],
                ..CreateMessageRequest::default()
            },
            state: ScheduleState::Enabled,
            owner: ScheduleOwner::Configuration,
            created_date: since,
            updated_date: since,
        }
    }

    /// Its timing: the expression in its zone, from its start to its end.
    ///
    /// # Errors
    /// A stored schedule whose expression, zone or dates no longer parse.
    pub fn timing(&self) -> Result<Timing, ScheduleError> {
        Timing::new(
            self.expression.parse()?,
            time_zone(&self.timezone)?,
            self.start_date.unwrap_or(self.created_date),
            self.end_date,
        )
    }

    /// Whether it fires once (`at(…)`), and then ends.
    pub fn is_one_time(&self) -> bool {
        self.expression
            .parse::<rez_schedule::ScheduleExpression>()
            .is_ok_and(|e| matches!(e, rez_schedule::ScheduleExpression::At(_)))
    }

    /// Its next [`NEXT_FIRE_TIMES`] fire times after `after`; none when it is
    /// disabled or fires no more.
    pub fn next_fire_times(&self, after: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        match (self.state, self.timing()) {
            (ScheduleState::Enabled, Ok(timing)) => timing.next_fire_times(after, NEXT_FIRE_TIMES),
            _ => Vec::new(),
        }
    }

    /// The idempotency key of its fire at `fire`: a fire delivered twice
    /// makes one message.
    pub fn fire_key(&self, fire: DateTime<Utc>) -> IdempotencyKey {
        IdempotencyKey::Schedule(self.id.clone(), fire)
    }

    /// The message its fire at `fire` makes: its notification, created at
    /// the fire time, of type `scheduled`, with the schedule's id and the
    /// fire time in its arguments.
    ///
    /// # Errors
    /// A notification that no longer validates (a stored one was checked
    /// when it was stored).
    pub fn message_for(
        &self,
        fire: DateTime<Utc>,
        default_stage: Stage,
    ) -> Result<Message, ValidationError> {
        let mut notification = self.notification.clone();
        notification.message_type = Some(MessageType::Scheduled);
        notification
            .created_by
            .get_or_insert_with(|| SCHEDULER_CREATED_BY.to_owned());
        let mut message = notification.into_message(fire, default_stage)?;
        message.arguments.insert(
            SCHEDULE_ID_ARGUMENT.to_owned(),
            self.id.as_str().to_owned().into(),
        );
        message.arguments.insert(
            SCHEDULED_TIME_ARGUMENT.to_owned(),
            crate::time::format(fire).into(),
        );
        Ok(message)
    }
}
