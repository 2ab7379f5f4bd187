//! [`run_case`]: run a [`Case`] with its fake tasks and compare the result
//! with the recording.

use std::time::Duration;

use serde_json::{Map, Value};

use super::compare::{json_equal, short};
use super::{Case, FakeTasks};
use crate::execution::{Execution, ExecutionOptions, ExecutionStatus, execute};
use crate::history::HistoryEvent;
use crate::machine::StateMachine;

/// Longest one case may run before it counts as failed (the corpus promises
/// no expectation depends on elapsed time; Waits are skipped).
pub const CASE_TIME_LIMIT: Duration = Duration::from_secs(20);

/// How the result of a case differs from the recording in one respect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `status`, `output`, `error`, `cause`, `assigned_variables`,
    /// `definition`, `tasks` or `time`.
    pub field: &'static str,
    /// What the recording has (cut to [`super::MAX_DIFF_TEXT`] characters).
    pub expected: String,
    /// What this engine produced (cut the same way).
    pub got: String,
}

impl Difference {
    fn new(field: &'static str, expected: impl AsRef<str>, got: impl AsRef<str>) -> Self {
        Difference {
            field,
            expected: short(expected.as_ref()),
            got: short(got.as_ref()),
        }
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {} got {}",
            self.field, self.expected, self.got
        )
    }
}

/// The result of [`run_case`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    /// Whether the result matches the recording.
    pub passed: bool,
    /// Every respect in which it does not (empty when passed).
    pub diff: Vec<Difference>,
    /// The execution, when the definition could run.
    pub execution: Option<Execution>,
}

impl CaseOutcome {
    fn failed(diff: Difference) -> Self {
        CaseOutcome {
            passed: false,
            diff: vec![diff],
            execution: None,
        }
    }
}

fn text(value: Option<&Value>) -> String {
    match value {
        None => "(none)".to_string(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    }
}

fn status_name(status: ExecutionStatus) -> &'static str {
    match status {
        ExecutionStatus::Succeeded => "SUCCEEDED",
        ExecutionStatus::Failed => "FAILED",
        ExecutionStatus::TimedOut => "TIMED_OUT",
    }
}

/// Run `case` once (time scale 0, fake tasks) and compare with `expect`:
/// status; output for SUCCEEDED; error and (unless masked) cause for FAILED;
/// `assigned_variables` as a multiset when the case has them.
///
/// Runs inside a Tokio runtime with the time driver enabled (the
/// [`CASE_TIME_LIMIT`] is a Tokio timeout).
pub async fn run_case(case: &Case) -> CaseOutcome {
    let machine = match StateMachine::from_value(&case.definition) {
        Ok(machine) => machine,
        Err(e) => {
            return CaseOutcome::failed(Difference::new("definition", "valid", e.to_string()));
        }
    };
    let tasks = match FakeTasks::new(&case.tasks) {
        Ok(tasks) => tasks,
        Err(e) => return CaseOutcome::failed(Difference::new("tasks", "valid", e)),
    };
    let options = ExecutionOptions::default().with_time_scale(0.0);
    let run = execute(&machine, case.input.clone(), &tasks, &options);
    let Ok(execution) = tokio::time::timeout(CASE_TIME_LIMIT, run).await else {
        return CaseOutcome::failed(Difference::new(
            "time",
            format!("at most {} s", CASE_TIME_LIMIT.as_secs()),
            "still running",
        ));
    };
    let diff = compare(case, &execution);
    CaseOutcome {
        passed: diff.is_empty(),
        diff,
        execution: Some(execution),
    }
}

fn compare(case: &Case, execution: &Execution) -> Vec<Difference> {
    let expect = &case.expect;
    let status = status_name(execution.status);
    let mut diff = Vec::new();
    if status != expect.status {
        diff.push(Difference::new("status", &expect.status, status));
        let got_error = execution.error.clone().map(Value::String);
        diff.push(Difference::new(
            "error",
            text(expect.error.as_ref()),
            text(got_error.as_ref()),
        ));
        if execution.cause.is_some() {
            let got_cause = execution.cause.clone().map(Value::String);
            diff.push(Difference::new(
                "cause",
                text(expect.cause.as_ref()),
                text(got_cause.as_ref()),
            ));
        }
        return diff;
    }
    if status == "SUCCEEDED" {
        let expected = expect.output.clone().unwrap_or(Value::Null);
        let actual = execution.output.clone().map_or(Value::Null, Value::from);
        if !json_equal(&actual, &expected) {
            diff.push(Difference::new(
                "output",
                expected.to_string(),
                actual.to_string(),
            ));
        }
        diff.extend(check_assigned(case, &execution.history));
        return diff;
    }
    let expected_error = expect.error.as_ref().and_then(Value::as_str);
    if execution.error.as_deref() != expected_error {
        diff.push(Difference::new(
            "error",
            text(expect.error.as_ref()),
            text(execution.error.clone().map(Value::String).as_ref()),
        ));
    }
    if let Some(cause) = &expect.cause
        && execution.cause.as_deref() != cause.as_str()
    {
        diff.push(Difference::new(
            "cause",
            text(Some(cause)),
            text(execution.cause.clone().map(Value::String).as_ref()),
        ));
    }
    diff
}

/// (state name, variables) from every `*StateExited` event that assigned any.
fn assigned_in(history: &[HistoryEvent]) -> Vec<(String, Map<String, Value>)> {
    history
        .iter()
        .filter_map(|event| {
            let details = event.details.get("stateExitedEventDetails")?;
            let name = details.get("name")?.as_str()?.to_string();
            let texts = details.get("assignedVariables")?.as_object()?;
            let values = texts
                .iter()
                .map(|(k, v)| {
                    let value = v
                        .as_str()
                        .and_then(|t| serde_json::from_str(t).ok())
                        .unwrap_or(Value::Null);
                    (k.clone(), value)
                })
                .collect();
            Some((name, values))
        })
        .collect()
}

/// Compare `expect.assigned_variables` as a multiset, when the case has it.
fn check_assigned(case: &Case, history: &[HistoryEvent]) -> Option<Difference> {
    let expected = case.expect.assigned_variables.as_ref()?;
    let mut actual = assigned_in(history);
    for want in expected {
        let found = actual.iter().position(|(state, vars)| {
            state == &want.state
                && want
                    .variables
                    .iter()
                    .all(|(k, v)| vars.get(k).is_some_and(|a| json_equal(a, v)))
        });
        match found {
            Some(i) => {
                actual.remove(i);
            }
            None => {
                return Some(Difference::new(
                    "assigned_variables",
                    format!(
                        "{} assigns {}",
                        want.state,
                        Value::Object(want.variables.clone())
                    ),
                    "no such assignment",
                ));
            }
        }
    }
    actual.first().map(|(state, vars)| {
        Difference::new(
            "assigned_variables",
            "nothing more",
            format!("{state} assigns {}", Value::Object(vars.clone())),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(value: Value) -> Result<Case, serde_json::Error> {
        serde_json::from_value(value)
    }

    #[tokio::test]
    async fn a_matching_case_passes_and_a_wrong_output_is_a_difference()
    -> Result<(), serde_json::Error> {
        let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true}}});
        let passing = case(
            json!({"name": "t/echo", "definition": definition, "input": {"a": 1},
            "tasks": {"r": {"behaviour": "echo"}}, "expect": {"status": "SUCCEEDED", "output": {"a": 1.0}}}),
        )?;
        let outcome = run_case(&passing).await;
        assert!(outcome.passed, "{:?}", outcome.diff);
        let failing = case(
            json!({"name": "t/return", "definition": definition, "input": {},
            "tasks": {"r": {"behaviour": "return", "value": 2}}, "expect": {"status": "SUCCEEDED", "output": 3}}),
        )?;
        let outcome = run_case(&failing).await;
        assert!(!outcome.passed);
        assert_eq!(outcome.diff, vec![Difference::new("output", "3", "2")]);
        Ok(())
    }

    #[tokio::test]
    async fn a_wrong_status_reports_the_error_and_cause() -> Result<(), serde_json::Error> {
        let failing = case(json!({"name": "t/raise",
            "definition": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r", "End": true}}},
            "tasks": {"r": {"behaviour": "raise", "error": "Boom", "cause": "bad"}},
            "expect": {"status": "SUCCEEDED", "output": {}}}))?;
        let outcome = run_case(&failing).await;
        let fields: Vec<_> = outcome.diff.iter().map(|d| d.field).collect();
        assert_eq!(fields, ["status", "error", "cause"]);
        assert_eq!(outcome.diff[1].got, "\"Boom\"");
        Ok(())
    }
}
