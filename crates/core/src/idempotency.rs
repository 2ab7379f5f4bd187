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

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::ValidationError;

/// The namespace name of keys chosen by API clients.
const CLIENT: &str = "client";
/// The namespace name of the scheduler's fire-time keys.
const SCHEDULER: &str = "scheduler";

/// A key that makes creating a message idempotent: a create with a key seen
/// before answers with the message stored then, in that key's namespace only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdempotencyKey {
    /// A key an API client sent, its text as sent.
    Client(String),
    /// The scheduler's key for one fire time: at most one message per fire
    /// time. Stored to the microsecond, like every timestamp.
    Scheduler(DateTime<Utc>),
}

impl IdempotencyKey {
    /// The name of the key's namespace: `client` or `scheduler`.
    pub fn namespace(&self) -> &'static str {
        match self {
            IdempotencyKey::Client(_) => CLIENT,
            IdempotencyKey::Scheduler(_) => SCHEDULER,
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
}

impl fmt::Display for IdempotencyKey {
    /// Writes the [stored form](IdempotencyKey::stored).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdempotencyKey::Client(text) => write!(f, "{CLIENT}:{text}"),
            IdempotencyKey::Scheduler(fire) => {
                write!(f, "{SCHEDULER}:{}", crate::time::format(*fire))
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
            Some((SCHEDULER, text)) => crate::time::parse(text)
                .map(IdempotencyKey::Scheduler)
                .map_err(|e| invalid(format!("'{text}' is not a fire time: {e}"))),
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
}
