//! The SendNotification task: publish a loaded message to ntfy.
//!
//! Failures are raised under their States error names (`Ntfy.RateLimited`,
//! `Ntfy.ServerError`, …) so the definition's Retry and Catch decide what
//! happens next; nothing here retries. Every error message starts with
//! `attempt N:` so RecordFailure can record how many publishes were tried.

mod timeout;

pub use timeout::{NTFY_TIMEOUT_VAR, NtfyTimeoutError, ntfy_timeout};

use chrono::{DateTime, Utc};
use rez_core::ports::{Clock, Notifier, NotifyErrorKind};
use rez_core::{FunctionError, MessageId, Notification};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The shortest wait the definition's `Ntfy.RateLimited` retrier makes
/// (its `IntervalSeconds`); a longer `Retry-After` is waited out here.
pub const RATE_LIMIT_RETRY_INTERVAL: Duration = Duration::from_secs(5);
/// How long one publish may take, in both homes: ntfy's answer plus
/// [`MAX_RETRY_AFTER_WAIT`] stays below SendNotification's `TimeoutSeconds`
/// (15 s), so a slow ntfy ends as `Ntfy.Unreachable` and a rate limit as
/// `Ntfy.RateLimited` (both retried by name) rather than as `States.Timeout`.
pub const NTFY_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest extra wait for a `Retry-After`, after an answer that took at
/// most [`NTFY_TIMEOUT`]: the two stay inside the task's timeout.
pub const MAX_RETRY_AFTER_WAIT: Duration = Duration::from_secs(4);

/// What the task needs from the world.
#[derive(Clone)]
pub struct Deps {
    /// The ntfy client.
    pub notifier: Arc<dyn Notifier>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
    /// Multiplies the task's own waits (1.0 in production; smaller in tests).
    pub time_scale: f64,
}

/// The task's input: the loaded message and the retry count of this attempt.
#[derive(Debug, Clone, Deserialize)]
pub struct SendInput {
    /// The message LoadMessage returned, as far as a publish reads it.
    pub message: MessageToSend,
    /// `$$.State.RetryCount`: 0 on the first attempt.
    #[serde(default)]
    pub attempt: u32,
    /// The execution doing the delivery (`$$.Execution.Id`), for the logs.
    #[serde(default)]
    pub execution_id: Option<String>,
}

/// The part of a loaded message that a publish reads. The definition passes
/// more (every field a whole [`rez_core::Message`] needs); the rest is not read.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageToSend {
    /// The message's id, ntfy's `sequence_id`.
    pub id: MessageId,
    /// What to publish.
    pub payload: Notification,
}

/// What ntfy accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOutput {
    /// ntfy's id for the notification.
    pub ntfy_id: String,
    /// ntfy's receive time.
    pub ntfy_time: DateTime<Utc>,
    /// When the publish was accepted, by our clock.
    #[serde(with = "rez_core::time::serde_sortable")]
    pub delivered_at: DateTime<Utc>,
    /// Publishes tried in this execution, this one included.
    pub attempts: u32,
}

/// Publishes the message's notification with its id as ntfy's `sequence_id`.
///
/// # Errors
/// The classified failure as the task reports it: its States error name
/// (`Ntfy.RateLimited`, …) and `attempt N: what happened`.
// An ERROR-level span, so its ids stay on the lines written at every log level.
#[tracing::instrument(
    level = "error",
    skip_all,
    fields(
        message_id = %input.message.id,
        execution_id = input.execution_id.as_deref(),
        attempt = input.attempt + 1
    )
)]
pub async fn handle(deps: &Deps, input: SendInput) -> Result<SendOutput, FunctionError> {
    let attempts = input.attempt.saturating_add(1);
    match deps
        .notifier
        .notify(&input.message.id, &input.message.payload)
        .await
    {
        Ok(delivery) => Ok(SendOutput {
            ntfy_id: delivery.ntfy_id,
            ntfy_time: delivery.time,
            delivered_at: deps.clock.now(),
            attempts,
        }),
        Err(error) => {
            tracing::warn!(kind = error.kind.error_name(), %error, "publish failed");
            if error.kind == NotifyErrorKind::RateLimited {
                wait_out_retry_after(deps, error.retry_after).await;
            }
            Err(FunctionError::new(
                error.kind.error_name(),
                rez_core::task::attempt_message(attempts, &error),
            ))
        }
    }
}

/// Waits the part of a `Retry-After` that the definition's retrier would not.
async fn wait_out_retry_after(deps: &Deps, retry_after: Option<Duration>) {
    let extra = retry_after
        .unwrap_or_default()
        .saturating_sub(RATE_LIMIT_RETRY_INTERVAL)
        .min(MAX_RETRY_AFTER_WAIT);
    if !extra.is_zero() && deps.time_scale > 0.0 {
        tokio::time::sleep(extra.mul_f64(deps.time_scale)).await;
    }
}

#[cfg(test)]
mod tests;
