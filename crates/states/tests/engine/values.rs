//! The execution's values: payloads in the history are written when read
//! (from the execution's arena on the main path, as text in branches), the
//! output reads in place, and the values' total size is bounded.

use rez_states::{EventType, ExecutionOptions, ExecutionStatus, StateMachine};
use serde_json::{Value, json};

use crate::helpers::{Scripted, run_echo};

/// The `input` or `output` text of every event that has one, in order.
fn payload_texts(execution: &rez_states::Execution) -> Vec<(EventType, String)> {
    execution
        .history
        .iter()
        .filter_map(|event| {
            let details = event.details.as_object()?.values().next()?;
            let text = ["input", "output", "parameters"]
                .iter()
                .find_map(|key| details.get(*key)?.as_str())?;
            Some((event.event_type, text.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn main_path_and_branch_payloads_read_as_each_state_saw_them() -> Result<(), String> {
    let definition = r#"{"StartAt": "Load", "States": {
        "Load": {"Type": "Task", "Resource": "load", "Parameters": {"id.$": "$.id", "tag": "t\"q"},
                 "ResultPath": "$.loaded", "Next": "Both"},
        "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Done", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"a": 1}, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "b",
                "Parameters": {"seen.$": "$.loaded.id"}, "End": true}}}]},
        "Done": {"Type": "Succeed"}}}"#;
    let execution = run_echo(definition, json!({"id": "m-1"})).await?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    let loaded = json!({"id": "m-1", "loaded": {"id": "m-1", "tag": "t\"q"}});
    let both = json!({"id": "m-1", "loaded": {"id": "m-1", "tag": "t\"q"},
        "both": [{"a": 1}, {"seen": "m-1"}]});
    let expected: Vec<(EventType, Value)> = vec![
        (EventType::ExecutionStarted, json!({"id": "m-1"})),
        (EventType::TaskStateEntered, json!({"id": "m-1"})),
        (
            EventType::TaskScheduled,
            json!({"id": "m-1", "tag": "t\"q"}),
        ),
        (
            EventType::TaskSucceeded,
            json!({"id": "m-1", "tag": "t\"q"}),
        ),
        (EventType::TaskStateExited, loaded.clone()),
        (EventType::ParallelStateEntered, loaded.clone()),
    ];
    let texts = payload_texts(&execution);
    for (at, (event_type, value)) in expected.iter().enumerate() {
        let (seen_type, text) = texts.get(at).ok_or(format!("no event {at}"))?;
        assert_eq!(seen_type, event_type, "event {at}");
        // Text as AWS writes it: compact, keys in order.
        assert_eq!(text, &value.to_string(), "event {at}");
    }
    // Branch events (text written as they ran) and the main path after the join.
    let text_of = |wanted: EventType| {
        texts
            .iter()
            .filter(|(event_type, _)| *event_type == wanted)
            .map(|(_, text)| serde_json::from_str::<Value>(text).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()
    };
    assert_eq!(
        text_of(EventType::TaskScheduled)?[1],
        json!({"seen": "m-1"})
    );
    assert_eq!(text_of(EventType::PassStateExited)?, vec![json!({"a": 1})]);
    assert_eq!(text_of(EventType::ParallelStateExited)?, vec![both.clone()]);
    assert_eq!(text_of(EventType::ExecutionSucceeded)?, vec![both.clone()]);
    let output = execution.output.as_ref().ok_or("no output")?;
    assert_eq!(
        output
            .json()
            .get("both")
            .and_then(|b| b.index(1))
            .and_then(|b| b.get("seen"))
            .and_then(|s| s.as_str()),
        Some("m-1"),
        "read in place"
    );
    assert!(*output == both);

    // The history reads the same after a serde round trip, cloned, or as a vector.
    let text = serde_json::to_string(&execution.history).map_err(|e| e.to_string())?;
    let back: rez_states::History = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    assert_eq!(back, execution.history);
    assert_eq!(execution.history.clone(), execution.history);
    assert_eq!(
        execution.history.clone().into_vec(),
        execution.history.to_vec()
    );
    Ok(())
}

/// Five states that each add a 20 KB string: every payload is far below
/// AWS's 256 KiB, but together they pass a 64 KiB limit on the values.
const GROWING: &str = r#"{"StartAt": "S1", "States": {
    "S1": {"Type": "Pass", "Parameters": {"big.$": "$.big"}, "ResultPath": "$.s1", "Next": "S2"},
    "S2": {"Type": "Pass", "Parameters": {"big.$": "$.big"}, "ResultPath": "$.s2", "Next": "S3"},
    "S3": {"Type": "Pass", "Parameters": {"big.$": "States.Format('{}', $.big)"}, "ResultPath": "$.s3", "Next": "S4"},
    "S4": {"Type": "Pass", "Parameters": {"big.$": "States.Format('{}', $.big)"}, "ResultPath": "$.s4", "Next": "S5"},
    "S5": {"Type": "Pass", "Parameters": {"big.$": "States.Format('{}', $.big)"}, "End": true}}}"#;

#[tokio::test]
async fn an_execution_whose_values_pass_their_limit_fails_with_states_runtime() -> Result<(), String>
{
    let machine = StateMachine::from_json(GROWING).map_err(|e| e.to_string())?;
    let input = json!({"big": "x".repeat(20_000)});
    let limited = ExecutionOptions::default()
        .with_time_scale(0.0)
        .with_value_limit(64 * 1024);
    let execution =
        rez_states::execute(&machine, input.clone(), &Scripted::default(), &limited).await;
    assert_eq!(execution.status, ExecutionStatus::Failed);
    assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
    let cause = execution.cause.unwrap_or_default();
    assert!(
        cause.contains("more than its limit of 65536 bytes"),
        "{cause}"
    );

    let default = ExecutionOptions::default().with_time_scale(0.0);
    let execution = rez_states::execute(&machine, input, &Scripted::default(), &default).await;
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{:?}",
        execution.cause
    );
    Ok(())
}
