//! Features this engine does not implement yet fail loudly with
//! `States.Runtime` instead of being silently ignored.

use crate::definition::{Condition, Machine, State};
use crate::errors::StatesError;

/// `QueryLanguage` value selecting JSONata (AWS Step Functions, "JSONata").
pub(crate) const JSONATA: &str = "JSONata";

/// Refuse a (sub-)machine whose default query language is JSONata.
pub(crate) fn check_machine(machine: &Machine) -> Result<(), StatesError> {
    if machine.query_language.as_deref() == Some(JSONATA) {
        return Err(StatesError::runtime(
            "JSONata is not supported by this engine",
        ));
    }
    Ok(())
}

/// Refuse a state that needs JSONata.
pub(crate) fn check_state(state: &State) -> Result<(), StatesError> {
    let common = state.common();
    let feature = if common.query_language.as_deref() == Some(JSONATA)
        || common.output.is_some()
        || common.arguments.is_some()
    {
        Some("JSONata")
    } else {
        match state {
            State::Map(map) if map.items.is_some() => Some("JSONata"),
            State::Choice(choice)
                if choice.choices.iter().any(|r| {
                    r.assign.is_some()
                        || r.output.is_some()
                        || matches!(r.condition, Condition::Jsonata)
                }) =>
            {
                Some("JSONata")
            }
            _ => state
                .error_handling()
                .filter(|h| {
                    h.catch
                        .iter()
                        .any(|c| c.assign.is_some() || c.output.is_some())
                })
                .map(|_| "JSONata"),
        }
    };
    match feature {
        Some(feature) => Err(StatesError::runtime(format!(
            "{feature} is not supported by this engine"
        ))),
        None => Ok(()),
    }
}
