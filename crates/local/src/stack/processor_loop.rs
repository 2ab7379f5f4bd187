//! The local event source mapping: queue → processor, in batches of up to 10.

use rez_processor::{Disposition, QueueRecord};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::sqlite::SqliteQueue;

/// Most records handed to the processor at once (the SQS event source's batch size).
pub const BATCH_SIZE: usize = 10;
/// Longest idle wait before the queue is looked at again (a safety net: sends wake the loop at once).
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// How the processor loop runs.
#[derive(Debug, Clone)]
pub struct ProcessorLoopConfig {
    /// How long a received record stays hidden while its execution runs.
    pub visibility_timeout: Duration,
    /// How long a record reported for redelivery stays hidden before it is tried again.
    pub redelivery_delay: Duration,
    /// Batches handled at the same time.
    pub max_batches_in_flight: usize,
}

/// Receives batches until `cancel` fires, then waits for batches in flight.
pub async fn run(
    queue: SqliteQueue,
    deps: rez_processor::Deps,
    config: ProcessorLoopConfig,
    cancel: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(config.max_batches_in_flight.max(1)));
    let tracker = TaskTracker::new();
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
        let (queue, deps, config) = (queue.clone(), deps.clone(), config.clone());
        tracker.spawn(async move {
            let _permit = permit;
            let records: Vec<QueueRecord> = batch
                .iter()
                .map(|r| QueueRecord { id: r.receipt_handle.clone(), body: r.body.clone() })
                .collect();
            let outcome = rez_processor::handle_batch(&deps, &records).await;
            for (handle, disposition) in outcome.dispositions {
                let result = match disposition {
                    Disposition::Acknowledge(_) => queue.delete(&handle).await,
                    Disposition::Retry(_) => queue.change_visibility(&handle, config.redelivery_delay).await,
                };
                if let Err(e) = result {
                    tracing::error!(error = %e, "updating a queue record failed; it will be redelivered");
                }
            }
        });
    }
    tracker.close();
    tracker.wait().await;
}
