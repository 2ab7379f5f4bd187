//! The history uses AWS's event names, ids and detail shapes.

use rez_states::EventType;
use serde_json::json;

use crate::helpers::{Scripted, Step, event_names, run};

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
