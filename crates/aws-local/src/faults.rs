//! Faults the tests drive: the next N calls of an AWS operation answer with
//! an error instead of reaching moto or Step Functions, and the next N SQS
//! deliveries reach the processor twice.

use std::sync::Mutex;

use serde::Deserialize;

/// An error the edge answers instead of the service, in the JSON protocol's
/// shape (`{"__type", "message"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InjectedError {
    /// The operation, as `X-Amz-Target` names it
    /// (`AWSStepFunctions.StartSyncExecution`, `DynamoDB_20120810.TransactWriteItems`).
    pub operation: String,
    /// How many calls in a row get the error.
    pub count: u32,
    /// The HTTP status (400 for throttling and conflicts).
    pub status: u16,
    /// The error's `__type` (`ThrottlingException`, `TransactionCanceledException`).
    pub error_type: String,
    /// Its message.
    pub message: String,
    /// More members of the error's body (DynamoDB's `CancellationReasons`).
    #[serde(default)]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// How long the call is held before the error answers it (0: at once).
    /// A held call never reaches the service, so a test can kill its caller
    /// while it waits: a crash between two steps, with nothing written.
    #[serde(default)]
    pub delay_ms: u64,
}

/// The faults waiting to happen.
#[derive(Debug, Default)]
pub struct Faults {
    errors: Mutex<Vec<InjectedError>>,
    duplicate_deliveries: Mutex<u32>,
}

impl Faults {
    /// Queues an error for the next `error.count` calls of its operation.
    pub fn inject(&self, error: InjectedError) {
        if error.count > 0 {
            lock(&self.errors).push(error);
        }
    }

    /// The error the next call of `operation` gets, if one is waiting.
    pub fn take_error(&self, operation: &str) -> Option<InjectedError> {
        let mut errors = lock(&self.errors);
        let index = errors.iter().position(|e| e.operation == operation)?;
        let error = errors[index].clone();
        errors[index].count -= 1;
        if errors[index].count == 0 {
            errors.remove(index);
        }
        Some(error)
    }

    /// Drops the errors still waiting for `operation`: its next calls reach
    /// the service again.
    pub fn clear(&self, operation: &str) {
        lock(&self.errors).retain(|e| e.operation != operation);
    }

    /// Makes the next `count` SQS batches reach the processor twice, at once.
    pub fn duplicate_deliveries(&self, count: u32) {
        *lock(&self.duplicate_deliveries) += count;
    }

    /// Whether this batch is to be delivered twice.
    pub fn take_duplicate_delivery(&self) -> bool {
        let mut left = lock(&self.duplicate_deliveries);
        if *left == 0 {
            return false;
        }
        *left -= 1;
        true
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_injected_error_hits_exactly_its_count_of_calls_of_its_operation() {
        let faults = Faults::default();
        faults.inject(InjectedError {
            operation: "AWSStepFunctions.StartSyncExecution".into(),
            count: 2,
            status: 400,
            error_type: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            details: serde_json::Map::new(),
            delay_ms: 0,
        });
        assert!(faults.take_error("DynamoDB_20120810.PutItem").is_none());
        assert!(
            faults
                .take_error("AWSStepFunctions.StartSyncExecution")
                .is_some()
        );
        assert!(
            faults
                .take_error("AWSStepFunctions.StartSyncExecution")
                .is_some()
        );
        assert!(
            faults
                .take_error("AWSStepFunctions.StartSyncExecution")
                .is_none()
        );
        faults.inject(InjectedError {
            operation: "AWSStepFunctions.StartSyncExecution".into(),
            count: 1000,
            status: 400,
            error_type: "ThrottlingException".into(),
            message: "Rate exceeded".into(),
            details: serde_json::Map::new(),
            delay_ms: 0,
        });
        faults.clear("AWSStepFunctions.StartSyncExecution");
        assert!(
            faults
                .take_error("AWSStepFunctions.StartSyncExecution")
                .is_none()
        );
        faults.duplicate_deliveries(1);
        assert!(faults.take_duplicate_delivery());
        assert!(!faults.take_duplicate_delivery());
    }
}
