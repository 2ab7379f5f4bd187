//! `rez-agent statemachine validate / test / run`, through the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::helpers::TestResult;

fn rez_agent(args: &[&str]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_rez-agent"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn repo_file(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
        .display()
        .to_string()
}

/// The conformance corpus: `REZ_CONFORMANCE_DIR`, else `<repo>/../shared/conformance/asl/cases`;
/// `None` when this run skips it (see `rez_states::cases::locate_corpus`).
fn corpus_dir() -> Result<Option<PathBuf>, rez_states::cases::CorpusError> {
    let beside_checkout =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/asl/cases");
    rez_states::cases::locate_corpus(&beside_checkout)
}

#[test]
fn validate_accepts_the_notification_definition() -> TestResult {
    let file = repo_file("statemachine/notification.asl.json");
    let output = rez_agent(&["statemachine", "validate", &file])?;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), format!("{file}: valid (11 states)\n"));
    Ok(())
}

#[test]
fn validate_lists_every_problem_and_exits_non_zero() -> TestResult {
    let dir = tempfile::tempdir()?;
    let broken = dir.path().join("broken.asl.json");
    std::fs::write(
        &broken,
        r#"{"StartAt": "Load", "States": {
            "Load": {"Type": "Task", "Resource": "arn:aws:lambda:x", "Next": "Send", "InputPath": "messageId"},
            "Orphan": {"Type": "Pass", "End": true, "Colour": "red"}
        }}"#,
    )?;
    let file = broken.display().to_string();
    let output = rez_agent(&["statemachine", "validate", &file])?;
    assert_eq!(output.status.code(), Some(1));
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.lines().collect();
    for expected in [
        format!("{file}:/States/Load/InputPath: SCHEMA_VALIDATION_FAILED: "),
        format!("{file}:/States/Orphan/Colour: SCHEMA_VALIDATION_FAILED: "),
        format!("{file}:/States/Load/Next: SCHEMA_VALIDATION_FAILED: Missing 'Next' target: Send"),
        format!("{file}:/States/Orphan: SCHEMA_VALIDATION_FAILED: State 'Orphan' is not reachable"),
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&expected)),
            "{expected} not in\n{printed}"
        );
    }

    std::fs::write(&broken, "{\n  \"StartAt\": \"A\",\n  \"States\": {]\n}")?;
    let output = rez_agent(&["statemachine", "validate", &file])?;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).lines().count(), 1);
    assert!(
        stdout(&output).starts_with(&format!("{file}:3:")),
        "{}",
        stdout(&output)
    );
    Ok(())
}

#[test]
fn test_runs_corpus_cases_and_counts_them() -> TestResult {
    let Some(corpus) = corpus_dir()? else {
        return Ok(());
    };
    let cases: Vec<String> = ["error_handling", "map", "intrinsic_functions"]
        .iter()
        .filter_map(|group| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join(group))
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            files.first().map(|f| f.display().to_string())
        })
        .collect();
    assert_eq!(cases.len(), 3, "corpus not found at {}", corpus.display());
    let mut args = vec!["statemachine", "test"];
    args.extend(cases.iter().map(String::as_str));
    let output = rez_agent(&args)?;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "3 passed, 0 failed\n");
    Ok(())
}

#[test]
fn test_reports_a_failing_case_with_its_diff() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("wrong.json"),
        r#"{"name": "demo/wrong", "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "input": {"a": 1}, "expect": {"status": "SUCCEEDED", "output": {"a": 2}}}"#,
    )?;
    let output = rez_agent(&["statemachine", "test", &dir.path().display().to_string()])?;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "FAIL demo/wrong: output: expected {\"a\":2} got {\"a\":1}\n0 passed, 1 failed\n"
    );
    Ok(())
}

#[test]
fn run_answers_tasks_from_a_step_functions_local_mock_config() -> TestResult {
    let dir = tempfile::tempdir()?;
    let definition = dir.path().join("orders.asl.json");
    std::fs::write(
        &definition,
        r#"{"StartAt": "Charge", "States": {
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.charge", "Next": "Done",
                "Retry": [{"ErrorEquals": ["Lambda.TimeoutException"], "IntervalSeconds": 1, "MaxAttempts": 3}]},
            "Done": {"Type": "Succeed"}}}"#,
    )?;
    let mocks = dir.path().join("MockConfigFile.json");
    std::fs::write(
        &mocks,
        r#"{"StateMachines": {"orders": {"TestCases": {"RetryPath": {"Charge": "ChargeRetry"}}}},
            "MockedResponses": {"ChargeRetry": {
                "0-1": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
                "2": {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}}}}"#,
    )?;
    let output = rez_agent(&[
        "statemachine",
        "run",
        &definition.display().to_string(),
        "--input",
        r#"{"order": 7}"#,
        "--mock-config",
        &mocks.display().to_string(),
        "--test-case",
        "RetryPath",
        "--time-scale",
        "0",
    ])?;
    assert!(output.status.success(), "{output:?}");
    let printed = stdout(&output);
    assert!(printed.starts_with("status: SUCCEEDED\n"), "{printed}");
    assert!(
        printed.contains(
            r#"output: {"order":7,"charge":{"StatusCode":200,"Payload":{"charged":true}}}"#
        ),
        "{printed}"
    );
    assert_eq!(printed.matches("TaskFailed").count(), 2, "{printed}");
    assert!(printed.contains("ExecutionSucceeded"), "{printed}");

    let unknown = rez_agent(&[
        "statemachine",
        "run",
        &definition.display().to_string(),
        "--mock-config",
        &mocks.display().to_string(),
        "--test-case",
        "Nope",
    ])?;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no test case 'Nope'"));
    Ok(())
}
