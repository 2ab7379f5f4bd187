//! `rez-agent statemachine run FILE --input JSON [--mock-config FILE --test-case NAME]`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rez_states::cases::{MockConfig, MockHandler};
use rez_states::{Execution, ExecutionOptions, ExecutionStatus, HistoryEvent, StateMachine};
use serde_json::Value;

/// Longest payload shown in a history row.
const MAX_DETAIL: usize = 80;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The definition file.
    pub file: PathBuf,
    /// The execution input (JSON text).
    pub input: String,
    /// An AWS Step Functions Local mock configuration file.
    pub mock_config: Option<PathBuf>,
    /// The test case of the mock configuration to use.
    pub test_case: Option<String>,
    /// The state machine name in the mock configuration (default: the file
    /// name without `.json` / `.asl`).
    pub state_machine: Option<String>,
    /// Multiplies every wait; 0 never waits.
    pub time_scale: f64,
}

/// The state machine name a file stands for: `notification.asl.json` → `notification`.
pub fn machine_name(file: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".json").unwrap_or(&name);
    name.strip_suffix(".asl").unwrap_or(name).to_string()
}

/// Run the definition once and print its status, output or error, and the
/// history as a table. Task states answer from the mock configuration's
/// test case; without one, every Task fails with `Mock.NotMocked`.
///
/// # Errors
///
/// An unreadable or invalid definition, input or mock configuration, or an
/// execution that did not succeed.
pub async fn run(request: &RunRequest, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = request.file.display();
    let text =
        std::fs::read_to_string(&request.file).with_context(|| format!("cannot read {name}"))?;
    let machine = StateMachine::from_json(&text).with_context(|| format!("{name}"))?;
    let input: Value = serde_json::from_str(&request.input).context("--input is not JSON")?;
    let machine_name = request
        .state_machine
        .clone()
        .unwrap_or_else(|| machine_name(&request.file));
    let tasks = match (&request.mock_config, &request.test_case) {
        (Some(path), Some(test_case)) => {
            MockConfig::load(path)?.handler(&machine_name, test_case)?
        }
        (None, None) => MockHandler::new(HashMap::new()),
        _ => anyhow::bail!("--mock-config and --test-case go together"),
    };
    let options = ExecutionOptions::default()
        .with_state_machine(
            format!("arn:aws:states:local:000000000000:stateMachine:{machine_name}"),
            machine_name.clone(),
        )
        .with_name(format!("run-{}", uuid::Uuid::new_v4()))
        .with_time_scale(request.time_scale);
    let execution = rez_states::execute(&machine, input, &tasks, &options).await;
    print_execution(&execution, out)?;
    match execution.status {
        ExecutionStatus::Succeeded => Ok(()),
        other => anyhow::bail!("execution ended {other:?}"),
    }
}

fn print_execution(execution: &Execution, out: &mut dyn Write) -> anyhow::Result<()> {
    let status = serde_json::to_value(execution.status)?;
    writeln!(out, "status: {}", status.as_str().unwrap_or_default())?;
    if let Some(output) = &execution.output {
        writeln!(out, "output: {output}")?;
    }
    if let Some(error) = &execution.error {
        writeln!(out, "error: {error}")?;
    }
    if let Some(cause) = &execution.cause {
        writeln!(out, "cause: {cause}")?;
    }
    writeln!(
        out,
        "{:>4} {:>4}  {:<26} {:<20} DETAIL",
        "ID", "PREV", "EVENT", "STATE"
    )?;
    for event in &execution.history {
        let (state, detail) = describe(event);
        let event_type = serde_json::to_value(event.event_type)?;
        writeln!(
            out,
            "{:>4} {:>4}  {:<26} {:<20} {}",
            event.id,
            event.previous_event_id,
            event_type.as_str().unwrap_or_default(),
            super::clip(&state, 20),
            super::clip(&detail, MAX_DETAIL)
        )?;
    }
    Ok(())
}

/// The state name and a compact summary of one event's details.
fn describe(event: &HistoryEvent) -> (String, String) {
    let Some(details) = event.details.as_object().and_then(|d| d.values().next()) else {
        return (String::new(), String::new());
    };
    let field = |key: &str| details.get(key).and_then(Value::as_str).map(str::to_string);
    let state = field("name").unwrap_or_default();
    let detail = if let Some(error) = field("error") {
        match field("cause") {
            Some(cause) => format!("{error}: {cause}"),
            None => error,
        }
    } else {
        ["output", "input", "parameters", "resource"]
            .iter()
            .find_map(|key| field(key))
            .unwrap_or_default()
    };
    (state, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_names_drop_the_asl_json_suffix() {
        assert_eq!(
            machine_name(Path::new("dir/notification.asl.json")),
            "notification"
        );
        assert_eq!(machine_name(Path::new("m.json")), "m");
    }

    #[tokio::test]
    async fn a_mocked_run_prints_status_output_and_history() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("demo.asl.json");
        std::fs::write(&file, r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:x", "End": true,
            "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}]}}}"#).expect("write");
        let mocks = dir.path().join("mocks.json");
        std::fs::write(&mocks, r#"{"StateMachines": {"demo": {"TestCases": {"Flaky": {"T": "FailOnce"}}}},
            "MockedResponses": {"FailOnce": {"0": {"Throw": {"Error": "Boom", "Cause": "c"}}, "1": {"Return": {"ok": true}}}}}"#).expect("write");
        let request = RunRequest {
            file,
            input: "{}".into(),
            mock_config: Some(mocks),
            test_case: Some("Flaky".into()),
            state_machine: None,
            time_scale: 0.0,
        };
        let mut out = Vec::new();
        run(&request, &mut out).await.expect("succeeds");
        let printed = String::from_utf8_lossy(&out);
        assert!(
            printed.starts_with("status: SUCCEEDED\noutput: {\"ok\":true}\n"),
            "{printed}"
        );
        assert!(printed.contains("TaskFailed"), "{printed}");
        assert!(printed.contains("Boom: c"), "{printed}");
    }
}
