//! The RecordSuccess / RecordDeferred / RecordFailure task: write how a
//! delivery ended.
//!
//! One function serves the three states; the definition's `outcome` field
//! says which. A deferred message waits for ntfy's daily quota to reset; the
//! reconciler sends it round again then. Only the execution that holds the message's claim (the one
//! LoadMessage marked it `processing` for) records an outcome; any other
//! finds its write refused and records nothing. A failure never overwrites a
//! completed message.

mod error;

pub use error::RecordError;

use chrono::{DateTime, Utc};
use rez_core::ports::{
    ClaimRule, Clock, MessageStore, MetricEvent, MetricsSink, StatusChange, StoreError,
};
use rez_core::task::attempts_from_message;
use rez_core::{FunctionError, MessageId, Status};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the task needs from the world.
#[derive(Clone)]
pub struct Deps {
    /// Where messages live.
    pub store: Arc<dyn MessageStore>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
    /// Where NotificationsDelivered/NotificationsFailed/DeliveryAttempts/
    /// DeliveryLatencyMs go when a final status is recorded.
    pub metrics: Arc<dyn MetricsSink>,
}

/// What SendNotification returned, as far as this task reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryRecord {
    /// ntfy's id.
    pub ntfy_id: String,
    /// When ntfy accepted it.
    pub delivered_at: DateTime<Utc>,
    /// Publishes tried.
    pub attempts: u32,
}

/// The States error output a Catch put at `$.error`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorOutput {
    /// The error name.
    #[serde(rename = "Error")]
    pub error: String,
    /// The cause text.
    #[serde(rename = "Cause", default)]
    pub cause: Option<String>,
}

/// The task's input.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RecordInput {
    /// RecordSuccess.
    Success {
        /// The message.
        message_id: MessageId,
        /// The execution (`$$.Execution.Id`).
        execution_id: String,
        /// What ntfy accepted.
        delivery: DeliveryRecord,
    },
    /// RecordDeferred: ntfy's daily quota is used up; the message waits for
    /// its reset (see [`rez_core::reconcile::quota_retry_at`]).
    Deferred {
        /// The message.
        message_id: MessageId,
        /// The execution (`$$.Execution.Id`).
        execution_id: String,
        /// The error that deferred it.
        error: ErrorOutput,
    },
    /// RecordFailure.
    Failure {
        /// The message.
        message_id: MessageId,
        /// The execution (`$$.Execution.Id`).
        execution_id: String,
        /// The error that ended the delivery.
        error: ErrorOutput,
    },
}

impl RecordInput {
    /// The message whose delivery ended.
    pub fn message_id(&self) -> &MessageId {
        match self {
            Self::Success { message_id, .. }
            | Self::Deferred { message_id, .. }
            | Self::Failure { message_id, .. } => message_id,
        }
    }

    /// The execution that delivered it.
    pub fn execution_id(&self) -> &str {
        match self {
            Self::Success { execution_id, .. }
            | Self::Deferred { execution_id, .. }
            | Self::Failure { execution_id, .. } => execution_id,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOutput {
    /// Whether the store changed.
    pub recorded: bool,
    /// The message's status afterwards, when it exists.
    pub status: Option<Status>,
}

/// Writes the final status.
///
/// # Errors
/// [`RecordError`] when the store fails or the message vanished before a success.
// An ERROR-level span, so its ids stay on the lines written at every log level.
#[tracing::instrument(
    level = "error",
    skip_all,
    fields(message_id = %input.message_id(), execution_id = input.execution_id())
)]
pub async fn handle(deps: &Deps, input: RecordInput) -> Result<RecordOutput, RecordError> {
    let now = deps.clock.now();
    let change = match input {
        RecordInput::Success {
            message_id,
            execution_id,
            delivery,
        } => {
            let mut c = StatusChange::new(
                message_id,
                &[
                    Status::Processing,
                    Status::Queued,
                    Status::Created,
                    Status::Failed,
                ],
                Status::Completed,
                now,
            );
            c.execution_id = Some(execution_id);
            c.claim = ClaimRule::Holder;
            c.delivered_at = Some(delivery.delivered_at);
            c.ntfy_message_id = Some(delivery.ntfy_id);
            c.delivery_attempts = Some(delivery.attempts);
            c.error_message = Some(None);
            c
        }
        RecordInput::Deferred {
            message_id,
            execution_id,
            error,
        } => {
            let (mut c, reason) = ended_by_error(
                message_id,
                &[Status::Processing],
                Status::Deferred,
                execution_id,
                &error,
                now,
            );
            let retry_at = rez_core::reconcile::quota_retry_at(now);
            c.error_message = Some(Some(format!(
                "{reason}; tried again after {}",
                rez_core::time::format(retry_at)
            )));
            c
        }
        RecordInput::Failure {
            message_id,
            execution_id,
            error,
        } => {
            let from = [
                Status::Processing,
                Status::Queued,
                Status::Created,
                Status::Failed,
            ];
            let (mut c, reason) =
                ended_by_error(message_id, &from, Status::Failed, execution_id, &error, now);
            c.error_message = Some(Some(reason));
            c
        }
    };
    let success = change.to == Status::Completed;
    match deps.store.transition(&change).await {
        Ok(m) => {
            tracing::info!(status = %m.status, attempts = m.delivery_attempts, "recorded the final status");
            if let Some(event) = MetricEvent::finished(&m) {
                deps.metrics.record(&event);
            }
            Ok(RecordOutput {
                recorded: true,
                status: Some(m.status),
            })
        }
        Err(StoreError::Conflict { current, .. }) => {
            tracing::info!(%current, "final status already recorded");
            Ok(RecordOutput {
                recorded: false,
                status: Some(current),
            })
        }
        Err(StoreError::NotFound(id)) if !success => {
            tracing::warn!(message_id = %id, "failure of a message that does not exist");
            Ok(RecordOutput {
                recorded: false,
                status: None,
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// The change to `to` of a delivery the claim holder ended with `error`,
/// and the reason to store: the error name, then what happened.
fn ended_by_error(
    message_id: MessageId,
    from: &[Status],
    to: Status,
    execution_id: String,
    error: &ErrorOutput,
    now: DateTime<Utc>,
) -> (StatusChange, String) {
    let failure = FunctionError::from_cause(&error.error, error.cause.as_deref().unwrap_or(""));
    let mut change = StatusChange::new(message_id, from, to, now);
    change.execution_id = Some(execution_id);
    change.claim = ClaimRule::Holder;
    change.delivery_attempts = attempts_from_message(&failure.error_message);
    (change, describe(&error.error, &failure.error_message))
}

/// The stored `error_message`: the error name, then what happened.
fn describe(error: &str, message: &str) -> String {
    if message.is_empty() {
        error.to_owned()
    } else {
        format!("{error}: {message}")
    }
}

#[cfg(test)]
mod tests;
