//! When a record the processor gives back is tried again: growing waits on
//! a human time scale (30 s, 2 min, 10 min by the record's receive count),
//! never longer than the queue's own visibility timeout.
//!
//! Both homes use it: the Lambda hides a failed record with SQS
//! `ChangeMessageVisibility` through a [`RedeliveryScheduler`]
//! ([`Redelivery::schedule`]), and `rez-agent up`'s processor loop hides it
//! in the local queue for [`RedeliveryPolicy::delay`].

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use rez_core::ports::RedeliveryScheduler;

/// The waits before the second, third and later deliveries of a record the
/// processor reported as failed, by how often it was received: 30 s after
/// the first receive, 2 min after the second, 10 min after the third and
/// every later one.
pub const DEFAULT_REDELIVERY_DELAYS: [Duration; 3] = [
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
];

/// Receive count → wait before the next delivery, capped at a ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeliveryPolicy {
    delays: Vec<Duration>,
    ceiling: Duration,
}

impl RedeliveryPolicy {
    /// `delays[n - 1]` is the wait after the `n`th receive (the last one
    /// serves every later receive), each cut to `ceiling`: the queue's
    /// visibility timeout, the wait the queue would have imposed anyway.
    /// With no delays every wait is the ceiling.
    pub fn new(delays: impl IntoIterator<Item = Duration>, ceiling: Duration) -> Self {
        Self {
            delays: delays.into_iter().collect(),
            ceiling,
        }
    }

    /// [`DEFAULT_REDELIVERY_DELAYS`] under `ceiling`.
    pub fn standard(ceiling: Duration) -> Self {
        Self::new(DEFAULT_REDELIVERY_DELAYS, ceiling)
    }

    /// The wait before a record received `receive_count` times (1 the first
    /// time; 0, which no queue reports, counts as 1) is delivered again.
    pub fn delay(&self, receive_count: u32) -> Duration {
        let index = usize::try_from(receive_count.max(1) - 1).unwrap_or(usize::MAX);
        let wanted = self
            .delays
            .get(index)
            .or(self.delays.last())
            .copied()
            .unwrap_or(self.ceiling);
        wanted.min(self.ceiling)
    }

    /// The longest wait: the queue's visibility timeout.
    pub fn ceiling(&self) -> Duration {
        self.ceiling
    }
}

/// A record reported for redelivery, as the queue identifies this receive of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The queue's message id (what `batchItemFailures` names).
    pub id: String,
    /// Proof of this receive, which a visibility change needs.
    pub receipt_handle: String,
    /// How often the record has been received, this time included.
    pub receive_count: u32,
}

/// The policy and the queue it acts on.
#[derive(Clone)]
pub struct Redelivery {
    /// Changes a received record's visibility.
    pub scheduler: Arc<dyn RedeliveryScheduler>,
    /// How long each record waits.
    pub policy: RedeliveryPolicy,
}

impl std::fmt::Debug for Redelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redelivery")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Redelivery {
    /// Hides each record for the policy's wait, all at once. Never fails: a
    /// record whose visibility could not be changed is logged and still
    /// comes back, when the queue's visibility timeout ends; the caller
    /// reports every one of them for redelivery either way.
    pub async fn schedule(&self, receipts: &[Receipt]) {
        join_all(receipts.iter().map(|r| self.schedule_one(r))).await;
    }

    #[tracing::instrument(skip_all, fields(record_id = %receipt.id, receive_count = receipt.receive_count))]
    async fn schedule_one(&self, receipt: &Receipt) {
        let delay = self.policy.delay(receipt.receive_count);
        match self
            .scheduler
            .redeliver_after(&receipt.receipt_handle, delay)
            .await
        {
            Ok(()) => tracing::info!(delay_seconds = delay.as_secs(), "record comes back later"),
            Err(e) => tracing::warn!(
                error = %e,
                ceiling_seconds = self.policy.ceiling().as_secs(),
                "record comes back after the queue's visibility timeout instead"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rez_core::ports::RedeliveryError;
    use std::sync::Mutex;

    const fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_wait_grows_with_the_receive_count_and_stays_at_ten_minutes() {
        let policy = RedeliveryPolicy::standard(secs(1800));
        for (count, wait) in [
            (0, 30),
            (1, 30),
            (2, 120),
            (3, 600),
            (4, 600),
            (u32::MAX, 600),
        ] {
            assert_eq!(policy.delay(count), secs(wait), "receive {count}");
        }
    }

    #[test]
    fn no_wait_is_longer_than_the_queues_visibility_timeout() {
        let policy = RedeliveryPolicy::standard(secs(100));
        let waits: Vec<u64> = (1..=4).map(|n| policy.delay(n).as_secs()).collect();
        assert_eq!(waits, [30, 100, 100, 100]);
        assert_eq!(RedeliveryPolicy::standard(secs(1)).delay(1), secs(1));
    }

    #[test]
    fn without_delays_every_wait_is_the_ceiling() {
        let policy = RedeliveryPolicy::new([], secs(45));
        assert_eq!(policy.delay(1), secs(45));
        assert_eq!(policy.delay(7), secs(45));
    }

    /// Records each call; fails the handles it is told to.
    struct Recording {
        calls: Mutex<Vec<(String, Duration)>>,
        refuse: &'static str,
    }

    #[async_trait::async_trait]
    impl RedeliveryScheduler for Recording {
        async fn redeliver_after(
            &self,
            receipt_handle: &str,
            delay: Duration,
        ) -> Result<(), RedeliveryError> {
            self.calls
                .lock()
                .unwrap()
                .push((receipt_handle.to_owned(), delay));
            if receipt_handle == self.refuse {
                return Err(RedeliveryError {
                    reason: "ReceiptHandleIsInvalid".into(),
                });
            }
            Ok(())
        }
    }

    #[tokio::test]
    async fn each_receipt_gets_the_wait_of_its_receive_count_and_a_refusal_stops_nothing() {
        let scheduler = Arc::new(Recording {
            calls: Mutex::default(),
            refuse: "h1",
        });
        let redelivery = Redelivery {
            scheduler: scheduler.clone(),
            policy: RedeliveryPolicy::standard(secs(1800)),
        };
        let receipt = |n: u32| Receipt {
            id: format!("r{n}"),
            receipt_handle: format!("h{n}"),
            receive_count: n,
        };
        redelivery
            .schedule(&[receipt(1), receipt(2), receipt(3)])
            .await;
        let mut calls = scheduler.calls.lock().unwrap().clone();
        calls.sort();
        assert_eq!(
            calls,
            [
                ("h1".to_owned(), secs(30)),
                ("h2".to_owned(), secs(120)),
                ("h3".to_owned(), secs(600)),
            ]
        );
    }
}
