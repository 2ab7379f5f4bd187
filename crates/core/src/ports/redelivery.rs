//! The redelivery port: how long a record the processor gives back stays
//! hidden before the queue hands it out again.

use std::time::Duration;

/// Sets when a received queue record is delivered again.
///
/// The processor calls it for each record it reports as failed; the queue
/// then keeps the record hidden for the chosen wait instead of its own
/// visibility timeout.
#[async_trait::async_trait]
pub trait RedeliveryScheduler: Send + Sync {
    /// Makes the record received with `receipt_handle` visible again
    /// `delay` from now.
    ///
    /// # Errors
    /// [`RedeliveryError`] when the queue refused (an expired or unknown
    /// receipt handle) or could not be reached; the record then comes back
    /// when its visibility timeout ends, as if this was never called.
    async fn redeliver_after(
        &self,
        receipt_handle: &str,
        delay: Duration,
    ) -> Result<(), RedeliveryError>;
}

/// The queue did not take a record's new wait.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("changing when a queue record is delivered again failed: {reason}")]
pub struct RedeliveryError {
    /// What went wrong.
    pub reason: String,
}
