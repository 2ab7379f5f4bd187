//! Start-up recovery: take up what a stopped or killed process left behind.

use rez_core::ports::{
    ListQuery, MessageEvent, MessageStore, PublishError, Publisher, StatusChange, StoreError,
};
use rez_core::{Cursor, Status, ValidationError};

use rez_sqlite::{Abort, QueueError, SqliteQueue, SqliteStore};

/// Why recovery could not take up the previous run's work.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// The message or execution store failed.
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    /// The queue failed.
    #[error("the queue: {0}")]
    Queue(#[from] QueueError),
    /// A message stored but never published could not be published.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// The store answered a cursor it does not take back.
    #[error("the store's list cursor: {0}")]
    Cursor(#[from] ValidationError),
}

/// The error of an execution closed because the process running it stopped.
///
/// Not a `States.*` name: those are the service's own, and AWS shows an
/// execution stopped by `StopExecution` with the error its caller gave.
pub const PROCESS_STOPPED: &str = "RezAgent.ProcessStopped";
/// The cause shown beside [`PROCESS_STOPPED`].
pub const PROCESS_STOPPED_CAUSE: &str = "rez-agent stopped while this execution was running \
     (killed, or the shutdown grace ran out); the history it had recorded until then was lost \
     with the process";

/// What recovery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Executions left `RUNNING` by the previous process, now `ABORTED`.
    pub aborted: usize,
    /// Queue records that were in flight and are visible again.
    pub released: usize,
    /// Messages the previous run's executions had claimed (`processing`),
    /// given back as `queued` for their released records to take up.
    pub unclaimed: usize,
    /// Messages stored but never published, now published.
    pub republished: usize,
    /// Messages left `created` whose event was already in the queue: marked
    /// `queued` without a second send.
    pub already_queued: usize,
}

/// Closes the executions the previous process left `RUNNING` as `ABORTED`
/// (see [`SqliteStore::abort_running_executions`]), makes in-flight queue
/// records visible at once (their process is gone: this process holds the
/// data dir's lock, so nothing else runs them) and publishes messages still
/// `created` (stored, but the process died before publishing them). A
/// `created` message whose event already is in the queue (the process died
/// between the send and the `created → queued` write) is only marked
/// `queued`: a second record would run a second execution beside the first.
/// Messages left `processing` are given back as `queued`: the executions
/// that claimed them were the previous process's, and are over.
///
/// # Errors
/// The store or the queue failed.
pub async fn recover(
    executions: &SqliteStore,
    queue: &SqliteQueue,
    store: &dyn MessageStore,
    publisher: &dyn Publisher,
) -> Result<Recovered, RecoveryError> {
    let aborted = executions
        .abort_running_executions(&Abort {
            at: chrono::Utc::now(),
            error: PROCESS_STOPPED.to_owned(),
            cause: PROCESS_STOPPED_CAUSE.to_owned(),
        })
        .await?;
    let released = queue.release_in_flight().await?;
    let unclaimed = release_claims(store).await?;
    let mut republished = 0;
    let mut already_queued = 0;
    let enqueued = queue.enqueued_message_ids().await?;
    let mut cursor: Option<Cursor> = None;
    loop {
        let query = ListQuery {
            status: Some(Status::Created),
            limit: 500,
            cursor: cursor.take(),
            ..Default::default()
        };
        let page = store.list(&query).await?;
        for message in &page.items {
            let event = MessageEvent {
                message_id: message.id.clone(),
                stage: message.stage,
                message_type: message.message_type,
            };
            let sent = !enqueued.contains(message.id.as_str());
            if sent {
                publisher.publish(&event).await?;
            }
            let change = StatusChange::new(
                message.id.clone(),
                &[Status::Created],
                Status::Queued,
                chrono::Utc::now(),
            );
            match store.transition(&change).await {
                Ok(_) | Err(StoreError::Conflict { .. }) if sent => republished += 1,
                Ok(_) | Err(StoreError::Conflict { .. }) => already_queued += 1,
                Err(e) => return Err(e.into()),
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::decode(&next, &query.filter_fingerprint())?),
            None => break,
        }
    }
    Ok(Recovered {
        aborted,
        released,
        unclaimed,
        republished,
        already_queued,
    })
}

/// [`recover`] over the stack's adapters, logging what it took up.
///
/// # Errors
/// The store or the queue failed.
pub(super) async fn take_up_previous_run(
    adapters: &super::adapters::Adapters,
) -> Result<Recovered, RecoveryError> {
    let recovered = recover(
        &adapters.store,
        &adapters.queue,
        adapters.messages.as_ref(),
        adapters.publisher.as_ref(),
    )
    .await?;
    if recovered != Recovered::default() {
        tracing::info!(
            aborted = recovered.aborted,
            released = recovered.released,
            unclaimed = recovered.unclaimed,
            republished = recovered.republished,
            already_queued = recovered.already_queued,
            "took up the previous run's work"
        );
    }
    Ok(recovered)
}

/// Gives every `processing` message back as `queued`, counting the
/// interrupted delivery as a retry: this process holds the data dir's lock
/// and has started no execution yet, so every claim belongs to an execution
/// of a previous process, which is over.
async fn release_claims(store: &dyn MessageStore) -> Result<usize, RecoveryError> {
    let mut released = 0;
    // Each released message leaves the `processing` index, so the first page
    // is read again until it is empty; a message that changed meanwhile
    // (a conflict) cannot, so the pass stops at a page with nothing released.
    loop {
        let query = ListQuery {
            status: Some(Status::Processing),
            limit: 500,
            ..Default::default()
        };
        let page = store.list(&query).await?;
        let mut released_now = 0;
        for message in &page.items {
            let mut change = StatusChange::new(
                message.id.clone(),
                &[Status::Processing],
                Status::Queued,
                chrono::Utc::now(),
            );
            change.increment_retry_count = true;
            match store.transition(&change).await {
                Ok(_) => released_now += 1,
                Err(StoreError::Conflict { .. } | StoreError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        released += released_now;
        if released_now == 0 || page.next_cursor.is_none() {
            return Ok(released);
        }
    }
}
