//! Hostile definitions and inputs end as failed executions, never as panics
//! or stack overflows.

use rez_states::{ExecutionStatus, StateMachine};
use serde_json::{Value, json};

use crate::helpers::{Scripted, Step, run};

fn pass_output(output: &str) -> String {
    json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": output, "End": true}}})
        .to_string()
}

#[tokio::test]
async fn hostile_jsonata_fails_cleanly() -> Result<(), String> {
    let long_path = format!("{{% $states.input{} %}}", ".a".repeat(5_000));
    let deep_parens = format!("{{% {}1{} %}}", "(".repeat(5_000), ")".repeat(5_000));
    let expressions = [
        long_path.as_str(),
        deep_parens.as_str(),
        "{% ($f := function($n){ $f($n) }; $f(1)) %}",
        "{% [0..100000000] %}",
        "{% $number('x') %}",
        "{% 1 / 0 %}",
        "{% /unterminated %}",
        "{% 'a' < 1 %}",
    ];
    for expression in expressions {
        let execution = run(
            &pass_output(expression),
            json!({}),
            &Scripted::default(),
            0.0,
        )
        .await?;
        assert_eq!(
            execution.status,
            ExecutionStatus::Failed,
            "{}",
            &expression[..expression.len().min(40)]
        );
    }
    let clamped = pass_output("{% $substring('abc', -99999999999, 99999999999) %}");
    let execution = run(&clamped, json!({}), &Scripted::default(), 0.0).await?;
    assert_eq!(execution.output.as_deref(), Some(&json!("abc")));
    Ok(())
}

#[tokio::test]
async fn hostile_jsonpath_definitions_fail_cleanly() -> Result<(), String> {
    let deep_intrinsic = format!("{}1{}", "States.Array(".repeat(5_000), ")".repeat(5_000));
    let definitions = [
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": deep_intrinsic}, "End": true}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$[", "End": true}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": 5}, "End": true}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "States.ArrayRange(0, 1e12, 1)"}, "End": true}}}),
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": "$.a[7].b", "End": true}}}),
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1_000_000_000_000_000u64, "ItemsPath": "$.nope",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}}}),
        json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$..[?(@", "IsNull": true, "Next": "E"}]},
            "E": {"Type": "Succeed"}}}),
    ];
    for definition in definitions {
        let text = definition.to_string();
        if StateMachine::from_json(&text).is_err() {
            continue;
        }
        let execution = run(&text, json!({"a": "text"}), &Scripted::default(), 0.0).await?;
        assert_ne!(execution.status, ExecutionStatus::TimedOut);
    }
    Ok(())
}

#[tokio::test]
async fn runaway_retries_end_with_the_task_error() -> Result<(), String> {
    let definition = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "t", "End": true,
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 200, "BackoffRate": 1e300}]}}}"#;
    let tasks = Scripted::default().with("t", vec![Step::Fail("Boom")]);
    let execution = run(definition, json!({}), &tasks, 0.0).await?;
    assert_eq!(execution.error.as_deref(), Some("Boom"));
    assert_eq!(tasks.calls().len(), 201);
    Ok(())
}

#[tokio::test]
async fn every_input_shape_is_handled_by_the_notification_definition() -> Result<(), String> {
    let definition = include_str!("../data/notification.asl.json");
    for input in [
        Value::Null,
        json!([]),
        json!("x"),
        json!(1e308),
        json!({"messageId": {"deep": [1, {"x": null}]}}),
    ] {
        let execution = run(definition, input, &Scripted::default(), 0.0).await?;
        assert!(matches!(
            execution.status,
            ExecutionStatus::Failed | ExecutionStatus::Succeeded
        ));
    }
    Ok(())
}

#[tokio::test]
async fn a_definition_that_loops_forever_ends_at_the_history_limit() -> Result<(), String> {
    let definition = r#"{"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "A"},
        "Done": {"Type": "Succeed"}}}"#;
    let execution = run(definition, json!({}), &Scripted::default(), 0.0).await?;
    assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
    assert!(
        execution
            .cause
            .unwrap_or_default()
            .contains("maximum number of history events")
    );
    Ok(())
}

#[tokio::test]
async fn a_busy_loop_still_honours_the_execution_time_limit() -> Result<(), String> {
    let definition = r#"{"TimeoutSeconds": 1, "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "A"},
        "Done": {"Type": "Succeed"}}}"#;
    let execution = run(definition, json!({}), &Scripted::default(), 0.001).await?;
    assert_eq!(execution.status, ExecutionStatus::TimedOut);
    Ok(())
}
