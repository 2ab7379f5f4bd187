//! Retry bookkeeping for one state: which retrier applies and how long to wait.

use rand::Rng;

use crate::definition::{Jitter, Retrier, State};
use crate::errors::StatesError;

/// Attempts used per retrier of one state entry.
pub(crate) struct RetryState<'a> {
    retriers: &'a [Retrier],
    used: Vec<u64>,
}

impl<'a> RetryState<'a> {
    pub(crate) fn new(state: &'a State) -> Self {
        let retriers = state
            .error_handling()
            .map(|h| h.retry.as_slice())
            .unwrap_or(&[]);
        RetryState {
            retriers,
            used: vec![0; retriers.len()],
        }
    }

    /// Retries done so far (`$$.State.RetryCount`).
    pub(crate) fn total(&self) -> u32 {
        u32::try_from(self.used.iter().sum::<u64>()).unwrap_or(u32::MAX)
    }

    /// The seconds to wait before retrying `error`, or `None` when no retrier
    /// applies or the first matching one is exhausted (ASL spec: the first
    /// retrier whose `ErrorEquals` matches is the only one consulted).
    pub(crate) fn next_delay(&mut self, error: &StatesError) -> Option<f64> {
        if !error.retryable {
            return None;
        }
        let index = self
            .retriers
            .iter()
            .position(|r| r.error_equals.iter().any(|e| error.matches(e)))?;
        let retrier = self.retriers.get(index)?;
        let used = self.used.get_mut(index)?;
        if *used >= retrier.max_attempts() {
            return None;
        }
        let base = retrier.base_delay_seconds(*used);
        *used += 1;
        Some(match retrier.jitter_strategy {
            Jitter::None => base,
            Jitter::Full => rand::rng().random_range(0.0..=base),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(retry: serde_json::Value) -> State {
        serde_json::from_value(
            json!({"Type": "Task", "Resource": "r", "End": true, "Retry": retry}),
        )
        .expect("state")
    }

    #[test]
    fn delays_grow_by_backoff_and_stop_after_max_attempts() {
        let state = task(
            json!([{"ErrorEquals": ["E"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 3}]),
        );
        let mut retries = RetryState::new(&state);
        let err = StatesError::task("E", None);
        assert_eq!(retries.next_delay(&err), Some(2.0));
        assert_eq!(retries.next_delay(&err), Some(6.0));
        assert_eq!(retries.next_delay(&err), Some(18.0));
        assert_eq!(retries.next_delay(&err), None);
        assert_eq!(retries.total(), 3);
    }

    #[test]
    fn only_the_first_matching_retrier_counts() {
        let state = task(json!([
            {"ErrorEquals": ["E"], "MaxAttempts": 1},
            {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}
        ]));
        let mut retries = RetryState::new(&state);
        let err = StatesError::task("E", None);
        assert_eq!(retries.next_delay(&err), Some(1.0));
        assert_eq!(retries.next_delay(&err), None);
    }

    #[test]
    fn max_attempts_zero_never_retries_and_runtime_errors_are_not_retried() {
        let state = task(json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]));
        let mut retries = RetryState::new(&state);
        assert_eq!(retries.next_delay(&StatesError::task("E", None)), None);
        let state = task(json!([{"ErrorEquals": ["States.Runtime"]}]));
        let mut retries = RetryState::new(&state);
        assert_eq!(retries.next_delay(&StatesError::runtime("x")), None);
    }

    #[test]
    fn full_jitter_stays_within_the_base_delay() {
        let state =
            task(json!([{"ErrorEquals": ["E"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]));
        let mut retries = RetryState::new(&state);
        let delay = retries
            .next_delay(&StatesError::task("E", None))
            .unwrap_or(-1.0);
        assert!((0.0..=4.0).contains(&delay));
    }
}
