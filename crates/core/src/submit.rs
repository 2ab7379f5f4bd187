//! Submitting a new message: store it, publish it, mark it queued.
//!
//! The API and the scheduler both create messages this way, so the order of
//! the three steps (and what a failure in each leaves behind) lives here once.

use crate::ports::{
    Created, MessageEvent, MessageStore, PublishError, Publisher, StatusChange, StoreError,
};
use crate::{Message, Status};

/// What [`submit`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// The message was stored and published; this is it now (usually `queued`).
    Accepted(Message),
    /// The idempotency key was used before: the message submitted then.
    Replayed(Message),
}

impl Submitted {
    /// The message, however it was submitted.
    pub fn message(&self) -> &Message {
        match self {
            Submitted::Accepted(m) | Submitted::Replayed(m) => m,
        }
    }
}

/// Why a submission failed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Storing failed; nothing was kept.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stored, but not published: the message stays `created` and is
    /// published again by the stack's recovery (never lost).
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// Stores `message` (honouring `idempotency_key`), publishes its event and
/// marks it `queued`.
///
/// A replayed key answers with the message stored the first time; if that
/// one never got published (the first attempt failed to publish), it is
/// published now, so retrying with the same key is how a caller recovers.
/// Publishing happens before the `created → queued` write, so the processor
/// may already have moved the message on: that conflict is expected and the
/// message is read back instead. Once published, a failed status write only
/// changes which status the answer shows.
///
/// # Errors
/// [`SubmitError::Store`] when nothing was stored, [`SubmitError::Publish`]
/// when the message is stored but not queued.
pub async fn submit(
    store: &dyn MessageStore,
    publisher: &dyn Publisher,
    message: &Message,
    idempotency_key: Option<&str>,
) -> Result<Submitted, SubmitError> {
    match store.create(message, idempotency_key).await? {
        Created::New(stored) => Ok(Submitted::Accepted(
            enqueue(store, publisher, stored).await?,
        )),
        Created::Existing(existing) if existing.status == Status::Created => Ok(
            Submitted::Replayed(enqueue(store, publisher, existing).await?),
        ),
        Created::Existing(existing) => Ok(Submitted::Replayed(existing)),
    }
}

/// Publishes a stored message and marks it `queued`.
async fn enqueue(
    store: &dyn MessageStore,
    publisher: &dyn Publisher,
    stored: Message,
) -> Result<Message, SubmitError> {
    publisher
        .publish(&MessageEvent {
            message_id: stored.id.clone(),
            stage: stored.stage,
            message_type: stored.message_type,
        })
        .await?;
    let queued = StatusChange::new(
        stored.id.clone(),
        &[Status::Created],
        Status::Queued,
        stored.updated_date,
    );
    match store.transition(&queued).await {
        Ok(now) => Ok(now),
        Err(StoreError::Conflict { .. }) => Ok(store.get(&stored.id).await?.unwrap_or(stored)),
        Err(error) => {
            tracing::warn!(message_id = %stored.id, %error, "published but not marked queued");
            Ok(stored)
        }
    }
}
