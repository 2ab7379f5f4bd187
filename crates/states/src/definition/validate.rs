//! Static checks of a definition: the rules AWS applies when a state
//! machine is created (`CreateStateMachine`, `ValidateStateMachineDefinition`).
//!
//! Every check reports into a list of [`Diagnostic`]s instead of stopping at
//! the first problem. [`check`] runs them in two passes: [`schema`] reads the
//! raw JSON (unknown and missing fields, field types, path / intrinsic /
//! JSONata syntax via [`syntax`]); when the typed definition can be built,
//! the graph rules below (targets, `Next`/`End`, reachability, `States.ALL`,
//! ...) run on it.

mod schema;
mod syntax;

use serde::Deserialize;
use serde_json::Value;

use super::{Condition, Machine, State, query_language};
use crate::errors::{DefinitionError, Diagnostic, INVALID_JSON_DESCRIPTION, STATES_ALL, Severity};

/// Every problem of `value`, and the typed machine when it could be built.
pub(crate) fn check(value: &Value) -> (Vec<Diagnostic>, Option<Machine>) {
    let mut out = Vec::new();
    schema::check(value, &mut out);
    let machine = match Machine::deserialize(value) {
        Ok(machine) => machine,
        Err(e) => {
            if out.is_empty() {
                out.push(Diagnostic {
                    severity: Severity::Error,
                    code: INVALID_JSON_DESCRIPTION.to_string(),
                    message: e.to_string(),
                    location: "/".to_string(),
                    state: None,
                });
            }
            return (out, None);
        }
    };
    if let Err(e) = query_language::check_value(machine.query_language.as_deref(), "") {
        out.push(from_definition_error(e, None));
    }
    let jsonata = query_language::is_jsonata(machine.query_language.as_deref());
    validate(&machine, "", jsonata, &mut out);
    (out, Some(machine))
}

/// A JSON pointer token for a state name (RFC 6901: `~` → `~0`, `/` → `~1`).
pub(crate) fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn from_definition_error(error: DefinitionError, state: Option<&str>) -> Diagnostic {
    match error {
        DefinitionError::Invalid { location, message } => {
            Diagnostic::schema(location, state, message)
        }
        DefinitionError::Malformed(message) => Diagnostic::schema("/", state, message),
    }
}

/// Collects the diagnostics of one machine (or branch / item processor).
struct Checker<'a> {
    machine: &'a Machine,
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, location: impl Into<String>, state: &str, message: impl Into<String>) {
        self.out
            .push(Diagnostic::schema(location, Some(state), message));
    }

    fn target(&mut self, target: &str, location: String, state: &str) {
        if !self.machine.states.contains(target) {
            self.error(location, state, format!("Missing 'Next' target: {target}"));
        }
    }
}

/// Check `machine` and every nested branch / item processor.
/// `default_jsonata`: whether the whole machine's `QueryLanguage` is JSONata.
pub(crate) fn validate(
    machine: &Machine,
    location: &str,
    default_jsonata: bool,
    out: &mut Vec<Diagnostic>,
) {
    if machine.states.ordered.is_empty() {
        out.push(Diagnostic::schema(
            format!("{location}/States"),
            None,
            "States must not be empty",
        ));
        return;
    }
    let mut checker = Checker { machine, out };
    if !machine.states.contains(&machine.start_at) {
        checker.out.push(Diagnostic::schema(
            format!("{location}/StartAt"),
            None,
            format!("Missing 'Next' target: {}", machine.start_at),
        ));
    }
    for (name, state) in &machine.states.ordered {
        let here = format!("{location}/States/{}", token(name));
        validate_transition(&mut checker, name, state, &here);
        if let Err(e) = query_language::check_fields(
            state,
            query_language::uses_jsonata(state, default_jsonata),
            &here,
        ) {
            checker.out.push(from_definition_error(e, Some(name)));
        }
        validate_state(&mut checker, name, state, &here, default_jsonata);
    }
    validate_reachability(&mut checker, location);
}

/// Every state must be reachable from `StartAt`, and some reachable state
/// must end the machine (AWS rejects both, as unreachable / no terminal state).
fn validate_reachability(checker: &mut Checker<'_>, location: &str) {
    let machine = checker.machine;
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![&*machine.start_at];
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
    if !machine.states.contains(&machine.start_at) {
        // Reported once as a missing StartAt target; everything else would be noise.
        return;
    }
    for (name, _) in machine
        .states
        .ordered
        .iter()
        .filter(|(name, _)| !seen.contains(name.as_str()))
    {
        checker.error(
            format!("{location}/States/{}", token(name)),
            name,
            format!("State '{name}' is not reachable"),
        );
    }
    if !reaches_end {
        checker.out.push(Diagnostic::schema(
            location,
            None,
            "No terminal state is reachable from StartAt",
        ));
    }
}

/// Names a state can transition to: `Next`, Choice rules and `Default`, Catch targets.
fn successors(state: &State) -> Vec<&str> {
    let mut out: Vec<&str> = state.common().next.iter().map(|n| &**n).collect();
    if let State::Choice(choice) = state {
        out.extend(choice.choices.iter().filter_map(|r| r.next.as_deref()));
        out.extend(choice.default.as_deref());
    }
    if let Some(handling) = state.error_handling() {
        out.extend(handling.catch.iter().map(|c| &*c.next));
    }
    out
}

fn is_terminal(state: &State) -> bool {
    matches!(state, State::Succeed(_) | State::Fail(_)) || state.common().end == Some(true)
}

fn validate_transition(checker: &mut Checker<'_>, name: &str, state: &State, here: &str) {
    let common = state.common();
    match state {
        State::Choice(_) | State::Succeed(_) | State::Fail(_) => {
            if common.next.is_some() || common.end.is_some() {
                checker.error(
                    here,
                    name,
                    format!("{} states must not have Next or End", state.type_name()),
                );
            }
        }
        _ => match (&common.next, common.end) {
            (Some(next), None | Some(false)) => checker.target(next, format!("{here}/Next"), name),
            (None, Some(true)) => {}
            (Some(_), Some(true)) => {
                checker.error(here, name, "Next and End are mutually exclusive")
            }
            (None, _) => checker.error(here, name, "Missing 'Next' or 'End: true'"),
        },
    }
}

fn validate_error_equals(
    checker: &mut Checker<'_>,
    name: &str,
    lists: &[&Vec<String>],
    here: &str,
) {
    let count = lists.len();
    for (i, list) in lists.iter().enumerate() {
        let at = format!("{here}/{i}/ErrorEquals");
        if list.is_empty() {
            checker.error(at, name, "ErrorEquals must not be empty");
        } else if list.iter().any(|e| e == STATES_ALL) && (list.len() != 1 || i + 1 != count) {
            checker.error(
                at,
                name,
                "States.ALL must appear alone in the last ErrorEquals",
            );
        }
    }
}

fn validate_state(
    checker: &mut Checker<'_>,
    name: &str,
    state: &State,
    here: &str,
    default_jsonata: bool,
) {
    if let Some(errors) = state.error_handling() {
        let retry: Vec<_> = errors.retry.iter().map(|r| &r.error_equals).collect();
        validate_error_equals(checker, name, &retry, &format!("{here}/Retry"));
        for (i, r) in errors.retry.iter().enumerate() {
            if r.backoff_rate.is_some_and(|b| b < 1.0)
                || r.interval_seconds.is_some_and(|i| i < 1.0)
            {
                checker.error(
                    format!("{here}/Retry/{i}"),
                    name,
                    "IntervalSeconds and BackoffRate must be at least 1",
                );
            }
        }
        let catch: Vec<_> = errors.catch.iter().map(|c| &c.error_equals).collect();
        validate_error_equals(checker, name, &catch, &format!("{here}/Catch"));
        for (i, c) in errors.catch.iter().enumerate() {
            checker.target(&c.next, format!("{here}/Catch/{i}/Next"), name);
        }
    }
    match state {
        State::Choice(choice) => {
            if choice.choices.is_empty() {
                checker.error(format!("{here}/Choices"), name, "Choices must not be empty");
            }
            for (i, rule) in choice.choices.iter().enumerate() {
                let at = format!("{here}/Choices/{i}");
                match &rule.next {
                    Some(next) => checker.target(next, format!("{at}/Next"), name),
                    None => checker.error(&at, name, "a choice rule needs Next"),
                }
                if let Condition::Compare(c) = &rule.condition
                    && c.variable.is_empty()
                {
                    checker.error(format!("{at}/Variable"), name, "Variable must not be empty");
                }
            }
            if let Some(default) = &choice.default {
                checker.target(default, format!("{here}/Default"), name);
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
                checker.error(
                    here,
                    name,
                    "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath",
                );
            }
        }
        State::Fail(fail) => {
            if fail.error.is_some() && fail.error_path.is_some()
                || fail.cause.is_some() && fail.cause_path.is_some()
            {
                checker.error(
                    here,
                    name,
                    "Error/ErrorPath and Cause/CausePath are exclusive",
                );
            }
        }
        State::Task(task) => {
            if task.timeout_seconds.is_some() && task.timeout_seconds_path.is_some() {
                checker.error(
                    here,
                    name,
                    "TimeoutSeconds and TimeoutSecondsPath are exclusive",
                );
            }
        }
        State::Parallel(parallel) => {
            for (i, branch) in parallel.branches.iter().enumerate() {
                validate(
                    branch,
                    &format!("{here}/Branches/{i}"),
                    default_jsonata,
                    checker.out,
                );
            }
        }
        State::Map(map) => match &map.item_processor {
            Some(processor) => validate(
                processor,
                &format!("{here}/ItemProcessor"),
                default_jsonata,
                checker.out,
            ),
            None => checker.error(here, name, "a Map state needs ItemProcessor"),
        },
        State::Pass(_) | State::Succeed(_) => {}
    }
}

#[cfg(test)]
mod tests;
