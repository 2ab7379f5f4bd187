//! An in-memory [`Publisher`] that keeps every event it is given.

use std::sync::{Mutex, MutexGuard};

use crate::ports::{MessageEvent, PublishError, Publisher};

/// Records the events published to it, in order; can be told to fail every
/// publish, to test what a caller does when the topic is unreachable.
#[derive(Debug, Default)]
pub struct MemoryPublisher {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    events: Vec<MessageEvent>,
    /// When set, every publish fails with this reason.
    failure: Option<String>,
}

impl MemoryPublisher {
    /// A publisher that records and succeeds.
    pub fn new() -> Self {
        Self::default()
    }

    /// The events published so far.
    pub fn events(&self) -> Vec<MessageEvent> {
        self.state().events.clone()
    }

    /// From now on, fail every publish with `reason` (`Some`), or record
    /// again (`None`).
    pub fn fail_publishes(&self, reason: Option<&str>) {
        self.state().failure = reason.map(str::to_owned);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock left whole events.
        match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[async_trait::async_trait]
impl Publisher for MemoryPublisher {
    async fn publish(&self, event: &MessageEvent) -> Result<(), PublishError> {
        let mut state = self.state();
        if let Some(reason) = &state.failure {
            return Err(PublishError {
                message_id: event.message_id.clone(),
                reason: reason.clone(),
            });
        }
        state.events.push(event.clone());
        Ok(())
    }
}
