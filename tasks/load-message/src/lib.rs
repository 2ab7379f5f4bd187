//! The LoadMessage task: read the message an execution delivers and mark it
//! `processing`.
//!
//! A message already `completed` is returned unchanged, so the workflow's
//! `AlreadyDelivered?` choice can end the execution without sending again.
//! A message taken up again (after a failed or interrupted execution) has its
//! `retry_count` raised.

mod error;

pub use error::LoadMessageError;

use rez_core::ports::{Clock, MessageStore, StatusChange};
use rez_core::{Message, MessageId, Status, TaskFailure};
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

/// Loads the message and marks it `processing` (unless already `completed`).
///
/// # Errors
/// [`LoadMessageError::NotFound`] when no such message exists,
/// [`LoadMessageError::Store`] when the store fails, and
/// [`LoadMessageError::Conflict`] when another execution changed it first.
#[tracing::instrument(
    skip_all,
    fields(message_id = %input.message_id, execution_id = input.execution_id.as_deref())
)]
pub async fn handle(deps: &Deps, input: LoadMessageInput) -> Result<Message, LoadMessageError> {
    let message = deps
        .store
        .get(&input.message_id)
        .await?
        .ok_or_else(|| LoadMessageError::NotFound(input.message_id.clone()))?;
    if message.status == Status::Completed {
        tracing::info!("message already delivered");
        return Ok(message);
    }
    // A message not yet taken may be `created` or `queued`: the API marks it
    // queued after publishing it, and the processor can get here between the
    // two. Either way it is this execution's to take; only a message taken
    // by another execution (`processing`, `failed`) must match what was read.
    let not_taken = [Status::Created, Status::Queued];
    let from: &[Status] = if not_taken.contains(&message.status) {
        &not_taken
    } else {
        std::slice::from_ref(&message.status)
    };
    let mut change = StatusChange::new(
        message.id.clone(),
        from,
        Status::Processing,
        deps.clock.now(),
    );
    change.execution_id = input.execution_id;
    change.increment_retry_count = matches!(message.status, Status::Processing | Status::Failed);
    Ok(deps.store.transition(&change).await?)
}

/// [`handle`] over JSON, for runtimes that pass task input as a value.
///
/// # Errors
/// The [`TaskFailure`] the state machine sees.
pub async fn invoke(
    deps: &Deps,
    input: serde_json::Value,
) -> Result<serde_json::Value, TaskFailure> {
    let input = rez_core::task::parse_input(input)?;
    let message = handle(deps, input).await?;
    rez_core::task::to_output(&message)
}

#[cfg(test)]
mod tests;
