//! What must hold between the declared resources before anything starts,
//! so a drift between the program, the definition and the Rust code fails
//! at start with a sentence naming it instead of as a slow test later:
//!
//! - every Task of the state machine invokes a declared function, through
//!   its alias or its version;
//! - a Task's `TimeoutSeconds` is below its function's timeout, so the state
//!   machine's own timeout is what a hung task meets first (and Retry sees
//!   `States.Timeout`, not a killed sandbox);
//! - the function an SQS event source invokes may run at least as long as
//!   the state machine (the processor waits for `StartSyncExecution`);
//! - a queue's visibility timeout is at least the timeout of the function
//!   its event source invokes, which AWS itself requires of
//!   `CreateEventSourceMapping`.

use serde_json::Value;

use crate::AwsLocalError;
use crate::declared::Declared;

/// Checks the rules above.
///
/// # Errors
/// [`AwsLocalError::Inconsistent`] with every rule broken, one per line.
pub fn check(declared: &Declared) -> Result<(), AwsLocalError> {
    let mut problems = Vec::new();
    for machine in &declared.state_machines {
        let definition: Value = match serde_json::from_str(&machine.definition) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!(
                    "the definition of {} is not JSON: {e}",
                    machine.name
                ));
                continue;
            }
        };
        let mut tasks = Vec::new();
        collect_tasks(&definition, &mut tasks);
        for (state, task) in tasks {
            check_task(declared, &machine.name, state, task, &mut problems);
        }
        let machine_timeout = definition.get("TimeoutSeconds").and_then(Value::as_u64);
        for mapping in &declared.event_source_mappings {
            let Some((function, _)) = declared.function(&mapping.function_arn) else {
                problems.push(format!(
                    "the event source of {} invokes {}, which is not a declared function",
                    mapping.event_source_arn, mapping.function_arn
                ));
                continue;
            };
            if let Some(limit) = machine_timeout.filter(|t| *t > function.timeout) {
                problems.push(format!(
                    "{} may run {} s but waits for {}, which may run {limit} s",
                    function.name, function.timeout, machine.name
                ));
            }
        }
    }
    for mapping in &declared.event_source_mappings {
        let (Some(queue), Some((function, _))) = (
            declared.queue(&mapping.event_source_arn),
            declared.function(&mapping.function_arn),
        ) else {
            continue;
        };
        let visibility = queue.visibility_timeout_seconds.unwrap_or(30);
        if visibility < function.timeout {
            problems.push(format!(
                "Queue visibility timeout: {visibility} seconds is less than Function timeout: {} seconds ({} → {})",
                function.timeout, queue.name, function.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AwsLocalError::Inconsistent(problems.join("\n")))
    }
}

fn check_task(
    declared: &Declared,
    machine: &str,
    state: &str,
    task: &Value,
    problems: &mut Vec<String>,
) {
    let Some(resource) = task.get("Resource").and_then(Value::as_str) else {
        return;
    };
    if !resource.starts_with("arn:aws:lambda:") {
        return;
    }
    let Some((function, qualifier)) = declared.function(resource) else {
        problems.push(format!(
            "{machine}: state {state} invokes {resource}, which is not a declared function"
        ));
        return;
    };
    if let Some(q) = qualifier
        .as_deref()
        .filter(|q| *q != function.alias.name && *q != function.version && *q != "$LATEST")
    {
        problems.push(format!(
            "{machine}: state {state} invokes {resource}, but {} has no alias or version {q}",
            function.name
        ));
    }
    let timeout = task
        .get("TimeoutSeconds")
        .and_then(Value::as_u64)
        .unwrap_or(60);
    if timeout >= function.timeout {
        problems.push(format!(
            "{machine}: state {state} waits {timeout} s for {}, whose timeout is {} s",
            function.name, function.timeout
        ));
    }
}

/// Every Task state, in Parallel branches and Map processors too.
fn collect_tasks<'a>(definition: &'a Value, out: &mut Vec<(&'a str, &'a Value)>) {
    let Some(states) = definition.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        match state.get("Type").and_then(Value::as_str) {
            Some("Task") => out.push((name, state)),
            Some("Parallel") => {
                for branch in state
                    .get("Branches")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    collect_tasks(branch, out);
                }
            }
            Some("Map") => {
                for key in ["ItemProcessor", "Iterator"] {
                    if let Some(inner) = state.get(key) {
                        collect_tasks(inner, out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function";

    fn declared(
        task_timeout: u64,
        function_timeout: u64,
        visibility: u64,
        resource: &str,
    ) -> Declared {
        let definition = serde_json::json!({
            "StartAt": "Send", "TimeoutSeconds": 240,
            "States": {"Send": {"Type": "Task", "Resource": resource, "TimeoutSeconds": task_timeout, "End": true}}
        });
        let text = serde_json::json!({
            "stage": "dev", "region": "us-east-1", "account": "123456789012",
            "functions": [
                {"key": "send", "name": "send", "arn": format!("{ARN}:send"), "version": "1", "zip": "/z",
                 "handler": "bootstrap", "runtime": "provided.al2023", "memorySize": 128,
                 "timeout": function_timeout, "environment": {},
                 "alias": {"name": "live", "arn": format!("{ARN}:send:live"), "functionVersion": "1", "additionalVersionWeights": {}}},
                {"key": "processor", "name": "processor", "arn": format!("{ARN}:processor"), "version": "1", "zip": "/z",
                 "handler": "bootstrap", "runtime": "provided.al2023", "memorySize": 128,
                 "timeout": 300, "environment": {},
                 "alias": {"name": "live", "arn": format!("{ARN}:processor:live"), "functionVersion": "1", "additionalVersionWeights": {}}}
            ],
            "table": {"name": "t", "arn": "arn:t", "hashKey": "id", "rangeKey": null, "attributes": [],
                      "globalSecondaryIndexes": [], "ttlAttribute": null},
            "topic": {"name": "n", "arn": "arn:n"},
            "queues": [{"name": "q", "arn": "arn:q", "url": "https://sqs/q", "visibilityTimeoutSeconds": visibility,
                        "messageRetentionSeconds": null, "receiveWaitTimeSeconds": null, "redrivePolicy": null}],
            "subscriptions": [], "parameters": [],
            "eventSourceMappings": [{"eventSourceArn": "arn:q", "functionArn": format!("{ARN}:processor:live"),
                "batchSize": 10, "functionResponseTypes": [], "maximumBatchingWindowInSeconds": null, "enabled": true}],
            "schedules": [], "httpApis": [],
            "stateMachines": [{"name": "m", "arn": "arn:m", "type": "EXPRESS", "definition": definition.to_string()}]
        });
        serde_json::from_value(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn problems(d: &Declared) -> String {
        match check(d) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_consistent_deployment_passes() {
        assert_eq!(
            problems(&declared(15, 20, 1800, &format!("{ARN}:send:live"))),
            ""
        );
    }

    #[test]
    fn each_drift_is_named() {
        let task = problems(&declared(20, 20, 1800, &format!("{ARN}:send:live")));
        assert!(
            task.contains("state Send waits 20 s for send, whose timeout is 20 s"),
            "{task}"
        );
        let unknown = problems(&declared(15, 20, 1800, &format!("{ARN}:sned:live")));
        assert!(
            unknown.contains("which is not a declared function"),
            "{unknown}"
        );
        let alias = problems(&declared(15, 20, 1800, &format!("{ARN}:send:canary")));
        assert!(alias.contains("has no alias or version canary"), "{alias}");
        let visibility = problems(&declared(15, 20, 60, &format!("{ARN}:send:live")));
        assert!(
            visibility.contains(
                "Queue visibility timeout: 60 seconds is less than Function timeout: 300 seconds"
            ),
            "{visibility}"
        );
    }
}
