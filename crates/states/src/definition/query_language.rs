//! `QueryLanguage` rules: the value must be `JSONPath` or `JSONata`, and a
//! state may only use the fields of its language (AWS rejects e.g.
//! `Parameters` in a JSONata state or `Output` in a JSONPath state).

use super::State;
use crate::errors::DefinitionError;

/// `QueryLanguage` value that selects JSONata (AWS Step Functions, "QueryLanguage").
pub(crate) const JSONATA: &str = "JSONata";
/// `QueryLanguage` values; JSONPath is the default (AWS Step Functions, "QueryLanguage").
pub(crate) const QUERY_LANGUAGES: &[&str] = &["JSONPath", JSONATA];

/// Whether a machine whose top-level `QueryLanguage` is `value` defaults to JSONata.
pub(crate) fn is_jsonata(value: Option<&str>) -> bool {
    value == Some(JSONATA)
}

/// Check a `QueryLanguage` value.
pub(crate) fn check_value(value: Option<&str>, location: &str) -> Result<(), DefinitionError> {
    match value {
        Some(language) if !QUERY_LANGUAGES.contains(&language) => Err(DefinitionError::invalid(
            format!("{location}/QueryLanguage"),
            format!("QueryLanguage must be JSONPath or JSONata, not '{language}'"),
        )),
        _ => Ok(()),
    }
}

/// Whether `state` uses JSONata, given the machine's default.
pub(crate) fn uses_jsonata(state: &State, default_jsonata: bool) -> bool {
    match state.common().query_language.as_deref() {
        Some(language) => language == JSONATA,
        None => default_jsonata,
    }
}

/// Reject fields that belong to the other query language.
pub(crate) fn check_fields(
    state: &State,
    jsonata: bool,
    here: &str,
) -> Result<(), DefinitionError> {
    check_value(state.common().query_language.as_deref(), here)?;
    let common = state.common();
    let results = match state {
        State::Task(s) => Some(&s.results),
        State::Pass(s) => Some(&s.results),
        State::Parallel(s) => Some(&s.results),
        State::Map(s) => Some(&s.results),
        _ => None,
    };
    let present = |name: &'static str, set: bool| set.then_some(name);
    let found = if jsonata {
        [
            present("InputPath", common.input_path.is_some()),
            present("OutputPath", common.output_path.is_some()),
            present(
                "Parameters",
                results.is_some_and(|r| r.parameters.is_some()),
            ),
            present(
                "ResultSelector",
                results.is_some_and(|r| r.result_selector.is_some()),
            ),
            present(
                "ResultPath",
                results.is_some_and(|r| r.result_path.is_some()),
            ),
        ]
    } else {
        [
            present("Output", common.output.is_some()),
            present("Arguments", common.arguments.is_some()),
            present("Items", matches!(state, State::Map(m) if m.items.is_some())),
            None,
            None,
        ]
    };
    match found.into_iter().flatten().next() {
        Some(field) => Err(DefinitionError::invalid(
            format!("{here}/{field}"),
            format!(
                "The field '{field}' is not supported for {} states",
                if jsonata { "JSONata" } else { "JSONPath" }
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::StateMachine;
    use serde_json::json;

    #[test]
    fn fields_of_the_other_language_are_rejected() {
        let jsonata_with_parameters = json!({"QueryLanguage": "JSONata", "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Parameters": {}, "End": true}}});
        assert!(StateMachine::from_value(&jsonata_with_parameters).is_err());
        let jsonpath_with_output =
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": 1, "End": true}}});
        assert!(StateMachine::from_value(&jsonpath_with_output).is_err());
        let overridden = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": 1, "End": true}}});
        assert!(StateMachine::from_value(&overridden).is_ok());
    }

    #[test]
    fn unknown_query_languages_are_rejected() {
        let def = json!({"QueryLanguage": "XPath", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        assert!(StateMachine::from_value(&def).is_err());
    }
}
