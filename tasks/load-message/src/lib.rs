//! The LoadMessage task: read the message an execution delivers and mark it
//! `processing`.
//!
//! A message already `completed` is returned unchanged, so the workflow's
//! `AlreadyDelivered?` choice can end the execution without sending again.
//! A message taken up again (after a failed or interrupted execution) has its
//! `retry_count` raised.
//!
//! The message is claimed: one execution at a time owns it. An execution
//! that finds another's live claim fails with `Message.Claimed`, which the
//! definition routes to a Succeed state without publishing; a claim whose
//! execution is gone (its lease, [`rez_core::ports::CLAIM_LEASE`], passed) is
//! taken over.

mod error;

pub use error::LoadMessageError;

use chrono::{DateTime, Utc};
use rez_core::ports::{ClaimRule, Clock, MessageStore, StatusChange, StoreError};
use rez_core::{Message, MessageId, Status};
use serde::Deserialize;
use std::sync::Arc;

/// What the task needs from the world.
#[derive(Clone)]
pub struct Deps {
    /// Where messages live.
    pub store: Arc<dyn MessageStore>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
}

/// The task's input, as the state machine's `Parameters` build it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LoadMessageInput {
    /// The message to load.
    pub message_id: MessageId,
    /// The execution doing the delivery (`$$.Execution.Id`).
    #[serde(default)]
    pub execution_id: Option<String>,
}

/// Loads the message and claims it for the execution: marks it `processing`
/// under the execution's id (unless it is already `completed`).
///
/// # Errors
/// [`LoadMessageError::NotFound`] when no such message exists,
/// [`LoadMessageError::Claimed`] when another execution holds a live claim on
/// it, [`LoadMessageError::Store`] when the store fails, and
/// [`LoadMessageError::Conflict`] when it kept changing under us.
// An ERROR-level span, so its ids stay on the lines written at every log level.
#[tracing::instrument(
    level = "error",
    skip_all,
    fields(message_id = %input.message_id, execution_id = input.execution_id.as_deref())
)]
pub async fn handle(deps: &Deps, input: LoadMessageInput) -> Result<Message, LoadMessageError> {
    // A conflict means the message changed between our read and our write:
    // read it again and judge it anew, once; a second conflict is reported.
    let mut conflict = None;
    for _ in 0..2 {
        let message = deps
            .store
            .get(&input.message_id)
            .await?
            .ok_or_else(|| LoadMessageError::NotFound(input.message_id.clone()))?;
        if message.status == Status::Completed {
            tracing::info!("message already delivered");
            return Ok(message);
        }
        let now = deps.clock.now();
        let taken_by_another = message.execution_id != input.execution_id;
        if taken_by_another && message.is_claimed_at(now) {
            tracing::info!(
                owner = message.execution_id.as_deref(),
                "another execution holds the message's claim"
            );
            return Err(LoadMessageError::Claimed {
                id: message.id.clone(),
                owner: message.execution_id.clone().unwrap_or_default(),
                until: message.claim_expires_at(),
            });
        }
        match deps
            .store
            .transition(&claim(&message, &input, now, taken_by_another))
            .await
        {
            Err(StoreError::Conflict { .. }) => conflict = Some(message.id),
            other => return Ok(other?),
        }
    }
    Err(LoadMessageError::Conflict(
        conflict.unwrap_or_else(|| input.message_id.clone()),
    ))
}

/// The change that claims `message` for the input's execution at `now`.
fn claim(
    message: &Message,
    input: &LoadMessageInput,
    now: DateTime<Utc>,
    taken_by_another: bool,
) -> StatusChange {
    // A message not yet taken may be `created` or `queued`: the API marks it
    // queued after publishing it, and the processor can get here between the
    // two. Either way it is this execution's to take; a message taken before
    // (`processing` under an expired claim or our own, `failed` and sent
    // round again) must still be as it was read.
    let not_taken = [Status::Created, Status::Queued];
    let from: &[Status] = if not_taken.contains(&message.status) {
        &not_taken
    } else {
        std::slice::from_ref(&message.status)
    };
    let mut change = StatusChange::new(message.id.clone(), from, Status::Processing, now);
    change.execution_id.clone_from(&input.execution_id);
    change.claim = ClaimRule::Take;
    // A retry of our own LoadMessage (after a state timeout) is not a new
    // delivery; another execution taking the message up again is.
    change.increment_retry_count =
        taken_by_another && matches!(message.status, Status::Processing | Status::Failed);
    change
}

#[cfg(test)]
mod tests;
