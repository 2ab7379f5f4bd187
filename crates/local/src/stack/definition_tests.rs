//! What the shared definition must keep, whichever home runs it.

use serde_json::Value;

use super::NOTIFICATION_DEFINITION;

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
