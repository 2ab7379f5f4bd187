//! `rez-agent stepfunctions`: the real binary serving a definition whose
//! Tasks call Lambda, against a fake Lambda Invoke API on loopback, driven
//! by aws-sdk-sfn as the processor Lambda drives AWS.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sfn::operation::describe_execution::DescribeExecutionError;
use aws_sdk_sfn::operation::describe_state_machine::DescribeStateMachineError;
use aws_sdk_sfn::operation::list_executions::ListExecutionsError;
use aws_sdk_sfn::operation::start_sync_execution::StartSyncExecutionError;
use aws_sdk_sfn::types::{HistoryEventType, SyncExecutionStatus};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::cli_common::nothing_listening;
use crate::helpers::{TestResult, WAIT_LIMIT};
use crate::sfn_api::sfn_client;

/// The state machine ARN Pulumi gives the dev stack.
const MACHINE_ARN: &str =
    "arn:aws:states:us-east-1:123456789012:stateMachine:rez-agent-notification-dev";
/// The ARN of the function `name`'s `live` alias, as Pulumi substitutes it.
fn alias(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}:live")
}

/// A definition that routes on `$.scenario` (which every input names) to
/// one Lambda Task per scenario.
fn definition() -> Value {
    json!({
        "StartAt": "Route",
        "States": {
            "Route": {"Type": "Choice", "Default": "Ok", "Choices": [
                {"Variable": "$.scenario", "StringEquals": "flaky", "Next": "Flaky"},
                {"Variable": "$.scenario", "StringEquals": "timeout", "Next": "Slow"},
                {"Variable": "$.scenario", "StringEquals": "throttled", "Next": "Throttled"}
            ]},
            "Ok": {"Type": "Task", "Resource": alias("rez-ok"), "End": true},
            "Flaky": {"Type": "Task", "Resource": alias("rez-flaky"), "End": true,
                "Retry": [{"ErrorEquals": ["Ntfy.ServerError"], "IntervalSeconds": 1,
                           "MaxAttempts": 3, "BackoffRate": 1.0}]},
            "Slow": {"Type": "Task", "Resource": alias("rez-slow"), "End": true,
                "Catch": [{"ErrorEquals": ["Sandbox.Timedout"], "ResultPath": "$.caught",
                           "Next": "Caught"}]},
            "Caught": {"Type": "Pass", "End": true},
            "Throttled": {"Type": "Task", "Resource": alias("rez-throttled"), "End": true}
        }
    })
}

/// The body of the flaky function's failures and of the timeout.
const NTFY_DOWN: &str = r#"{"errorType":"Ntfy.ServerError","errorMessage":"ntfy answered 503"}"#;
const TIMED_OUT: &str = r#"{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: r-1 Error: Task timed out after 15.00 seconds"}"#;

/// One call the fake Lambda received: the raw path, the function name it
/// decodes to, and the payload.
#[derive(Debug, Clone)]
struct Invocation {
    raw_path: String,
    function: String,
    payload: Value,
}

#[derive(Default)]
struct Fake {
    seen: Mutex<Vec<Invocation>>,
}

async fn invoke(
    State(fake): State<Arc<Fake>>,
    Path(function): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let flaky_calls = {
        let mut seen = fake.seen.lock().unwrap();
        seen.push(Invocation {
            raw_path: uri.path().to_owned(),
            function: function.clone(),
            payload: payload.clone(),
        });
        seen.iter()
            .filter(|i| i.function == alias("rez-flaky"))
            .count()
    };
    let function_error =
        |body: &str| ([("x-amz-function-error", "Unhandled")], body.to_owned()).into_response();
    match function.as_str() {
        f if f == alias("rez-ok") => axum::Json(json!({"echo": payload})).into_response(),
        f if f == alias("rez-flaky") && flaky_calls <= 2 => function_error(NTFY_DOWN),
        f if f == alias("rez-flaky") => axum::Json(json!({"delivered": true})).into_response(),
        f if f == alias("rez-slow") => function_error(TIMED_OUT),
        f if f == alias("rez-throttled") => (
            StatusCode::TOO_MANY_REQUESTS,
            [("x-amzn-errortype", "TooManyRequestsException")],
            r#"{"Type":"User","message":"Rate Exceeded."}"#,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A fake Lambda Invoke API on 127.0.0.1:0: its URL and what it received.
async fn fake_lambda() -> (String, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let app = Router::new()
        .route("/2015-03-31/functions/{function}/invocations", post(invoke))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}"), fake)
}

/// A running `rez-agent stepfunctions` and the directory holding its definition.
struct Served {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

/// Writes `definition` as `rez-agent-notification-dev.asl.json`.
fn definition_file(definition: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rez-agent-notification-dev.asl.json");
    std::fs::write(&path, definition).unwrap();
    (dir, path)
}

fn command(path: &std::path::Path, lambda: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rez-agent"));
    command
        .arg("stepfunctions")
        .arg("--definition")
        .arg(path)
        .args(["--lambda-endpoint", lambda, "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    command
}

/// Starts `rez-agent stepfunctions` on the test definition and waits for
/// its ready line.
async fn serve(lambda: &str, extra: &[&str]) -> Served {
    let (dir, path) = definition_file(&definition().to_string());
    let mut child = command(&path, lambda, extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("rez-agent starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(WAIT_LIMIT, lines.next_line())
        .await
        .expect("the ready line comes in time")
        .unwrap()
        .expect("rez-agent printed a line before exiting");
    let rest = line
        .strip_prefix("stepfunctions: listening on ")
        .unwrap_or_else(|| panic!("not the ready line: {line}"));
    let (base, arn) = rest.split_once(' ').unwrap();
    assert!(arn.starts_with('(') && arn.ends_with(')'), "{line}");
    Served {
        child,
        base: base.to_owned(),
        _dir: dir,
    }
}

impl Served {
    fn sfn(&self) -> aws_sdk_sfn::Client {
        sfn_client(&self.base, "any-secret")
    }

    /// StartSyncExecution of the served machine with `input`, bounded.
    async fn run(
        &self,
        input: Value,
    ) -> aws_sdk_sfn::operation::start_sync_execution::StartSyncExecutionOutput {
        tokio::time::timeout(
            WAIT_LIMIT,
            self.sfn()
                .start_sync_execution()
                .state_machine_arn(MACHINE_ARN)
                .input(input.to_string())
                .send(),
        )
        .await
        .expect("the execution ends in time")
        .expect("StartSyncExecution answers")
    }

    /// Sends SIGTERM and waits, bounded, for the exit status.
    async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().unwrap().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(killed.success());
        tokio::time::timeout(WAIT_LIMIT, self.child.wait())
            .await
            .expect("it exits in time")
            .unwrap()
    }
}

fn output(out: &aws_sdk_sfn::operation::start_sync_execution::StartSyncExecutionOutput) -> Value {
    serde_json::from_str(out.output().unwrap_or("null")).unwrap()
}

#[tokio::test]
async fn a_lambda_task_is_invoked_at_the_endpoint_and_its_payload_is_the_output() -> TestResult {
    let (lambda, fake) = fake_lambda().await;
    let served = serve(&lambda, &["--state-machine-arn", MACHINE_ARN]).await;

    let input = json!({"scenario": "ok", "message_id": "m-1"});
    let out = served.run(input.clone()).await;

    assert_eq!(out.status(), &SyncExecutionStatus::Succeeded);
    assert_eq!(out.state_machine_arn(), Some(MACHINE_ARN));
    assert!(
        out.execution_arn().starts_with(
            "arn:aws:states:us-east-1:123456789012:express:rez-agent-notification-dev:"
        )
    );
    assert_eq!(output(&out), json!({"echo": input}));
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].function, alias("rez-ok"));
    assert_eq!(
        seen[0].raw_path,
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction\
         %3Arez-ok%3Alive/invocations"
    );
    assert_eq!(seen[0].payload, input);
    assert!(served.terminate().await.success());
    Ok(())
}

#[tokio::test]
async fn a_function_error_is_retried_by_its_error_type_until_the_function_succeeds() -> TestResult {
    let (lambda, fake) = fake_lambda().await;
    let served = serve(&lambda, &["--state-machine-arn", MACHINE_ARN]).await;

    let out = served.run(json!({"scenario": "flaky"})).await;

    assert_eq!(out.status(), &SyncExecutionStatus::Succeeded, "{out:?}");
    assert_eq!(output(&out), json!({"delivered": true}));
    let calls = fake.seen.lock().unwrap().len();
    assert_eq!(calls, 3);
    let history = served
        .sfn()
        .get_execution_history()
        .execution_arn(out.execution_arn())
        .send()
        .await?;
    let scheduled = history
        .events()
        .iter()
        .filter(|e| e.r#type() == &HistoryEventType::TaskScheduled)
        .count();
    assert_eq!(scheduled, 3);
    Ok(())
}

#[tokio::test]
async fn a_lambda_timeout_reaches_the_catcher_with_its_error_and_cause() -> TestResult {
    let (lambda, _fake) = fake_lambda().await;
    let served = serve(&lambda, &["--state-machine-arn", MACHINE_ARN]).await;

    let out = served.run(json!({"scenario": "timeout"})).await;

    assert_eq!(out.status(), &SyncExecutionStatus::Succeeded, "{out:?}");
    assert_eq!(
        output(&out)["caught"],
        json!({"Error": "Sandbox.Timedout", "Cause": TIMED_OUT})
    );
    Ok(())
}

#[tokio::test]
async fn lambda_service_errors_and_an_unreachable_endpoint_fail_with_aws_error_names() -> TestResult
{
    let (lambda, _fake) = fake_lambda().await;
    let served = serve(&lambda, &["--state-machine-arn", MACHINE_ARN]).await;
    let throttled = served.run(json!({"scenario": "throttled"})).await;
    assert_eq!(throttled.status(), &SyncExecutionStatus::Failed);
    assert_eq!(throttled.error(), Some("Lambda.TooManyRequestsException"));
    assert!(
        throttled
            .cause()
            .is_some_and(|c| c.starts_with("Rate Exceeded. (Service: AWSLambda; Status Code: 429")),
        "{throttled:?}"
    );

    let down = nothing_listening();
    let served = serve(&down, &["--state-machine-arn", MACHINE_ARN]).await;
    let out = served.run(json!({"scenario": "ok"})).await;
    assert_eq!(out.status(), &SyncExecutionStatus::Failed);
    assert_eq!(out.error(), Some("Lambda.SdkClientException"));
    assert!(
        out.cause()
            .is_some_and(|c| c.contains("could not be reached") && c.contains(&down)),
        "{out:?}"
    );
    Ok(())
}

#[tokio::test]
async fn only_the_state_machine_arn_given_is_served() -> TestResult {
    let (lambda, _fake) = fake_lambda().await;
    let served = serve(&lambda, &["--state-machine-arn", MACHINE_ARN]).await;
    let sfn = served.sfn();

    let described = sfn
        .describe_state_machine()
        .state_machine_arn(MACHINE_ARN)
        .send()
        .await?;
    assert_eq!(described.name(), "rez-agent-notification-dev");
    assert_eq!(
        serde_json::from_str::<Value>(described.definition())?,
        definition()
    );

    let other = "arn:aws:states:us-east-1:123456789012:stateMachine:rez-agent-notification-prod";
    let describe = sfn
        .describe_state_machine()
        .state_machine_arn(other)
        .send()
        .await;
    assert!(matches!(
        describe.map_err(|e| e.into_service_error()),
        Err(DescribeStateMachineError::StateMachineDoesNotExist(_))
    ));
    let start = sfn
        .start_sync_execution()
        .state_machine_arn(other)
        .send()
        .await;
    assert!(matches!(
        start.map_err(|e| e.into_service_error()),
        Err(StartSyncExecutionError::StateMachineDoesNotExist(_))
    ));
    Ok(())
}

#[tokio::test]
async fn the_default_arn_is_the_definition_file_stem_in_the_documented_account() -> TestResult {
    let (lambda, _fake) = fake_lambda().await;
    let served = serve(&lambda, &[]).await;
    let machines = served.sfn().list_state_machines().send().await?;
    let arns: Vec<&str> = machines
        .state_machines()
        .iter()
        .map(|m| m.state_machine_arn())
        .collect();
    assert_eq!(arns, [MACHINE_ARN]);
    Ok(())
}

#[tokio::test]
async fn list_executions_answers_unless_strict_where_it_is_refused_as_aws_refuses_it() -> TestResult
{
    let (lambda, _fake) = fake_lambda().await;
    let open = serve(&lambda, &["--state-machine-arn", MACHINE_ARN]).await;
    let ran = open.run(json!({"scenario": "ok"})).await;
    let listed = open
        .sfn()
        .list_executions()
        .state_machine_arn(MACHINE_ARN)
        .send()
        .await?;
    assert_eq!(listed.executions().len(), 1);
    assert_eq!(listed.executions()[0].execution_arn(), ran.execution_arn());

    let strict = serve(&lambda, &["--state-machine-arn", MACHINE_ARN, "--strict"]).await;
    let ran = strict.run(json!({"scenario": "ok"})).await;
    assert_eq!(ran.status(), &SyncExecutionStatus::Succeeded);
    let listed = strict
        .sfn()
        .list_executions()
        .state_machine_arn(MACHINE_ARN)
        .send()
        .await
        .map_err(|e| e.into_service_error());
    match listed {
        Err(ListExecutionsError::StateMachineTypeNotSupported(e)) => assert_eq!(
            e.message(),
            Some("This operation is not supported by this type of state machine")
        ),
        other => panic!("not StateMachineTypeNotSupported: {other:?}"),
    }
    let described = strict
        .sfn()
        .describe_execution()
        .execution_arn(ran.execution_arn())
        .send()
        .await
        .map_err(|e| e.into_service_error());
    match described {
        Err(DescribeExecutionError::InvalidArn(e)) => assert_eq!(
            e.message(),
            Some("Invalid Arn: 'Resource type not valid in this context: express'")
        ),
        other => panic!("not InvalidArn: {other:?}"),
    }
    Ok(())
}

/// Runs `rez-agent stepfunctions` on `definition` and returns how it ended.
async fn refused(definition: &str) -> (Option<i32>, String) {
    let (_dir, path) = definition_file(definition);
    let run = tokio::time::timeout(
        WAIT_LIMIT,
        command(&path, "http://127.0.0.1:9", &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output(),
    )
    .await
    .expect("it exits in time")
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "");
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[tokio::test]
async fn start_up_refuses_an_invalid_definition_and_a_resource_that_is_not_lambda() {
    let (code, stderr) =
        refused(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}"#).await;
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("rez-agent: the definition "), "{stderr}");
    assert!(stderr.contains("is not valid"), "{stderr}");
    assert!(stderr.contains("SCHEMA_VALIDATION_FAILED"), "{stderr}");

    let sqs = "arn:aws:states:::sqs:sendMessage";
    let (code, stderr) = refused(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": sqs, "End": true}}})
            .to_string(),
    )
    .await;
    assert_eq!(code, Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("uses resource {sqs}")), "{stderr}");
    assert!(stderr.contains("Lambda function ARNs"), "{stderr}");
}

#[tokio::test]
async fn a_lambda_call_longer_than_timeout_seconds_is_states_timeout() -> TestResult {
    // A Lambda that never answers: the engine's TimeoutSeconds gives up.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = Router::new().route(
        "/2015-03-31/functions/{function}/invocations",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::OK
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (dir, path) = definition_file(
        &json!({"StartAt": "A", "States": {"A": {
            "Type": "Task", "Resource": alias("rez-hang"), "TimeoutSeconds": 1, "End": true
        }}})
        .to_string(),
    );
    let mut child = command(&path, &format!("http://{address}"), &[])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(WAIT_LIMIT, lines.next_line())
        .await?
        .unwrap()
        .unwrap();
    let base = line
        .strip_prefix("stepfunctions: listening on ")
        .and_then(|r| r.split_once(' '))
        .map(|(base, _)| base.to_owned())
        .unwrap();
    let served = Served {
        child,
        base,
        _dir: dir,
    };
    let out = served.run(json!({})).await;
    assert_eq!(out.status(), &SyncExecutionStatus::Failed);
    assert_eq!(out.error(), Some("States.Timeout"));
    Ok(())
}
