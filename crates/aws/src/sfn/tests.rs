use aws_sdk_sfn::primitives::DateTime;
use serde_json::json;

use super::*;
use crate::test_support::{replay, requests};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:notification";
const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:express:notification:run-1:abc";

fn output(
    status: SyncExecutionStatus,
    out: Option<&str>,
    error: Option<&str>,
    cause: Option<&str>,
) -> StartSyncExecutionOutput {
    StartSyncExecutionOutput::builder()
        .execution_arn(EXECUTION)
        .start_date(DateTime::from_secs(1))
        .stop_date(DateTime::from_secs(2))
        .status(status)
        .set_output(out.map(str::to_owned))
        .set_error(error.map(str::to_owned))
        .set_cause(cause.map(str::to_owned))
        .build()
        .unwrap()
}

#[test]
fn every_status_maps_to_the_ports_outcome() {
    let cases = [
        (
            output(
                SyncExecutionStatus::Succeeded,
                Some(r#"{"ok":true}"#),
                None,
                None,
            ),
            WorkflowStatus::Succeeded,
            Some(json!({"ok": true})),
        ),
        (
            output(SyncExecutionStatus::Succeeded, Some("not json"), None, None),
            WorkflowStatus::Succeeded,
            Some(json!("not json")),
        ),
        (
            output(
                SyncExecutionStatus::Failed,
                None,
                Some("Ntfy.RateLimited"),
                Some("429 after 3 attempts"),
            ),
            WorkflowStatus::Failed {
                error: Some("Ntfy.RateLimited".into()),
                cause: Some("429 after 3 attempts".into()),
            },
            None,
        ),
        (
            output(SyncExecutionStatus::Failed, None, None, None),
            WorkflowStatus::Failed {
                error: None,
                cause: None,
            },
            None,
        ),
        (
            output(SyncExecutionStatus::TimedOut, None, None, None),
            WorkflowStatus::TimedOut,
            None,
        ),
    ];
    for (answer, status, out) in cases {
        let got = outcome(&answer).unwrap();
        assert_eq!(
            got,
            WorkflowOutcome {
                execution_id: EXECUTION.into(),
                status,
                output: out,
                start_date: chrono::DateTime::from_timestamp(1, 0).unwrap(),
                stop_date: chrono::DateTime::from_timestamp(2, 0).unwrap(),
            }
        );
    }
}

#[test]
fn an_unknown_status_is_an_error_not_a_guess() {
    let err = outcome(&output("PAUSED".into(), None, None, None)).unwrap_err();
    assert!(err.to_string().contains("PAUSED"), "{err}");
}

fn request() -> WorkflowRequest {
    WorkflowRequest {
        name: "msg-0193-attempt-1".into(),
        input: json!({"message_id": "0193"}),
    }
}

#[tokio::test]
async fn a_failed_workflow_answers_200_and_is_read_from_its_status() {
    let body = json!({
        "executionArn": EXECUTION, "startDate": 1.0, "stopDate": 2.0,
        "status": "FAILED", "error": "Ntfy.Rejected", "cause": "400 topic invalid"
    })
    .to_string();
    let (config, http) = replay("http://127.0.0.1:8083", &[(200, &body)]);
    let starter = SfnWorkflowStarter::new(crate::sfn_client(&config), ARN);
    let got = starter.start_sync(&request()).await.unwrap();
    assert_eq!(
        got.status,
        WorkflowStatus::Failed {
            error: Some("Ntfy.Rejected".into()),
            cause: Some("400 topic invalid".into())
        }
    );
    let sent = requests(&http);
    assert_eq!(sent[0].target, "AWSStepFunctions.StartSyncExecution");
    assert_eq!(
        sent[0].json(),
        json!({"stateMachineArn": ARN, "name": "msg-0193-attempt-1", "input": r#"{"message_id":"0193"}"#})
    );
}

#[tokio::test]
async fn a_refused_call_is_a_workflow_error_naming_the_execution() {
    let body =
        json!({"__type": "StateMachineDoesNotExist", "message": "no such machine"}).to_string();
    let (config, _) = replay("http://127.0.0.1:8083", &[(400, &body)]);
    let starter = SfnWorkflowStarter::new(crate::sfn_client(&config), ARN);
    let err = starter.start_sync(&request()).await.unwrap_err();
    let rez_core::ports::WorkflowError::Unavailable(why) = &err else {
        panic!("not Unavailable: {err:?}");
    };
    assert!(
        why.contains("msg-0193-attempt-1") && why.contains("StateMachineDoesNotExist"),
        "{err}"
    );
}

#[tokio::test]
async fn the_sync_host_prefix_is_stripped_only_by_the_interceptor() {
    let ok = json!({"executionArn": EXECUTION, "startDate": 1.0, "stopDate": 2.0, "status": "SUCCEEDED"})
        .to_string();
    // A local endpoint: sfn_client installs the interceptor.
    let (config, http) = replay("http://127.0.0.1:8083", &[(200, &ok)]);
    SfnWorkflowStarter::new(crate::sfn_client(&config), ARN)
        .start_sync(&request())
        .await
        .unwrap();
    assert_eq!(requests(&http)[0].uri, "http://127.0.0.1:8083/");

    // A plain client keeps the prefix, as AWS needs.
    let (config, http) = replay("http://127.0.0.1:8083", &[(200, &ok)]);
    SfnWorkflowStarter::new(aws_sdk_sfn::Client::new(&config), ARN)
        .start_sync(&request())
        .await
        .unwrap();
    assert_eq!(requests(&http)[0].uri, "http://sync-127.0.0.1:8083/");

    // Other operations never had a prefix and are untouched.
    let (config, http) = replay("http://127.0.0.1:8083", &[(200, r#"{"executions":[]}"#)]);
    crate::sfn_client(&config)
        .list_executions()
        .state_machine_arn(ARN)
        .send()
        .await
        .unwrap();
    assert_eq!(requests(&http)[0].uri, "http://127.0.0.1:8083/");
}
