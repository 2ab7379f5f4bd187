//! Idempotency keys, each in the namespace of whoever chose it.
//!
//! An API client chooses its own keys (the `Idempotency-Key` header); the
//! scheduler derives one from each fire time. The two must never meet: a
//! client sending the text of a scheduler key would otherwise be answered
//! with the scheduled message, or, sending it first, suppress it.
//!
//! Stores keep a key in its [stored form](IdempotencyKey::stored),
//! `<namespace>:<text>`: `client:deploy-42`,
//! `scheduler:2026-11-30T12:00:00.000000Z`. The namespace is everything
//! before the first `:`, and no namespace name contains one, so two keys
//! share a stored form only if they share namespace and text, whatever
//! characters a client's text holds (`client:scheduler:…` is a client key).
//! [`FromStr`] reads a stored form back.
//!
//! Keys stored before namespaces existed are *unnamespaced*: a client's key
//! as sent, the scheduler's as `schedule:<fire time>`.
//! [`IdempotencyKey::unnamespaced`] and
//! [`IdempotencyKey::from_unnamespaced`] translate, the second judging by
//! the message the key names, so a `schedule:` key a client sent stays a
//! client's.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::schedule::ScheduleId;
use crate::{Message, MessageType, ValidationError};

/// The namespace name of keys chosen by API clients.
const CLIENT: &str = "client";
/// The namespace name of the scheduler's fire-time keys.
const SCHEDULER: &str = "scheduler";

/// `created_by` of the messages the scheduler makes.
pub const SCHEDULER_CREATED_BY: &str = "scheduler";
/// The argument holding the fire time (in [`crate::time::format`]) of a
/// message the scheduler makes.
pub const SCHEDULED_TIME_ARGUMENT: &str = "scheduled_time";
/// What an unnamespaced scheduler key starts with, before its fire time.
const UNNAMESPACED_SCHEDULER_PREFIX: &str = "schedule:";

/// A key that makes creating a message idempotent: a create with a key seen
/// before answers with the message stored then, in that key's namespace only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdempotencyKey {
    /// A key an API client sent, its text as sent.
    Client(String),
    /// The scheduler's key for one fire time: at most one message per fire
    /// time. Stored to the microsecond, like every timestamp.
    Scheduler(DateTime<Utc>),
    /// The key of one fire of a schedule people defined: at most one
    /// message per schedule and fire time, in the scheduler's namespace
    /// (text `<schedule id>@<fire time>`).
    Schedule(ScheduleId, DateTime<Utc>),
}

impl IdempotencyKey {
    /// The name of the key's namespace: `client` or `scheduler`.
    pub fn namespace(&self) -> &'static str {
        match self {
            IdempotencyKey::Client(_) => CLIENT,
            IdempotencyKey::Scheduler(_) | IdempotencyKey::Schedule(..) => SCHEDULER,
        }
    }

    /// The form every store keeps: `<namespace>:<text>`, where a scheduler
    /// key's text is its fire time in [`crate::time::format`].
    ///
    /// Changing it changes what stored keys mean: the SQLite schema migrates
    /// stored keys, and the DynamoDB store names the form in its item ids.
    pub fn stored(&self) -> String {
        self.to_string()
    }

    /// The text this key was stored as before keys had namespaces: a
    /// client's key as sent, the scheduler's as `schedule:<fire time>`. Two
    /// keys can share it (a client could send `schedule:<fire time>`). A
    /// schedule's key came after namespaces and had no other form: its
    /// stored form.
    pub fn unnamespaced(&self) -> String {
        match self {
            IdempotencyKey::Client(text) => text.clone(),
            IdempotencyKey::Schedule(..) => self.stored(),
            IdempotencyKey::Scheduler(fire) => format!(
                "{UNNAMESPACED_SCHEDULER_PREFIX}{}",
                crate::time::format(*fire)
            ),
        }
    }

    /// The key an unnamespaced `text` stood for, judged by the message it
    /// named: a `schedule:<fire time>` key is the scheduler's when that
    /// message is the one the scheduler makes for that fire time (created by
    /// [`SCHEDULER_CREATED_BY`], type `scheduled`, argument
    /// [`SCHEDULED_TIME_ARGUMENT`] the same time, as written); any other key
    /// is a client's. The SQLite schema's migration 2 applies the same rule.
    pub fn from_unnamespaced(text: &str, message: &Message) -> IdempotencyKey {
        let fire = text
            .strip_prefix(UNNAMESPACED_SCHEDULER_PREFIX)
            .filter(|time| {
                message.created_by == SCHEDULER_CREATED_BY
                    && message.message_type == MessageType::Scheduled
                    && message
                        .arguments
                        .get(SCHEDULED_TIME_ARGUMENT)
                        .and_then(serde_json::Value::as_str)
                        == Some(*time)
            })
            .and_then(|time| crate::time::parse(time).ok());
        match fire {
            Some(fire) => IdempotencyKey::Scheduler(fire),
            None => IdempotencyKey::Client(text.to_owned()),
        }
    }
}

impl fmt::Display for IdempotencyKey {
    /// Writes the [stored form](IdempotencyKey::stored).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdempotencyKey::Client(text) => write!(f, "{CLIENT}:{text}"),
            IdempotencyKey::Scheduler(fire) => {
                write!(f, "{SCHEDULER}:{}", crate::time::format(*fire))
            }
            IdempotencyKey::Schedule(schedule, fire) => {
                write!(f, "{SCHEDULER}:{schedule}@{}", crate::time::format(*fire))
            }
        }
    }
}

impl FromStr for IdempotencyKey {
    type Err = ValidationError;

    /// Reads a [stored form](IdempotencyKey::stored) back.
    ///
    /// # Errors
    /// An unknown namespace, or a scheduler key whose text is not a time.
    fn from_str(stored: &str) -> Result<Self, Self::Err> {
        let invalid = |why: String| ValidationError::new("idempotency_key", why);
        match stored.split_once(':') {
            Some((CLIENT, text)) => Ok(IdempotencyKey::Client(text.to_owned())),
            Some((SCHEDULER, text)) => {
                let (schedule, time) = match text.split_once('@') {
                    Some((schedule, time)) => (Some(schedule.parse::<ScheduleId>()?), time),
                    None => (None, text),
                };
                let fire = crate::time::parse(time)
                    .map_err(|e| invalid(format!("'{time}' is not a fire time: {e}")))?;
                Ok(match schedule {
                    Some(schedule) => IdempotencyKey::Schedule(schedule, fire),
                    None => IdempotencyKey::Scheduler(fire),
                })
            }
            _ => Err(invalid(format!(
                "'{stored}' does not start with '{CLIENT}:' or '{SCHEDULER}:'"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fire() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
    }

    #[test]
    fn the_stored_form_names_the_namespace() {
        assert_eq!(
            IdempotencyKey::Client("deploy-42".into()).stored(),
            "client:deploy-42"
        );
        assert_eq!(
            IdempotencyKey::Scheduler(fire()).stored(),
            "scheduler:2026-11-30T12:00:00.000000Z"
        );
    }

    #[test]
    fn a_schedule_fire_key_names_the_schedule_and_the_time_in_the_scheduler_namespace() {
        let id: ScheduleId = "0193a1b2-0000-7000-8000-000000000001".parse().unwrap();
        let key = IdempotencyKey::Schedule(id.clone(), fire());
        assert_eq!(
            key.stored(),
            "scheduler:0193a1b2-0000-7000-8000-000000000001@2026-11-30T12:00:00.000000Z"
        );
        assert_ne!(key.stored(), IdempotencyKey::Scheduler(fire()).stored());
        let other = ScheduleId::generate(fire());
        assert_ne!(key, IdempotencyKey::Schedule(other, fire()));
    }

    #[test]
    fn no_client_text_is_stored_as_a_scheduler_key() {
        let scheduler = IdempotencyKey::Scheduler(fire());
        let lookalikes = [
            "schedule:2026-11-30T12:00:00.000000Z".to_owned(),
            scheduler.stored(),
            "2026-11-30T12:00:00.000000Z".to_owned(),
            ":scheduler:2026-11-30T12:00:00.000000Z".to_owned(),
            String::new(),
        ];
        for text in lookalikes {
            let client = IdempotencyKey::Client(text.clone());
            assert_ne!(client.stored(), scheduler.stored(), "{text}");
            assert_eq!(client.stored().parse::<IdempotencyKey>(), Ok(client));
        }
    }

    #[test]
    fn every_stored_form_reads_back_as_its_key() {
        let keys = [
            IdempotencyKey::Client("a:b#c".into()),
            IdempotencyKey::Client("scheduler:x".into()),
            IdempotencyKey::Scheduler(fire() + chrono::Duration::microseconds(7)),
            IdempotencyKey::Schedule(ScheduleId::generate(fire()), fire()),
        ];
        for key in keys {
            assert_eq!(key.stored().parse::<IdempotencyKey>(), Ok(key.clone()));
        }
    }

    #[test]
    fn a_stored_form_without_a_known_namespace_is_refused() {
        for stored in [
            "deploy-42",
            "schedule:2026-11-30T12:00:00Z",
            "scheduler:soon",
        ] {
            let err = stored.parse::<IdempotencyKey>().unwrap_err();
            assert_eq!(err.field, "idempotency_key", "{stored}");
        }
    }

    /// The message the scheduler makes for `fire`, as far as keys care.
    fn scheduled(fire: DateTime<Utc>) -> Message {
        let mut m = Message::new(
            fire,
            SCHEDULER_CREATED_BY,
            crate::Stage::Dev,
            MessageType::Scheduled,
            crate::Notification::text("x"),
        );
        m.arguments.insert(
            SCHEDULED_TIME_ARGUMENT.into(),
            crate::time::format(fire).into(),
        );
        m
    }

    #[test]
    fn an_unnamespaced_key_is_the_scheduler_s_only_when_its_message_is_the_fire_s() {
        let key = IdempotencyKey::Scheduler(fire());
        let text = key.unnamespaced();
        assert_eq!(text, "schedule:2026-11-30T12:00:00.000000Z");
        assert_eq!(
            IdempotencyKey::from_unnamespaced(&text, &scheduled(fire())),
            key
        );
        let mut posted = scheduled(fire());
        posted.created_by = "api".into();
        let mut other_time = scheduled(fire());
        other_time.arguments.insert(
            SCHEDULED_TIME_ARGUMENT.into(),
            "2026-11-30T13:00:00.000000Z".into(),
        );
        let mut notification = scheduled(fire());
        notification.message_type = MessageType::Notification;
        for message in [posted, other_time, notification] {
            assert_eq!(
                IdempotencyKey::from_unnamespaced(&text, &message),
                IdempotencyKey::Client(text.clone())
            );
        }
        let client = IdempotencyKey::Client("deploy-42".into());
        assert_eq!(
            IdempotencyKey::from_unnamespaced(&client.unnamespaced(), &scheduled(fire())),
            client
        );
    }
}
