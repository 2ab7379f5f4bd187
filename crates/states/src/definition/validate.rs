//! Static checks of a parsed definition (the rules AWS applies when a state
//! machine is created).

use super::{Condition, Machine, State, query_language};
use crate::errors::{DefinitionError, STATES_ALL};

/// Check `machine` and every nested branch / item processor.
/// `default_jsonata`: whether the whole machine's `QueryLanguage` is JSONata.
pub(crate) fn validate(
    machine: &Machine,
    location: &str,
    default_jsonata: bool,
) -> Result<(), DefinitionError> {
    if machine.states.ordered.is_empty() {
        return Err(DefinitionError::invalid(
            format!("{location}/States"),
            "States must not be empty",
        ));
    }
    if !machine.states.contains(&machine.start_at) {
        return Err(DefinitionError::invalid(
            format!("{location}/StartAt"),
            format!("Missing 'Next' target: {}", machine.start_at),
        ));
    }
    for (name, state) in &machine.states.ordered {
        let here = format!("{location}/States/{name}");
        validate_transition(machine, state, &here)?;
        query_language::check_fields(
            state,
            query_language::uses_jsonata(state, default_jsonata),
            &here,
        )?;
        validate_state(machine, state, &here, default_jsonata)?;
    }
    validate_reachability(machine, location)
}

/// Every state must be reachable from `StartAt`, and some reachable state
/// must end the machine (AWS rejects both, as unreachable / no terminal state).
fn validate_reachability(machine: &Machine, location: &str) -> Result<(), DefinitionError> {
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![machine.start_at.as_str()];
    let mut reaches_end = false;
    while let Some(name) = pending.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(state) = machine.states.get(name) else {
            continue;
        };
        reaches_end |= is_terminal(state);
        pending.extend(successors(state));
    }
    if let Some((name, _)) = machine
        .states
        .ordered
        .iter()
        .find(|(name, _)| !seen.contains(name.as_str()))
    {
        return Err(DefinitionError::invalid(
            format!("{location}/States/{name}"),
            format!("State '{name}' is not reachable"),
        ));
    }
    if !reaches_end {
        return Err(DefinitionError::invalid(
            location,
            "No terminal state is reachable from StartAt",
        ));
    }
    Ok(())
}

/// Names a state can transition to: `Next`, Choice rules and `Default`, Catch targets.
fn successors(state: &State) -> Vec<&str> {
    let mut out: Vec<&str> = state.common().next.iter().map(String::as_str).collect();
    if let State::Choice(choice) = state {
        out.extend(choice.choices.iter().filter_map(|r| r.next.as_deref()));
        out.extend(choice.default.as_deref());
    }
    if let Some(handling) = state.error_handling() {
        out.extend(handling.catch.iter().map(|c| c.next.as_str()));
    }
    out
}

fn is_terminal(state: &State) -> bool {
    matches!(state, State::Succeed(_) | State::Fail(_)) || state.common().end == Some(true)
}

fn check_target(machine: &Machine, target: &str, location: &str) -> Result<(), DefinitionError> {
    if machine.states.contains(target) {
        Ok(())
    } else {
        Err(DefinitionError::invalid(
            location,
            format!("Missing 'Next' target: {target}"),
        ))
    }
}

fn validate_transition(
    machine: &Machine,
    state: &State,
    here: &str,
) -> Result<(), DefinitionError> {
    let common = state.common();
    match state {
        State::Choice(_) | State::Succeed(_) | State::Fail(_) => {
            if common.next.is_some() || common.end.is_some() {
                return Err(DefinitionError::invalid(
                    here,
                    format!("{} states must not have Next or End", state.type_name()),
                ));
            }
        }
        _ => match (&common.next, common.end) {
            (Some(next), None | Some(false)) => {
                check_target(machine, next, &format!("{here}/Next"))?
            }
            (None, Some(true)) => {}
            (Some(_), Some(true)) => {
                return Err(DefinitionError::invalid(
                    here,
                    "Next and End are mutually exclusive",
                ));
            }
            (None, _) => {
                return Err(DefinitionError::invalid(
                    here,
                    "Missing 'Next' or 'End: true'",
                ));
            }
        },
    }
    Ok(())
}

fn validate_error_equals(lists: &[&Vec<String>], here: &str) -> Result<(), DefinitionError> {
    let count = lists.len();
    for (i, list) in lists.iter().enumerate() {
        if list.is_empty() {
            return Err(DefinitionError::invalid(
                here,
                "ErrorEquals must not be empty",
            ));
        }
        if list.iter().any(|e| e == STATES_ALL) && (list.len() != 1 || i + 1 != count) {
            return Err(DefinitionError::invalid(
                here,
                "States.ALL must appear alone in the last ErrorEquals",
            ));
        }
    }
    Ok(())
}

fn validate_state(
    machine: &Machine,
    state: &State,
    here: &str,
    default_jsonata: bool,
) -> Result<(), DefinitionError> {
    if let Some(errors) = state.error_handling() {
        let retry: Vec<_> = errors.retry.iter().map(|r| &r.error_equals).collect();
        validate_error_equals(&retry, &format!("{here}/Retry"))?;
        for r in &errors.retry {
            if r.backoff_rate.is_some_and(|b| b < 1.0)
                || r.interval_seconds.is_some_and(|i| i < 1.0)
            {
                return Err(DefinitionError::invalid(
                    format!("{here}/Retry"),
                    "IntervalSeconds and BackoffRate must be at least 1",
                ));
            }
        }
        let catch: Vec<_> = errors.catch.iter().map(|c| &c.error_equals).collect();
        validate_error_equals(&catch, &format!("{here}/Catch"))?;
        for c in &errors.catch {
            check_target(machine, &c.next, &format!("{here}/Catch/Next"))?;
        }
    }
    match state {
        State::Choice(choice) => {
            if choice.choices.is_empty() {
                return Err(DefinitionError::invalid(here, "Choices must not be empty"));
            }
            for rule in &choice.choices {
                match &rule.next {
                    Some(next) => check_target(machine, next, &format!("{here}/Choices/Next"))?,
                    None => return Err(DefinitionError::invalid(here, "a choice rule needs Next")),
                }
                if let Condition::Compare(c) = &rule.condition
                    && c.variable.is_empty()
                {
                    return Err(DefinitionError::invalid(here, "Variable must not be empty"));
                }
            }
            if let Some(default) = &choice.default {
                check_target(machine, default, &format!("{here}/Default"))?;
            }
        }
        State::Wait(wait) => {
            let set = [
                wait.seconds.is_some(),
                wait.seconds_path.is_some(),
                wait.timestamp.is_some(),
                wait.timestamp_path.is_some(),
            ];
            if set.iter().filter(|s| **s).count() != 1 {
                return Err(DefinitionError::invalid(
                    here,
                    "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath",
                ));
            }
        }
        State::Fail(fail) => {
            if fail.error.is_some() && fail.error_path.is_some()
                || fail.cause.is_some() && fail.cause_path.is_some()
            {
                return Err(DefinitionError::invalid(
                    here,
                    "Error/ErrorPath and Cause/CausePath are exclusive",
                ));
            }
        }
        State::Task(task) => {
            if task.timeout_seconds.is_some() && task.timeout_seconds_path.is_some() {
                return Err(DefinitionError::invalid(
                    here,
                    "TimeoutSeconds and TimeoutSecondsPath are exclusive",
                ));
            }
        }
        State::Parallel(parallel) => {
            for (i, branch) in parallel.branches.iter().enumerate() {
                validate(branch, &format!("{here}/Branches/{i}"), default_jsonata)?;
            }
        }
        State::Map(map) => match &map.item_processor {
            Some(processor) => {
                validate(processor, &format!("{here}/ItemProcessor"), default_jsonata)?
            }
            None => {
                return Err(DefinitionError::invalid(
                    here,
                    "a Map state needs ItemProcessor",
                ));
            }
        },
        State::Pass(_) | State::Succeed(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
}
