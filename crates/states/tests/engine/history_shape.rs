//! The history uses AWS's event names, ids and detail shapes.

use rez_states::EventType;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{Scripted, Step, details_of, event_names, run, run_echo};

#[tokio::test]
async fn task_then_choice_history_reads_like_aws() -> Result<(), String> {
    let definition = r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "r", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}"#;
    let execution = run(
        definition,
        json!({"go": true}),
        &Scripted::default().with("r", vec![Step::Echo]),
        0.0,
    )
    .await?;
    assert_eq!(
        event_names(&execution),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
    for (i, event) in execution.history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1);
        assert_eq!(event.previous_event_id, i as u64);
    }
    let scheduled = execution
        .history
        .iter()
        .find(|e| e.event_type == EventType::TaskScheduled)
        .ok_or("no TaskScheduled")?;
    assert_eq!(
        scheduled.details["taskScheduledEventDetails"]["resource"],
        "r"
    );
    assert_eq!(
        scheduled.details["taskScheduledEventDetails"]["parameters"],
        "{\"go\":true}"
    );
    let text = serde_json::to_value(&execution.history[1]).map_err(|e| e.to_string())?;
    assert_eq!(text["type"], "TaskStateEntered");
    assert_eq!(text["previousEventId"], 1);
    assert_eq!(text["details"]["stateEnteredEventDetails"]["name"], "T");
    Ok(())
}

#[tokio::test]
async fn no_choice_matched_fails_with_its_error_name() -> Result<(), String> {
    let definition = r#"{"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}"#;
    let execution = run(definition, json!({"x": 2}), &Scripted::default(), 0.0).await?;
    assert_eq!(execution.error.as_deref(), Some("States.NoChoiceMatched"));
    Ok(())
}

#[test]
fn execute_future_is_send_so_it_can_be_spawned() -> Result<(), String> {
    fn assert_send<T: Send>(_: &T) {}
    let machine =
        rez_states::StateMachine::from_json(include_str!("../data/notification.asl.json"))
            .map_err(|e| e.to_string())?;
    let tasks = Scripted::default();
    let options = rez_states::ExecutionOptions::default();
    let future = rez_states::execute(&machine, json!({}), &tasks, &options);
    assert_send(&future);
    Ok(())
}

/// Ids count 1, 2, 3 … across the main path and the branches of a Parallel
/// and a Map (which record separately), and every event follows one before it.
#[tokio::test]
async fn ids_stay_in_order_across_parallel_branches_and_map_iterations() -> Result<(), String> {
    let definition = r#"{"StartAt": "Before", "States": {
        "Before": {"Type": "Task", "Resource": "r", "Next": "Both"},
        "Both": {"Type": "Parallel", "Next": "Each", "ResultPath": null, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": null, "Next": "After",
                 "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task", "Resource": "r", "End": true}}}},
        "After": {"Type": "Task", "Resource": "r", "End": true}}}"#;
    let tasks = Scripted::default().with("r", vec![Step::Echo]);
    let execution = run(definition, json!({"items": [1, 2]}), &tasks, 0.0).await?;
    assert_eq!(
        execution.status,
        rez_states::ExecutionStatus::Succeeded,
        "{:?}",
        execution.error
    );
    for (i, event) in execution.history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1, "event {i}: {:?}", event.event_type);
        assert!(event.previous_event_id < event.id);
    }
    let names = event_names(&execution);
    let position = |name: &str| names.iter().position(|n| n == name);
    assert!(position("ParallelStateSucceeded") < position("MapStateStarted"));
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "MapIterationSucceeded")
            .count(),
        2
    );
    assert_eq!(names.last().map(String::as_str), Some("ExecutionSucceeded"));
    Ok(())
}

/// When the execution times out while branches run, the events the branches
/// recorded stay in the history, and ExecutionTimedOut comes after them.
#[tokio::test]
async fn a_timeout_during_parallel_keeps_the_branch_events() -> Result<(), String> {
    let definition = r#"{"TimeoutSeconds": 1, "StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "End": true}}},
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "slow", "End": true}}}]}}}"#;
    let tasks = Scripted::default().with("slow", vec![Step::Sleep(Duration::from_secs(5))]);
    let execution = run(definition, json!({}), &tasks, 0.01).await?;
    assert_eq!(execution.status, rez_states::ExecutionStatus::TimedOut);
    let names = event_names(&execution);
    for name in ["PassStateExited", "TaskScheduled", "TaskStarted"] {
        assert!(names.iter().any(|n| n == name), "no {name} in {names:?}");
    }
    assert_eq!(names.last().map(String::as_str), Some("ExecutionTimedOut"));
    for (i, event) in execution.history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1);
    }
    Ok(())
}

/// A first attempt is scheduled when its state was entered (nothing is
/// awaited in between); a retry is scheduled after its wait. States that
/// await nothing (Choice) exit when they entered.
#[tokio::test]
async fn timestamps_follow_what_was_awaited() -> Result<(), String> {
    let definition = r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "r", "Next": "C",
              "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}]},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}"#;
    let tasks = Scripted::default().with("r", vec![Step::Fail("Flaky"), Step::Echo]);
    // Time scale 0.02: the one-second retry interval waits 20 ms.
    let execution = run(definition, json!({"go": true}), &tasks, 0.02).await?;
    let times = |wanted: EventType| -> Vec<chrono::DateTime<chrono::Utc>> {
        execution
            .history
            .iter()
            .filter(|e| e.event_type == wanted)
            .map(|e| e.timestamp)
            .collect()
    };
    let entered = times(EventType::TaskStateEntered);
    let scheduled = times(EventType::TaskScheduled);
    let failed = times(EventType::TaskFailed);
    assert_eq!(scheduled.len(), 2, "one retry");
    assert_eq!(scheduled[0], entered[0]);
    assert!(scheduled[1] - failed[0] >= chrono::Duration::milliseconds(20));
    assert_eq!(
        times(EventType::ChoiceStateExited),
        times(EventType::ChoiceStateEntered)
    );
    Ok(())
}

/// With a ResultSelector, TaskSucceeded shows the raw result (written when
/// the history is read), and the state's output the selected one; when
/// the selector fails, TaskSucceeded is still recorded before the failure.
#[tokio::test]
async fn task_succeeded_shows_the_raw_result_before_its_result_selector() -> Result<(), String> {
    let raw = r#"{"keep":"a\"b","drop":[1,{"x":null}]}"#;
    let input = json!({"keep": "a\"b", "drop": [1, {"x": null}]});
    let execution = run_echo(
        r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "r",
              "ResultSelector": {"picked.$": "$.keep"}, "ResultPath": "$.out", "End": true}}}"#,
        input.clone(),
    )
    .await?;
    let succeeded = details_of(&execution, EventType::TaskSucceeded)?;
    assert_eq!(succeeded["taskSucceededEventDetails"]["output"], raw);
    let serialised = execution
        .history
        .iter()
        .find(|e| e.event_type == EventType::TaskSucceeded)
        .map(serde_json::to_value)
        .ok_or("no TaskSucceeded")?
        .map_err(|e| e.to_string())?;
    assert_eq!(
        serialised["details"]["taskSucceededEventDetails"]["output"],
        raw
    );
    assert_eq!(
        details_of(&execution, EventType::TaskStateExited)?["stateExitedEventDetails"]["output"],
        r#"{"keep":"a\"b","drop":[1,{"x":null}],"out":{"picked":"a\"b"}}"#
    );

    let execution = run_echo(
        r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "r",
              "ResultSelector": {"picked.$": "$.missing"}, "End": true}}}"#,
        input,
    )
    .await?;
    let names = event_names(&execution);
    assert_eq!(
        names[names.len() - 2..],
        ["TaskSucceeded", "ExecutionFailed"]
    );
    assert_eq!(
        details_of(&execution, EventType::TaskSucceeded)?["taskSucceededEventDetails"]["output"],
        raw
    );
    assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
    Ok(())
}

/// `ResultPath: null`: the state's output is its input unchanged (its
/// exited text is its entered text), `Assign` still reads the result, and
/// TaskSucceeded shows the result that was thrown away.
#[tokio::test]
async fn result_path_null_passes_the_input_on_and_shows_the_result() -> Result<(), String> {
    let execution = run_echo(
        r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "r", "Parameters": {"n.$": "$.n", "extra": "x"},
              "ResultPath": null, "Assign": {"seen.$": "$.extra"}, "Next": "P"},
        "P": {"Type": "Pass", "Parameters": {"n.$": "$.n", "seen.$": "$seen"}, "End": true}}}"#,
        json!({"n": 7, "s": "q\"uote"}),
    )
    .await?;
    assert_eq!(
        execution.output.as_deref(),
        Some(&json!({"n": 7, "seen": "x"}))
    );
    let details = |event_type| details_of(&execution, event_type);
    assert_eq!(
        details(EventType::TaskSucceeded)?["taskSucceededEventDetails"]["output"],
        r#"{"n":7,"extra":"x"}"#
    );
    let input_text = r#"{"n":7,"s":"q\"uote"}"#;
    assert_eq!(
        details(EventType::TaskStateEntered)?["stateEnteredEventDetails"]["input"],
        input_text
    );
    assert_eq!(
        details(EventType::TaskStateExited)?["stateExitedEventDetails"]["output"],
        input_text
    );
    assert_eq!(
        details(EventType::PassStateEntered)?["stateEnteredEventDetails"]["input"],
        input_text
    );
    Ok(())
}
