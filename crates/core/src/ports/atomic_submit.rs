//! The atomic submission port: store a new message and enqueue it in one write.

use crate::{IdempotencyKey, Message};

use super::store::{Created, StoreError};

/// Stores a new message already `queued` together with its queue event
/// ([`MessageEvent`](super::MessageEvent)), committing both or neither.
///
/// Only a stack whose store and queue share one transaction can offer it (the
/// local stack: one SQLite database holds the messages and the queue), as
/// the [`OneWrite`](crate::OneWrite) submitter. Elsewhere
/// [`StoreThenPublish`](crate::StoreThenPublish) takes two steps: store
/// `queued`, publish (DynamoDB and SNS cannot share a transaction).
#[async_trait::async_trait]
pub trait AtomicSubmitter: Send + Sync {
    /// Stores `message` (status `created`, as built) changed to `queued` at its
    /// `updated_date`, honouring `idempotency_key`, and enqueues its event.
    ///
    /// A key seen before answers [`Created::Existing`] with the message stored
    /// then, and writes nothing, unless that message is still `created` (an
    /// earlier two-step submission failed to publish it): then it is marked
    /// `queued` and enqueued in the same write, and answered as it is now.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`], [`StoreError::Unavailable`] or
    /// [`StoreError::Corrupt`]; nothing was written.
    async fn create_queued(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError>;
}
