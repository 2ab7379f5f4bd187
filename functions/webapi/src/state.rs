//! What every handler shares: the ports, the API key and the service's settings.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rez_core::ports::{
    Clock, DeadLetterQueue, ExecutionReader, MessageStore, MetricsSink, Publisher, ScheduleRunner,
    ScheduleStore,
};
use rez_core::{Stage, Submitter};
use subtle::ConstantTimeEq;

/// Longest API key accepted, in bytes.
const MAX_API_KEY_BYTES: usize = 1024;

/// The handlers' dependencies, cloned cheaply into each request.
#[derive(Clone)]
pub struct ApiState {
    /// Where messages live.
    pub store: Arc<dyn MessageStore>,
    /// Announces new messages to the queue that feeds the processor.
    pub publisher: Arc<dyn Publisher>,
    /// Stores new messages `queued` and publishes them: in one write where
    /// the store and the queue share a transaction (the local stack), in two
    /// steps through the store and the topic otherwise (DynamoDB and SNS).
    pub submitter: Arc<dyn Submitter>,
    /// The source of "now" for new messages and status changes.
    pub clock: Arc<dyn Clock>,
    /// Recorded workflow executions; `None` where they are not kept (the
    /// execution routes then answer 404).
    pub executions: Option<Arc<dyn ExecutionReader>>,
    /// The queue's dead letters; `None` where they are not exposed (the
    /// `/api/dlq` routes then answer 404).
    pub dead_letters: Option<Arc<dyn DeadLetterQueue>>,
    /// The schedules people define and what fires them; `None` where this
    /// deployment does not run them (the `/api/schedules` routes then answer 404).
    pub schedules: Option<Schedules>,
    /// The state machine definition the deployment runs; `None` where it is
    /// not exposed (the `/api/statemachine` routes then answer 404).
    pub state_machine: Option<StateMachineInfo>,
    /// Where MessagesCreated goes for every message accepted.
    pub metrics: Arc<dyn MetricsSink>,
    /// The key every route but `/api/health` requires; `None` turns auth off.
    pub api_key: Option<ApiKey>,
    /// The stage new messages get when the request names none.
    pub stage: Stage,
    /// Origins allowed to call the API from a browser, each parsed as a
    /// [`CorsOrigin`](crate::CorsOrigin) (`*` allows any); empty turns CORS
    /// off, and a value that does not parse is skipped with a warning.
    pub cors_origins: Vec<String>,
}

/// Where schedules are stored, and what makes them fire.
#[derive(Clone)]
pub struct Schedules {
    /// The schedules.
    pub store: Arc<dyn ScheduleStore>,
    /// Told of every change once the store has it.
    pub runner: Arc<dyn ScheduleRunner>,
}

impl fmt::Debug for ApiState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiState")
            .field("executions", &self.executions.is_some())
            .field("dead_letters", &self.dead_letters.is_some())
            .field("schedules", &self.schedules.is_some())
            .field(
                "state_machine",
                &self.state_machine.as_ref().map(|m| m.name.as_str()),
            )
            .field("api_key", &self.api_key)
            .field("stage", &self.stage)
            .field("cors_origins", &self.cors_origins)
            .finish_non_exhaustive()
    }
}

/// A state machine the API shows: its name and its definition.
#[derive(Debug, Clone)]
pub struct StateMachineInfo {
    /// The state machine's name.
    pub name: String,
    /// Its Amazon States Language definition.
    pub definition: Arc<serde_json::Value>,
}

/// The API key clients send as `Authorization: Bearer <key>`.
///
/// It is a secret: `Debug` prints `***`, nothing displays it, and it is
/// compared in constant time.
#[derive(Clone)]
pub struct ApiKey(Arc<str>);

/// A key that cannot be sent in an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the API key must be 1 to {MAX_API_KEY_BYTES} visible ASCII characters")]
pub struct InvalidApiKey;

impl ApiKey {
    /// Wraps `key`.
    ///
    /// # Errors
    /// [`InvalidApiKey`] when `key` is empty, longer than 1024 bytes, or holds
    /// anything but visible ASCII (so it could never arrive in a header).
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidApiKey> {
        let key = key.into();
        let visible = key.bytes().all(|b| b.is_ascii_graphic());
        if key.is_empty() || key.len() > MAX_API_KEY_BYTES || !visible {
            return Err(InvalidApiKey);
        }
        Ok(Self(key.into()))
    }

    /// Whether `candidate` is this key, compared in constant time (only the
    /// length, which is not secret, can end the comparison early).
    pub fn matches(&self, candidate: &str) -> bool {
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }

    /// The key's text, for checks that need the secret itself (a SigV4
    /// signature is an HMAC keyed with it). Never log or echo it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl FromStr for ApiKey {
    type Err = InvalidApiKey;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_matches_only_itself_and_never_prints() {
        let key = ApiKey::new("s3cret-key").unwrap();
        assert!(key.matches("s3cret-key"));
        for other in ["", "s3cret", "s3cret-key ", "S3CRET-KEY"] {
            assert!(!key.matches(other), "{other}");
        }
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
    }

    #[test]
    fn keys_that_cannot_travel_in_a_header_are_refused() {
        for bad in ["", "has space", "tab\t", "é", &"k".repeat(1025)] {
            assert_eq!(ApiKey::new(bad).unwrap_err(), InvalidApiKey, "{bad}");
        }
        assert!("ok".parse::<ApiKey>().is_ok());
    }
}
