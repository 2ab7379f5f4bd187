//! The local reconciler: every [`RECONCILE_INTERVAL`] (scaled), move on the
//! messages nothing else will (see [`rez_core::reconcile`]), as the
//! reconcile schedule does on AWS.
//!
//! Locally the store and the queue share one database, so a message is never
//! stored without its record, and a record in the dead-letter queue marks
//! its message failed at once; what is left to find here are claims whose
//! execution died (a task killed after ntfy accepted) and deferred messages
//! whose quota wait is over.

use std::sync::Arc;
use std::time::Duration;

use rez_core::ports::{Clock, MessageStore, Publisher};
use rez_core::reconcile::{ReconcilePolicy, Reconciler};
use tokio_util::sync::CancellationToken;

/// How often the reconciler runs, before scaling by `--time-scale`: the
/// same rate as the deployment's reconcile schedule on AWS.
pub const RECONCILE_INTERVAL: Duration = Duration::from_secs(300);

/// What the loop reaches.
pub struct ReconcileLoop {
    /// Where messages live.
    pub store: Arc<dyn MessageStore>,
    /// The local queue's publisher.
    pub publisher: Arc<dyn Publisher>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
    /// The wait between runs (already scaled).
    pub interval: Duration,
}

/// Runs the reconciler every `interval` until `cancel` fires; a failed run is
/// logged and the next interval tries again.
pub async fn run(parts: ReconcileLoop, cancel: CancellationToken) {
    let policy = ReconcilePolicy::default();
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(parts.interval) => {}
        }
        let reconciler = Reconciler {
            store: parts.store.as_ref(),
            publisher: parts.publisher.as_ref(),
            clock: parts.clock.as_ref(),
            policy: &policy,
            // The local queue marks a dead letter's message itself.
            dead_letters: None,
        };
        if let Err(e) = reconciler.run().await {
            tracing::error!(error = %e, "reconciler: the store failed; trying again next interval");
        }
    }
}
