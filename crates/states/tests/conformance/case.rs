//! One corpus case: load, run, compare.

use std::path::Path;
use std::time::Duration;

use rez_states::{ExecutionOptions, ExecutionStatus, StateMachine};
use serde::Deserialize;
use serde_json::Value;

use crate::compare::json_equal;
use crate::fake::FakeTasks;

/// A case file (see the corpus README for the schema).
#[derive(Debug, Deserialize)]
pub(crate) struct Case {
    pub(crate) name: String,
    definition: Value,
    #[serde(default)]
    input: Value,
    #[serde(default)]
    tasks: serde_json::Map<String, Value>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
struct Expect {
    status: String,
    #[serde(default)]
    output: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
    /// Absent: masked in the recording, not checked.
    #[serde(default, deserialize_with = "present")]
    cause: Option<Value>,
    /// Variables each state assigned (multiset; masked values left out).
    #[serde(default)]
    assigned_variables: Option<Vec<Assigned>>,
}

#[derive(Debug, Deserialize)]
struct Assigned {
    state: String,
    variables: serde_json::Map<String, Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Every `*.json` under `dir/<group>/`, sorted by name.
pub(crate) fn load_all(dir: &Path) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let groups = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for group in groups.flatten() {
        let Ok(files) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let case: Case =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                cases.push(case);
            }
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// (state name, variables) from every `*StateExited` event that assigned any.
fn assigned_in(
    history: &[rez_states::HistoryEvent],
) -> Vec<(String, serde_json::Map<String, Value>)> {
    history
        .iter()
        .filter_map(|event| {
            let details = event.details.get("stateExitedEventDetails")?;
            let name = details.get("name")?.as_str()?.to_string();
            let texts = details.get("assignedVariables")?.as_object()?;
            let values = texts
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .and_then(|t| serde_json::from_str(t).ok())
                            .unwrap_or(Value::Null),
                    )
                })
                .collect();
            Some((name, values))
        })
        .collect()
}

impl Case {
    /// The state machine definition.
    pub(crate) fn definition(&self) -> &Value {
        &self.definition
    }

    /// The fake task behaviours, by resource.
    pub(crate) fn tasks(&self) -> &serde_json::Map<String, Value> {
        &self.tasks
    }

    /// Compare `expect.assigned_variables` as a multiset, when the case has it.
    fn check_assigned(&self, history: &[rez_states::HistoryEvent]) -> Result<(), String> {
        let Some(expected) = &self.expect.assigned_variables else {
            return Ok(());
        };
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
                    return Err(format!(
                        "no state {} assigned {:?}",
                        want.state, want.variables
                    ));
                }
            }
        }
        match actual.first() {
            Some((state, vars)) => Err(format!(
                "state {state} assigned {vars:?}, which the recording does not have"
            )),
            None => Ok(()),
        }
    }

    /// Run the case; `Err` says how the result differs from the recording.
    pub(crate) async fn run(&self) -> Result<(), String> {
        let machine = StateMachine::from_value(&self.definition)
            .map_err(|e| format!("definition rejected: {e}"))?;
        let tasks = FakeTasks::new(&self.tasks)?;
        let options = ExecutionOptions::default().with_time_scale(0.0);
        let run = rez_states::execute(&machine, self.input.clone(), &tasks, &options);
        let execution = tokio::time::timeout(Duration::from_secs(20), run)
            .await
            .map_err(|_| "execution did not finish within 20 s".to_string())?;
        let status = match execution.status {
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
        };
        if status != self.expect.status {
            return Err(format!(
                "status {status} (error {:?}, cause {:?}), expected {}",
                execution.error, execution.cause, self.expect.status
            ));
        }
        if status == "SUCCEEDED" {
            let expected = self.expect.output.clone().unwrap_or(Value::Null);
            let actual = execution.output.unwrap_or(Value::Null);
            if !json_equal(&actual, &expected) {
                return Err(format!("output {actual}, expected {expected}"));
            }
            return self.check_assigned(&execution.history);
        }
        let expected_error = self.expect.error.as_ref().and_then(Value::as_str);
        if execution.error.as_deref() != expected_error {
            return Err(format!(
                "error {:?} (cause {:?}), expected {expected_error:?}",
                execution.error, execution.cause
            ));
        }
        if let Some(cause) = &self.expect.cause {
            let expected_cause = cause.as_str();
            if execution.cause.as_deref() != expected_cause {
                return Err(format!(
                    "cause {:?}, expected {expected_cause:?}",
                    execution.cause
                ));
            }
        }
        Ok(())
    }
}
