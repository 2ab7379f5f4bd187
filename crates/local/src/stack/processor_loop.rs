//! The local event source mapping: queue → processor, in batches of up to 10.

use rez_processor::redelivery::RedeliveryPolicy;
use rez_processor::{Disposition, QueueRecord};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use rez_sqlite::SqliteQueue;

/// Most records handed to the processor at once (the SQS event source's batch size).
pub const BATCH_SIZE: usize = 10;
/// Longest idle wait before the queue is looked at again (a safety net: sends wake the loop at once).
const IDLE_WAIT: Duration = Duration::from_secs(1);
/// How long executions in flight may run on after shutdown begins (before
/// scaling): under the 30 s most supervisors wait before a SIGKILL, and far
/// under the definition's 240 s `TimeoutSeconds`.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(25);

/// How the processor loop runs.
#[derive(Debug, Clone)]
pub struct ProcessorLoopConfig {
    /// How long a received record stays hidden while its execution runs.
    pub visibility_timeout: Duration,
    /// How long a record reported for redelivery stays hidden before it is
    /// tried again, by its receive count: the Lambda's policy, scaled.
    pub redelivery: RedeliveryPolicy,
    /// Batches handled at the same time.
    pub max_batches_in_flight: usize,
    /// How long batches in flight may run on after `cancel` fires; then their
    /// executions are dropped and their records made visible again.
    pub shutdown_grace: Duration,
}

/// Receives batches until `cancel` fires, then lets batches in flight finish
/// for at most `config.shutdown_grace`.
///
/// Batches still running then are abandoned: their executions are dropped
/// (as a SIGKILL would) and their queue records made visible at once, so
/// the next start takes them up without waiting for the visibility timeout
/// (the message, still `processing`, is loaded again; a message already
/// `completed` is not sent again). Shutdown thus takes at most the grace plus
/// the few queue writes of the release.
pub async fn run(
    queue: SqliteQueue,
    deps: rez_processor::Deps,
    config: ProcessorLoopConfig,
    cancel: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(config.max_batches_in_flight.max(1)));
    let tracker = TaskTracker::new();
    let abandon = CancellationToken::new();
    loop {
        let permit = tokio::select! {
            () = cancel.cancelled() => break,
            permit = permits.clone().acquire_owned() => match permit { Ok(p) => p, Err(_) => break },
        };
        let batch = match queue.receive(BATCH_SIZE, config.visibility_timeout).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, "receiving from the queue failed");
                drop(permit);
                tokio::select! { () = cancel.cancelled() => break, () = tokio::time::sleep(IDLE_WAIT) => continue }
            }
        };
        if batch.is_empty() {
            drop(permit);
            tokio::select! { () = cancel.cancelled() => break, _ = queue.wait(IDLE_WAIT) => continue }
        }
        let (queue, deps, config, abandon) =
            (queue.clone(), deps.clone(), config.clone(), abandon.clone());
        tracker.spawn(async move {
            let _permit = permit;
            let records: Vec<QueueRecord> = batch
                .iter()
                .map(|r| QueueRecord { id: r.receipt_handle.clone(), body: r.body.clone() })
                .collect();
            let outcome = tokio::select! {
                outcome = rez_processor::handle_batch(&deps, &records) => outcome,
                () = abandon.cancelled() => {
                    release(&queue, &records).await;
                    return;
                }
            };
            for ((handle, disposition), received) in outcome.dispositions.into_iter().zip(&batch) {
                let result = match disposition {
                    Disposition::Acknowledge(_) => queue.delete(&handle).await,
                    Disposition::Retry(_) => {
                        let delay = config.redelivery.delay(received.receive_count);
                        queue.change_visibility(&handle, delay).await
                    }
                };
                if let Err(e) = result {
                    tracing::error!(error = %e, "updating a queue record failed; it will be redelivered");
                }
            }
        });
    }
    tracker.close();
    if tokio::time::timeout(config.shutdown_grace, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            grace = ?config.shutdown_grace,
            "executions still in flight after the shutdown grace: releasing their queue records"
        );
        abandon.cancel();
        tracker.wait().await;
    }
}

/// Makes abandoned records visible again at once.
async fn release(queue: &SqliteQueue, records: &[QueueRecord]) {
    for record in records {
        if let Err(e) = queue.change_visibility(&record.id, Duration::ZERO).await {
            tracing::error!(error = %e, "releasing a queue record failed; the next start releases it");
        }
    }
}
