//! Tests of `validate`.

use crate::StateMachine;
use serde_json::json;

fn check(definition: serde_json::Value) -> bool {
    StateMachine::from_value(&definition).is_ok()
}

#[test]
fn rejects_missing_start_state_and_dangling_next() {
    assert!(!check(
        json!({"StartAt": "X", "States": {"A": {"Type": "Pass", "End": true}}})
    ));
    assert!(!check(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    ));
}

#[test]
fn rejects_next_together_with_end() {
    assert!(!check(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A", "End": true}}})
    ));
}

#[test]
fn rejects_states_all_that_is_not_last_and_alone() {
    let def = |list: serde_json::Value| json!({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "r", "End": true, "Retry": list}}});
    assert!(!check(def(
        json!([{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}])
    )));
    assert!(!check(def(json!([{"ErrorEquals": ["States.ALL", "E"]}]))));
    assert!(check(def(
        json!([{"ErrorEquals": ["E"]}, {"ErrorEquals": ["States.ALL"]}])
    )));
}

#[test]
fn rejects_unreachable_states() {
    assert!(!check(json!({"StartAt": "A", "States": {
        "A": {"Type": "Succeed"}, "B": {"Type": "Pass", "End": true}}})));
}

#[test]
fn rejects_machines_without_a_terminal_state() {
    assert!(!check(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}})
    ));
}

fn diagnostics(definition: serde_json::Value) -> Vec<(String, Option<String>)> {
    StateMachine::validate_value(&definition)
        .into_iter()
        .map(|d| (d.location, d.state))
        .collect()
}

#[test]
fn every_problem_is_reported_with_its_pointer_and_state() {
    let found = diagnostics(json!({"StartAt": "A", "Colour": "red", "States": {
        "A": {"Type": "Pass", "Next": "Nowhere", "Bogus": 1},
        "B": {"Type": "Task", "Resource": "r", "InputPath": "a.b", "End": true,
              "Parameters": {"x.$": "States.Format('{}'"}},
        "C/D": {"Type": "Choice", "Choices": [{"Variable": "$[", "IsNull": true, "Next": "A"}]}
    }}));
    let expected = [
        ("/Colour", None),
        ("/States/A/Bogus", Some("A")),
        ("/States/B/InputPath", Some("B")),
        ("/States/B/Parameters/x.$", Some("B")),
        ("/States/C~1D/Choices/0/Variable", Some("C/D")),
        ("/States/A/Next", Some("A")),
        ("/States/B", Some("B")),
        ("/States/C~1D", Some("C/D")),
        ("/", None), // no terminal state is reachable: A goes nowhere
    ];
    let expected: Vec<(String, Option<String>)> = expected
        .iter()
        .map(|(l, s)| (l.to_string(), s.map(str::to_string)))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn from_json_returns_the_first_error_and_valid_definitions_have_none() {
    let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X", "End": true, "Extra": 1}}}"#;
    assert!(matches!(
        StateMachine::from_json(text),
        Err(crate::DefinitionError::Invalid { location, .. }) if location == "/States/A/Extra"
    ));
    let notification = include_str!("../../../tests/data/notification.asl.json");
    assert_eq!(StateMachine::validate_json(notification), vec![]);
}

#[test]
fn json_syntax_errors_name_line_and_column() {
    let found = StateMachine::validate_json("{\n  \"StartAt\": }");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, crate::errors::INVALID_JSON_DESCRIPTION);
    assert!(
        found[0].message.contains("line 2 column"),
        "{}",
        found[0].message
    );
}

#[test]
fn invalid_jsonata_is_a_warning_because_the_state_fails_at_run_time() {
    let found = StateMachine::validate_value(&json!({"QueryLanguage": "JSONata", "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% 1 + %}", "End": true}}}));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, crate::Severity::Warning);
    assert_eq!(found[0].location, "/States/P/Output");
}

#[test]
fn nested_branches_report_with_their_path() {
    let found = diagnostics(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}}]}}}),
    );
    assert_eq!(
        found,
        vec![
            (
                "/States/P/Branches/0/States/X/Next".to_string(),
                Some("X".to_string())
            ),
            ("/States/P/Branches/0".to_string(), None),
        ]
    );
}
