//! What the shared definition must keep, whichever home runs it.

use serde_json::Value;

use super::{NOTIFICATION_DEFINITION, NTFY_TIMEOUT};

/// The Lambda service exceptions AWS recommends retrying ("Handle Lambda
/// service exceptions", Step Functions developer guide), and the throttle.
const LAMBDA_SERVICE_EXCEPTIONS: &[&str] = &[
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];

#[test]
fn every_task_retries_all_the_lambda_service_exceptions() {
    let definition: Value =
        serde_json::from_str(NOTIFICATION_DEFINITION).unwrap_or_else(|e| panic!("{e}"));
    let states = definition["States"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut tasks = 0;
    for (name, state) in states.iter().filter(|(_, s)| s["Type"] == "Task") {
        tasks += 1;
        let retried: Vec<&str> = state["Retry"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["ErrorEquals"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        for exception in LAMBDA_SERVICE_EXCEPTIONS {
            assert!(
                retried.contains(exception),
                "{name} does not retry {exception}"
            );
        }
    }
    assert_eq!(
        tasks, 4,
        "LoadMessage, SendNotification, RecordSuccess, RecordFailure"
    );
}

#[test]
fn a_slow_ntfy_and_a_retry_after_wait_end_before_send_notifications_timeout() {
    let definition: Value =
        serde_json::from_str(NOTIFICATION_DEFINITION).unwrap_or_else(|e| panic!("{e}"));
    let state_timeout = definition["States"]["SendNotification"]["TimeoutSeconds"]
        .as_u64()
        .map(std::time::Duration::from_secs)
        .unwrap_or_else(|| panic!("SendNotification has a TimeoutSeconds"));
    let longest = NTFY_TIMEOUT + rez_send_notification::MAX_RETRY_AFTER_WAIT;
    assert!(
        longest < state_timeout,
        "ntfy's timeout plus the Retry-After wait ({longest:?}) must end before the state's {state_timeout:?}"
    );
}
