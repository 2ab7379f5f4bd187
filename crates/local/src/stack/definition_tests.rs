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
        tasks, 5,
        "LoadMessage, SendNotification, RecordSuccess, RecordDeferred, RecordFailure"
    );
}

#[test]
fn every_store_state_retries_a_crashed_task() {
    // A store task's write is the claim holder's and conditional, so doing
    // it again after a crash (Runtime.ExitError) is harmless; SendNotification
    // is not retried on a crash, which may have published.
    let definition: Value =
        serde_json::from_str(NOTIFICATION_DEFINITION).unwrap_or_else(|e| panic!("{e}"));
    for name in [
        "LoadMessage",
        "RecordSuccess",
        "RecordDeferred",
        "RecordFailure",
        "SendNotification",
    ] {
        let retried = definition["States"][name]["Retry"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["ErrorEquals"].as_array().into_iter().flatten())
            .any(|e| e == "Runtime.ExitError");
        assert_eq!(retried, name != "SendNotification", "{name}");
    }
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

/// Time a state may take in the worst case, in seconds: every attempt runs
/// to the state's `TimeoutSeconds` and every retry waits its longest
/// (`IntervalSeconds × BackoffRate^k`, capped at `MaxDelaySeconds`; a jitter
/// only shortens a wait). Each retrier counts its own attempts, so at most
/// one plus the sum of their `MaxAttempts` attempts run.
fn worst_case_seconds(name: &str, state: &Value) -> f64 {
    if state["Type"] != "Task" {
        return 0.0;
    }
    let timeout = state["TimeoutSeconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} has no TimeoutSeconds: its worst case is 60 s"));
    let mut attempts = 1.0;
    let mut waits = 0.0;
    for retrier in state["Retry"].as_array().into_iter().flatten() {
        let interval = retrier["IntervalSeconds"].as_f64().unwrap_or(1.0);
        let backoff = retrier["BackoffRate"].as_f64().unwrap_or(2.0);
        let cap = retrier["MaxDelaySeconds"].as_f64().unwrap_or(f64::INFINITY);
        let max_attempts = retrier["MaxAttempts"].as_u64().unwrap_or(3);
        attempts += max_attempts as f64;
        let mut wait = interval;
        for _ in 0..max_attempts {
            waits += wait.min(cap);
            wait *= backoff;
        }
    }
    attempts * timeout + waits
}

/// The states a state can go to next: `Next`, a Choice's branches and
/// `Default`, and every Catch's `Next`.
fn successors(state: &Value) -> Vec<&str> {
    let choices = state["Choices"].as_array().into_iter().flatten();
    let catches = state["Catch"].as_array().into_iter().flatten();
    [&state["Next"], &state["Default"]]
        .into_iter()
        .chain(choices.chain(catches).map(|c| &c["Next"]))
        .filter_map(Value::as_str)
        .collect()
}

/// The longest worst-case time from `name` to the end of the execution, and
/// the path that takes it. The definition has no loops (a loop would make
/// the recursion run away, and the test with it).
fn longest_path(states: &serde_json::Map<String, Value>, name: &str) -> (f64, Vec<String>) {
    let state = &states[name];
    let (rest, mut path) = successors(state)
        .into_iter()
        .map(|next| longest_path(states, next))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or_default();
    path.insert(0, name.to_owned());
    (worst_case_seconds(name, state) + rest, path)
}

/// The margin kept between the worst case and `TimeoutSeconds`: room for the
/// transitions themselves and for Lambda's own overheads.
const BUDGET_MARGIN_SECONDS: f64 = 20.0;

#[test]
fn every_attempt_timing_out_still_ends_in_a_recorded_outcome_before_the_execution_times_out() {
    let definition: Value =
        serde_json::from_str(NOTIFICATION_DEFINITION).unwrap_or_else(|e| panic!("{e}"));
    let states = definition["States"]
        .as_object()
        .unwrap_or_else(|| panic!("States is an object"));
    let start = definition["StartAt"].as_str().unwrap_or_default();
    let (worst, path) = longest_path(states, start);
    let budget = definition["TimeoutSeconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("the definition has a TimeoutSeconds"));
    assert!(
        worst + BUDGET_MARGIN_SECONDS <= budget,
        "the worst case {worst} s along {path:?}, plus a {BUDGET_MARGIN_SECONDS} s margin, \
         must fit in TimeoutSeconds {budget} s"
    );
    assert!(
        path.contains(&"RecordFailure".to_owned()),
        "the longest path ends by recording the failure: {path:?}"
    );
}

#[test]
fn a_claim_outlasts_every_execution_that_could_hold_it() {
    let definition: Value =
        serde_json::from_str(NOTIFICATION_DEFINITION).unwrap_or_else(|e| panic!("{e}"));
    let budget = definition["TimeoutSeconds"].as_i64().unwrap_or(i64::MAX);
    let express_limit = 300;
    assert!(
        budget <= express_limit,
        "Express executions end within 5 minutes"
    );
    assert!(
        rez_core::ports::CLAIM_LEASE.num_seconds() >= express_limit + 60,
        "a claim holds a minute past the longest Express execution, for task Lambdas that outlive their state"
    );
}

#[test]
fn the_worst_case_of_a_task_counts_every_attempt_and_every_capped_wait() {
    let task = serde_json::json!({
        "Type": "Task",
        "TimeoutSeconds": 10,
        "Retry": [
            {"ErrorEquals": ["A"], "IntervalSeconds": 5, "BackoffRate": 2.0, "MaxAttempts": 3, "MaxDelaySeconds": 12},
            {"ErrorEquals": ["B"], "IntervalSeconds": 1, "MaxAttempts": 2}
        ]
    });
    // 6 attempts × 10 s; waits 5 + 10 + 12 (capped) and 1 + 2.
    assert!((worst_case_seconds("T", &task) - 90.0).abs() < f64::EPSILON);
}
