//! [`StateMachine`]: a parsed and validated definition, plus the queries
//! the CLI and the local runtime need (its states, its Task resources).

use serde_json::Value;

use crate::definition::{Machine, State, validate};
use crate::errors::{DefinitionError, Diagnostic, INVALID_JSON_DESCRIPTION, Severity};

/// A parsed and validated state machine definition.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub(crate) machine: Machine,
}

impl StateMachine {
    /// Parse and validate a definition from JSON text.
    ///
    /// # Errors
    ///
    /// [`DefinitionError::Malformed`] if the text is not a state machine,
    /// [`DefinitionError::Invalid`] if it breaks an ASL rule (missing
    /// `StartAt` target, dangling `Next`, `Next` with `End`, `States.ALL`
    /// not alone and last, no terminal state, unknown field, bad path ...):
    /// the first error [`StateMachine::validate_json`] reports.
    pub fn from_json(text: &str) -> Result<StateMachine, DefinitionError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| DefinitionError::Malformed(e.to_string()))?;
        StateMachine::from_value(&value)
    }

    /// Parse and validate a definition given as a JSON value.
    ///
    /// # Errors
    ///
    /// As [`StateMachine::from_json`].
    pub fn from_value(value: &Value) -> Result<StateMachine, DefinitionError> {
        let (diagnostics, machine) = validate::check(value);
        if let Some(first) = diagnostics.into_iter().find(Diagnostic::is_error) {
            return Err(first.into());
        }
        machine
            .map(|machine| StateMachine { machine })
            .ok_or_else(|| DefinitionError::Malformed("not a state machine".into()))
    }

    /// Every problem of a definition, like AWS `ValidateStateMachineDefinition`:
    /// unknown fields, missing or unreachable states, dangling `Next`, terminal
    /// rules, bad paths, intrinsic and JSONata syntax, each with a JSON pointer
    /// and the state it belongs to. Empty when the definition is valid.
    /// Text that is not JSON gives one `INVALID_JSON_DESCRIPTION` diagnostic
    /// naming the line and column.
    pub fn validate_json(text: &str) -> Vec<Diagnostic> {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => StateMachine::validate_value(&value),
            Err(e) => vec![Diagnostic {
                severity: Severity::Error,
                code: INVALID_JSON_DESCRIPTION.to_string(),
                message: e.to_string(),
                location: "/".to_string(),
                state: None,
            }],
        }
    }

    /// As [`StateMachine::validate_json`], for a parsed JSON value.
    pub fn validate_value(value: &Value) -> Vec<Diagnostic> {
        validate::check(value).0
    }

    /// The name of the first state.
    pub fn start_at(&self) -> &str {
        &self.machine.start_at
    }

    /// Top-level state names in definition order.
    pub fn state_names(&self) -> Vec<&str> {
        self.machine
            .states
            .ordered
            .iter()
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Every Task `Resource`, including those inside Parallel branches and
    /// Map processors, in definition order without duplicates.
    pub fn task_resources(&self) -> Vec<&str> {
        let mut out = Vec::new();
        collect_resources(&self.machine, &mut out);
        out
    }
}

fn collect_resources<'a>(machine: &'a Machine, out: &mut Vec<&'a str>) {
    for (_, state) in &machine.states.ordered {
        match state {
            State::Task(task) if !out.contains(&&*task.resource) => out.push(&task.resource),
            State::Parallel(parallel) => parallel
                .branches
                .iter()
                .for_each(|b| collect_resources(b, out)),
            State::Map(map) => {
                if let Some(processor) = &map.item_processor {
                    collect_resources(processor, out);
                }
            }
            _ => {}
        }
    }
}

impl std::str::FromStr for StateMachine {
    type Err = DefinitionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StateMachine::from_json(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTIFICATION: &str = include_str!("../tests/data/notification.asl.json");

    #[test]
    fn notification_definition_parses_with_its_states_and_resources() -> Result<(), DefinitionError>
    {
        let machine = StateMachine::from_json(NOTIFICATION)?;
        assert_eq!(machine.start_at(), "LoadMessage");
        assert_eq!(machine.state_names().len(), 7);
        assert_eq!(machine.task_resources().len(), 4);
        Ok(())
    }

    #[test]
    fn malformed_text_is_a_definition_error() {
        assert!(matches!(
            StateMachine::from_json("{"),
            Err(DefinitionError::Malformed(_))
        ));
        assert!(
            StateMachine::from_json(r#"{"StartAt":"A","States":{"A":{"Type":"Bogus"}}}"#).is_err()
        );
    }
}
