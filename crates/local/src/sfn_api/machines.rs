//! `ListStateMachines`, `DescribeStateMachine`, `ValidateStateMachineDefinition`.

use serde_json::json;

use super::SfnState;
use super::arn::check_state_machine;
use super::error::SfnError;
use super::protocol::{epoch_seconds, page_size};
use super::shapes::{
    DescribeStateMachineInput, DescribeStateMachineOutput, Diagnostic, ListStateMachinesInput,
    ListStateMachinesOutput, StateMachineListItem, ValidateInput, ValidateOutput,
};

/// The type of the state machine served: the engine runs executions as Express ones.
const MACHINE_TYPE: &str = "EXPRESS";
/// Most diagnostics `ValidateStateMachineDefinition` may be asked for.
const MAX_DIAGNOSTICS: u32 = 100;
/// The state machine types AWS knows.
const MACHINE_TYPES: [&str; 2] = ["STANDARD", "EXPRESS"];
/// The severities AWS knows.
const SEVERITIES: [&str; 2] = ["ERROR", "WARNING"];

/// `ListStateMachines`: the one state machine served (a page holds at least one).
pub(crate) fn list(
    state: &SfnState,
    input: ListStateMachinesInput,
) -> Result<ListStateMachinesOutput, SfnError> {
    page_size(input.max_results, 100, 1000)?;
    if let Some(token) = input.next_token {
        return Err(SfnError::InvalidToken(format!("Invalid Token: '{token}'")));
    }
    Ok(ListStateMachinesOutput {
        state_machines: vec![StateMachineListItem {
            state_machine_arn: state.machine().arn().to_owned(),
            name: state.machine().name().to_owned(),
            machine_type: MACHINE_TYPE.to_owned(),
            creation_date: epoch_seconds(state.created),
        }],
    })
}

/// `DescribeStateMachine`: the definition text the engine runs and its settings.
pub(crate) fn describe(
    state: &SfnState,
    input: DescribeStateMachineInput,
) -> Result<DescribeStateMachineOutput, SfnError> {
    let arn = input
        .state_machine_arn
        .ok_or_else(|| SfnError::missing("stateMachineArn"))?;
    check_state_machine(&arn, state.machine())?;
    Ok(DescribeStateMachineOutput {
        state_machine_arn: arn,
        name: state.machine().name().to_owned(),
        status: "ACTIVE".to_owned(),
        definition: state.definition.clone(),
        role_arn: state.machine().role_arn().to_owned(),
        machine_type: MACHINE_TYPE.to_owned(),
        creation_date: epoch_seconds(state.created),
        logging_configuration: json!({"level": "OFF", "includeExecutionData": false}),
        tracing_configuration: json!({"enabled": false}),
    })
}

/// `ValidateStateMachineDefinition`: the engine's parse and validation.
///
/// Every problem the engine finds is a diagnostic; warnings alone still
/// answer OK, as AWS does.
pub(crate) fn validate(input: ValidateInput) -> Result<ValidateOutput, SfnError> {
    let definition = input
        .definition
        .ok_or_else(|| SfnError::missing("definition"))?;
    if let Some(t) = input
        .machine_type
        .as_deref()
        .filter(|t| !MACHINE_TYPES.contains(t))
    {
        return Err(SfnError::constraint(
            "type",
            t,
            "Member must satisfy enum value set: [STANDARD, EXPRESS]",
        ));
    }
    if let Some(s) = input
        .severity
        .as_deref()
        .filter(|s| !SEVERITIES.contains(s))
    {
        return Err(SfnError::constraint(
            "severity",
            s,
            "Member must satisfy enum value set: [ERROR, WARNING]",
        ));
    }
    page_size(input.max_results, MAX_DIAGNOSTICS, MAX_DIAGNOSTICS)?;
    let found = rez_states::StateMachine::validate_json(&definition);
    let failed = found
        .iter()
        .any(|d| d.severity == rez_states::Severity::Error);
    let diagnostics: Vec<Diagnostic> = found.into_iter().map(diagnostic).collect();
    Ok(ValidateOutput {
        result: if failed { "FAIL" } else { "OK" }.to_owned(),
        diagnostics,
        truncated: false,
    })
}

fn diagnostic(found: rez_states::Diagnostic) -> Diagnostic {
    Diagnostic {
        severity: found.severity.to_string(),
        code: found.code,
        message: found.message,
        location: Some(found.location),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validated(definition: &str) -> Option<ValidateOutput> {
        validate(ValidateInput {
            definition: Some(definition.to_owned()),
            machine_type: Some("EXPRESS".into()),
            severity: None,
            max_results: None,
        })
        .ok()
    }

    #[test]
    fn the_notification_definition_validates_ok() {
        let out = validated(crate::stack::NOTIFICATION_DEFINITION);
        assert_eq!(out.map(|o| o.result), Some("OK".to_owned()));
    }

    #[test]
    fn broken_definitions_fail_with_a_coded_diagnostic() {
        let cases = [
            ("{not json", "INVALID_JSON_DESCRIPTION"),
            (
                r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}"#,
                "SCHEMA_VALIDATION_FAILED",
            ),
        ];
        for (definition, code) in cases {
            let out = validated(definition);
            assert_eq!(out.as_ref().map(|o| o.result.as_str()), Some("FAIL"));
            let first = out.as_ref().and_then(|o| o.diagnostics.first());
            assert_eq!(first.map(|d| d.code.as_str()), Some(code), "{definition}");
            assert_eq!(first.map(|d| d.severity.as_str()), Some("ERROR"));
        }
    }

    #[test]
    fn a_missing_definition_or_unknown_type_is_a_validation_exception() {
        let missing = validate(ValidateInput {
            definition: None,
            machine_type: None,
            severity: None,
            max_results: None,
        });
        assert!(matches!(missing, Err(SfnError::Validation(_))));
        let bad_type = validate(ValidateInput {
            definition: Some("{}".into()),
            machine_type: Some("FAST".into()),
            severity: None,
            max_results: None,
        });
        assert!(matches!(bad_type, Err(SfnError::Validation(_))));
    }
}
