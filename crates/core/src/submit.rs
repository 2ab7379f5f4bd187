//! Submitting a new message: store it, publish it, mark it queued.
//!
//! The API and the scheduler both create messages this way, so the order of
//! the steps (and what a failure in each leaves behind) lives here once. A
//! stack whose store and queue share a transaction does all three in one
//! write through an [`AtomicSubmitter`].

use crate::ports::{
    AtomicSubmitter, Created, MessageEvent, MessageStore, PublishError, Publisher, StatusChange,
    StoreError,
};
use crate::{IdempotencyKey, Message, Status};

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
/// With an `atomic` submitter the three happen in its one write (the message
/// is stored already `queued`, beside its queue event), and `store` and
/// `publisher` are not used. Without one:
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
/// when the message is stored but not queued (never with `atomic`).
pub async fn submit(
    store: &dyn MessageStore,
    publisher: &dyn Publisher,
    atomic: Option<&dyn AtomicSubmitter>,
    message: &Message,
    idempotency_key: Option<&IdempotencyKey>,
) -> Result<Submitted, SubmitError> {
    if let Some(atomic) = atomic {
        return Ok(
            match atomic.create_queued(message, idempotency_key).await? {
                Created::New(queued) => Submitted::Accepted(queued),
                Created::Existing(existing) => Submitted::Replayed(existing),
            },
        );
    }
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
    publisher.publish(&MessageEvent::of(&stored)).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{MemoryPublisher, MemoryStore};
    use crate::{MessageType, Notification, Stage};

    /// Answers as a one-transaction stack would: the message, queued.
    struct Atomic;

    #[async_trait::async_trait]
    impl AtomicSubmitter for Atomic {
        async fn create_queued(
            &self,
            message: &Message,
            key: Option<&IdempotencyKey>,
        ) -> Result<Created, StoreError> {
            let mut queued = message.clone();
            queued.status = Status::Queued;
            Ok(match key {
                Some(_) => Created::Existing(queued),
                None => Created::New(queued),
            })
        }
    }

    fn message() -> Message {
        Message::new(
            chrono::Utc::now(),
            "test",
            Stage::Dev,
            MessageType::Notification,
            Notification::text("hi"),
        )
    }

    fn client_key() -> IdempotencyKey {
        IdempotencyKey::Client("k".into())
    }

    #[tokio::test]
    async fn without_an_atomic_submitter_it_stores_publishes_and_marks_queued() {
        let (store, publisher) = (MemoryStore::new(), MemoryPublisher::new());
        let m = message();
        let submitted = submit(&store, &publisher, None, &m, Some(&client_key()))
            .await
            .unwrap();
        assert_eq!(submitted.message().status, Status::Queued);
        assert_eq!(publisher.events(), vec![MessageEvent::of(&m)]);
        assert_eq!(
            store.get(&m.id).await.unwrap().unwrap().status,
            Status::Queued
        );
    }

    #[tokio::test]
    async fn an_atomic_submitter_does_all_three_and_the_other_ports_are_not_used() {
        let (store, publisher) = (MemoryStore::new(), MemoryPublisher::new());
        let m = message();
        let accepted = submit(&store, &publisher, Some(&Atomic), &m, None)
            .await
            .unwrap();
        assert!(matches!(&accepted, Submitted::Accepted(q) if q.status == Status::Queued));
        let replayed = submit(&store, &publisher, Some(&Atomic), &m, Some(&client_key()))
            .await
            .unwrap();
        assert!(matches!(replayed, Submitted::Replayed(_)));
        assert!(publisher.events().is_empty());
        assert!(store.get(&m.id).await.unwrap().is_none());
    }
}
