//! Submitting a new message: store it `queued`, publish it.
//!
//! The API and the scheduler both create messages through a [`Submitter`],
//! so the order of the steps (and what a failure in each leaves behind)
//! lives here once: [`StoreThenPublish`] where the store and the queue are
//! two services, [`OneWrite`] where they share a transaction.

use std::sync::Arc;

use crate::ports::{
    AtomicSubmitter, Created, MessageEvent, MessageStore, PublishError, Publisher, StatusChange,
    StoreError,
};
use crate::{IdempotencyKey, Message, Status};

/// What a submission did.
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
    /// Stored, but not published: the message is marked `created` and is
    /// published again by the stack's recovery (never lost).
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// Submits new messages: stores each already `queued` (honouring its
/// idempotency key) and publishes its event. The API and the schedulers
/// create every message through it.
#[async_trait::async_trait]
pub trait Submitter: Send + Sync {
    /// Submits `message`; a key seen before answers the message submitted
    /// then ([`Submitted::Replayed`]).
    ///
    /// # Errors
    /// [`SubmitError::Store`] when nothing was stored, [`SubmitError::Publish`]
    /// when the message is stored but not queued.
    async fn submit(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Submitted, SubmitError>;
}

/// The [`Submitter`] where the store and the queue share no transaction
/// (DynamoDB and SNS): store, then publish.
///
/// The message is stored `queued` first, so a delivery takes one write, not
/// two (a `created` write and a `created → queued` one): on DynamoDB that is
/// a transaction of the message and its counters, about a fifth of a
/// delivery's write units. Then:
///
/// - When the publish fails, the message is marked `created` again, so the
///   reconciler publishes it after its short grace
///   ([`ReconcilePolicy::publish_grace`](crate::reconcile::ReconcilePolicy::publish_grace)) and a
///   retry with the same key publishes it at once. That write is conditional
///   on `queued`: after a publish that failed but reached the queue, the
///   processor may hold the message already, and keeps it. Should the write
///   fail too (or the process die between the store and the publish), the
///   message stays `queued` without a record, and the reconciler publishes it
///   after [`ReconcilePolicy::queued_deadline`](crate::reconcile::ReconcilePolicy::queued_deadline):
///   later, never lost.
/// - A replayed key answers with the message stored the first time; if that
///   one is `created` (its publish failed), it is published now and marked
///   `queued`, so retrying with the same key is how a caller recovers.
#[derive(Clone)]
pub struct StoreThenPublish {
    store: Arc<dyn MessageStore>,
    publisher: Arc<dyn Publisher>,
}

impl StoreThenPublish {
    /// Submits into `store`, announcing through `publisher`.
    pub fn new(store: Arc<dyn MessageStore>, publisher: Arc<dyn Publisher>) -> Self {
        Self { store, publisher }
    }
}

#[async_trait::async_trait]
impl Submitter for StoreThenPublish {
    async fn submit(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Submitted, SubmitError> {
        let (store, publisher) = (self.store.as_ref(), self.publisher.as_ref());
        let mut queued = message.clone();
        queued.status = Status::Queued;
        match store.create(&queued, idempotency_key).await? {
            Created::New(stored) => match publisher.publish(&MessageEvent::of(&stored)).await {
                Ok(()) => Ok(Submitted::Accepted(stored)),
                Err(error) => {
                    mark_unpublished(store, &stored).await;
                    Err(error.into())
                }
            },
            Created::Existing(existing) if existing.status == Status::Created => Ok(
                Submitted::Replayed(enqueue(store, publisher, existing).await?),
            ),
            Created::Existing(existing) => Ok(Submitted::Replayed(existing)),
        }
    }
}

/// The [`Submitter`] where the store and the queue share a transaction (the
/// local stack's one SQLite database): the message and its queue event in
/// one write ([`AtomicSubmitter::create_queued`]); a publish never fails
/// apart from the store.
#[derive(Clone)]
pub struct OneWrite(Arc<dyn AtomicSubmitter>);

impl OneWrite {
    /// Submits through `atomic`.
    pub fn new(atomic: Arc<dyn AtomicSubmitter>) -> Self {
        Self(atomic)
    }
}

#[async_trait::async_trait]
impl Submitter for OneWrite {
    async fn submit(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Submitted, SubmitError> {
        Ok(
            match self.0.create_queued(message, idempotency_key).await? {
                Created::New(queued) => Submitted::Accepted(queued),
                Created::Existing(existing) => Submitted::Replayed(existing),
            },
        )
    }
}

/// Marks a message stored `queued` whose publish failed `created`, so the
/// reconciler's grace for unpublished messages applies to it. Best effort:
/// the message is kept either way (see [`StoreThenPublish`]).
async fn mark_unpublished(store: &dyn MessageStore, stored: &Message) {
    let unpublished = StatusChange::new(
        stored.id.clone(),
        &[Status::Queued],
        Status::Created,
        stored.updated_date,
    );
    match store.transition(&unpublished).await {
        Ok(_) => {}
        // Taken up already: the publish reached the queue after all.
        Err(StoreError::Conflict { .. }) => {}
        Err(error) => {
            tracing::warn!(message_id = %stored.id, %error, "unpublished, but left queued");
        }
    }
}

/// Publishes a stored `created` message and marks it `queued`.
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
    // The processor may already have moved the message on: that conflict
    // is expected and the message is read back instead. Once published, a
    // failed status write only changes which status the answer shows.
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
    use std::sync::atomic::Ordering;

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

    /// A store that counts its writes and can have the processor take a
    /// message up between the API's store and its own next write.
    #[derive(Default)]
    struct CountingStore {
        inner: MemoryStore,
        creates: std::sync::atomic::AtomicUsize,
        transitions: std::sync::atomic::AtomicUsize,
        processor_takes_it: std::sync::atomic::AtomicBool,
    }

    #[async_trait::async_trait]
    impl MessageStore for CountingStore {
        async fn create(
            &self,
            message: &Message,
            key: Option<&IdempotencyKey>,
        ) -> Result<Created, StoreError> {
            self.creates.fetch_add(1, Ordering::SeqCst);
            self.inner.create(message, key).await
        }
        async fn get(&self, id: &crate::MessageId) -> Result<Option<Message>, StoreError> {
            self.inner.get(id).await
        }
        async fn list(
            &self,
            query: &crate::ports::ListQuery,
        ) -> Result<crate::ports::Page, StoreError> {
            self.inner.list(query).await
        }
        async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError> {
            self.transitions.fetch_add(1, Ordering::SeqCst);
            if self.processor_takes_it.load(Ordering::SeqCst) {
                let from = [Status::Created, Status::Queued];
                let take =
                    StatusChange::new(change.id.clone(), &from, Status::Processing, change.at);
                self.inner.transition(&take).await?;
            }
            self.inner.transition(change).await
        }
        async fn metrics(
            &self,
            window: crate::ports::MetricsWindow,
        ) -> Result<crate::ports::Metrics, StoreError> {
            self.inner.metrics(window).await
        }
        async fn hourly_counts(
            &self,
            series: crate::ports::HourlySeries,
        ) -> Result<Vec<crate::ports::HourlyCounts>, StoreError> {
            self.inner.hourly_counts(series).await
        }
    }

    impl CountingStore {
        fn writes(&self) -> (usize, usize) {
            (
                self.creates.load(Ordering::SeqCst),
                self.transitions.load(Ordering::SeqCst),
            )
        }

        async fn status(&self, m: &Message) -> Status {
            self.inner.get(&m.id).await.unwrap().unwrap().status
        }
    }

    #[tokio::test]
    async fn store_then_publish_stores_the_message_queued_in_one_write_and_publishes() {
        let (store, publisher) = (
            Arc::new(CountingStore::default()),
            Arc::new(MemoryPublisher::new()),
        );
        let submitter = StoreThenPublish::new(store.clone(), publisher.clone());
        let m = message();
        let submitted = submitter.submit(&m, Some(&client_key())).await.unwrap();
        assert!(matches!(&submitted, Submitted::Accepted(q) if q.status == Status::Queued));
        assert_eq!(publisher.events(), vec![MessageEvent::of(&m)]);
        assert_eq!(store.status(&m).await, Status::Queued);
        assert_eq!(store.writes(), (1, 0), "one create, no transition");
    }

    #[tokio::test]
    async fn a_failed_publish_marks_the_message_created_and_a_replay_publishes_it() {
        let (store, publisher) = (
            Arc::new(CountingStore::default()),
            Arc::new(MemoryPublisher::new()),
        );
        let submitter = StoreThenPublish::new(store.clone(), publisher.clone());
        let m = message();
        publisher.fail_publishes(Some("topic unreachable"));
        let failed = submitter.submit(&m, Some(&client_key())).await;
        assert!(matches!(failed, Err(SubmitError::Publish(_))), "{failed:?}");
        assert_eq!(store.status(&m).await, Status::Created);

        publisher.fail_publishes(None);
        let replayed = submitter.submit(&m, Some(&client_key())).await.unwrap();
        assert!(matches!(&replayed, Submitted::Replayed(q) if q.status == Status::Queued));
        assert_eq!(publisher.events(), vec![MessageEvent::of(&m)]);
        assert_eq!(store.status(&m).await, Status::Queued);
    }

    #[tokio::test]
    async fn a_failed_publish_that_reached_the_queue_leaves_the_processor_its_message() {
        let (store, publisher) = (
            Arc::new(CountingStore::default()),
            Arc::new(MemoryPublisher::new()),
        );
        let submitter = StoreThenPublish::new(store.clone(), publisher.clone());
        let m = message();
        publisher.fail_publishes(Some("timed out after sending"));
        store.processor_takes_it.store(true, Ordering::SeqCst);
        let failed = submitter.submit(&m, None).await;
        assert!(matches!(failed, Err(SubmitError::Publish(_))), "{failed:?}");
        assert_eq!(store.status(&m).await, Status::Processing);
    }

    #[tokio::test]
    async fn a_replay_of_a_queued_message_publishes_nothing() {
        let (store, publisher) = (
            Arc::new(CountingStore::default()),
            Arc::new(MemoryPublisher::new()),
        );
        let submitter = StoreThenPublish::new(store.clone(), publisher.clone());
        let m = message();
        submitter.submit(&m, Some(&client_key())).await.unwrap();
        let replayed = submitter.submit(&m, Some(&client_key())).await.unwrap();
        assert!(matches!(replayed, Submitted::Replayed(_)));
        assert_eq!(publisher.events().len(), 1);
        assert_eq!(store.writes(), (2, 0));
    }

    #[tokio::test]
    async fn one_write_answers_what_the_atomic_write_stored() {
        let m = message();
        let submitter = OneWrite::new(Arc::new(Atomic));
        let accepted = submitter.submit(&m, None).await.unwrap();
        assert!(matches!(&accepted, Submitted::Accepted(q) if q.status == Status::Queued));
        let replayed = submitter.submit(&m, Some(&client_key())).await.unwrap();
        assert!(matches!(replayed, Submitted::Replayed(_)));
    }
}
