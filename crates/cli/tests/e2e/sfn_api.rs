//! The Step Functions API of `rez-agent up`, driven by the real aws-sdk-sfn
//! client (and raw HTTP for what no SDK sends).

use crate::helpers::*;
use aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_sfn::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_sfn::error::BoxError;
use aws_sdk_sfn::operation::describe_execution::DescribeExecutionError;
use aws_sdk_sfn::operation::start_sync_execution::StartSyncExecutionError;
use aws_sdk_sfn::types::{
    ExecutionStatus, StateMachineType, SyncExecutionStatus,
    ValidateStateMachineDefinitionResultCode,
};
use rez_core::ports::MessageStore;
use rez_core::{MessageType, Notification, Stage};
use rez_local::stack::NOTIFICATION_DEFINITION;
use rez_local::workflow::STATE_MACHINE_ARN;
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

/// aws-sdk-rust sends StartSyncExecution to `sync-<host>`; a local endpoint
/// has no such host, so put the plain one back before the request is signed.
#[derive(Debug)]
pub(crate) struct StripSyncHostPrefix;

impl Intercept for StripSyncHostPrefix {
    fn name(&self) -> &'static str {
        "StripSyncHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_owned();
        if let Some((scheme, rest)) = uri.split_once("://sync-") {
            request.set_uri(format!("{scheme}://{rest}"))?;
        }
        Ok(())
    }
}

/// An SDK client for a keyless stack (any credentials do).
fn sfn(app: &TestApp) -> aws_sdk_sfn::Client {
    sfn_signed_with(app, "local-secret")
}

/// An SDK client for the stack that signs with `secret` as its secret
/// access key: a fixed region, no environment or profile read, and no
/// retries (so errors surface at once).
pub(crate) fn sfn_signed_with(app: &TestApp, secret: &str) -> aws_sdk_sfn::Client {
    sfn_client(&app.url(""), secret)
}

/// An SDK client for the Step Functions endpoint at `endpoint`, as
/// [`sfn_signed_with`] builds it.
pub(crate) fn sfn_client(endpoint: &str, secret: &str) -> aws_sdk_sfn::Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("rez-agent", secret, None, None, "test"))
        .endpoint_url(endpoint)
        .retry_config(aws_sdk_sfn::config::retry::RetryConfig::disabled())
        .interceptor(StripSyncHostPrefix)
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

/// Stores a message without queueing it, so only the test runs it.
pub(crate) async fn stored_message(app: &TestApp, text: &str) -> String {
    let message = rez_core::Message::new(
        chrono::Utc::now(),
        "sfn-test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text(text),
    );
    let stack = app.stack.as_ref().unwrap();
    stack.store.create(&message, None).await.unwrap();
    message.id.to_string()
}

/// Waits, bounded, for a future the stack answers.
async fn bounded<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(WAIT_LIMIT, f)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {WAIT_LIMIT:?}"))
}

/// A raw JSON 1.0 call, for what the SDK never sends.
async fn raw_call(app: &TestApp, target: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(body.to_owned());
    if let Some(target) = target {
        request = request.header("x-amz-target", target);
    }
    let response = bounded("a raw call", request.send()).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn start_sync_execution_delivers_a_stored_message_and_records_the_execution() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let id = stored_message(&app, "hello over the SFN API").await;

    let out = bounded(
        "StartSyncExecution",
        sfn(&app)
            .start_sync_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .name("sync-delivery-1")
            .input(json!({"message_id": id}).to_string())
            .send(),
    )
    .await?;

    assert_eq!(out.status(), &SyncExecutionStatus::Succeeded);
    assert_eq!(out.name(), Some("sync-delivery-1"));
    assert_eq!(out.state_machine_arn(), Some(STATE_MACHINE_ARN));
    assert!(out.stop_date() >= out.start_date());
    let output: Value = serde_json::from_str(out.output().ok_or("no output")?)?;
    assert_eq!(output["message_id"], id.as_str());
    assert_eq!(output["delivery"]["ntfy_id"], "ntfy123abc", "{output}");
    assert_eq!(app.publishes().await.len(), 1);
    assert_eq!(app.message(&id).await["status"], "completed");
    // The same record the processor's executions leave.
    let recorded = app.execution(out.execution_arn()).await;
    assert_eq!(recorded["status"], "SUCCEEDED");
    assert_eq!(recorded["message_id"], id.as_str());
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_rejected_delivery_answers_failed_with_the_error_and_cause() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(400, 40013, "invalid request: topic invalid"))
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;
    let id = stored_message(&app, "nope").await;

    let out = bounded(
        "StartSyncExecution",
        sfn(&app)
            .start_sync_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .input(json!({"message_id": id}).to_string())
            .send(),
    )
    .await?;

    assert_eq!(out.status(), &SyncExecutionStatus::Failed);
    assert_eq!(out.error(), Some("Ntfy.Rejected"));
    assert!(
        out.cause().is_some_and(|c| c.contains("400")),
        "{:?}",
        out.cause()
    );
    assert_eq!(out.output(), None);
    assert_eq!(app.message(&id).await["status"], "failed");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn start_execution_answers_at_once_and_describe_execution_follows_it_to_the_end() -> TestResult
{
    let app = spawn_app(ntfy_accepting().await).await;
    let client = sfn(&app);
    let id = stored_message(&app, "async").await;

    let started = bounded(
        "StartExecution",
        client
            .start_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .name("async-1")
            .input(json!({"message_id": id}).to_string())
            .send(),
    )
    .await?;
    let arn = started.execution_arn().to_owned();
    assert!(
        arn.contains(":express:rez-agent-notification:async-1:"),
        "{arn}"
    );

    let described = eventually(Duration::from_millis(20), async || {
        let described = client
            .describe_execution()
            .execution_arn(&arn)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        match described.status() != &ExecutionStatus::Running {
            true => Ok(described),
            false => Err(format!("{arn} never ended")),
        }
    })
    .await;
    assert_eq!(described.status(), &ExecutionStatus::Succeeded);
    assert_eq!(described.name(), Some("async-1"));
    assert_eq!(described.state_machine_arn(), STATE_MACHINE_ARN);
    assert!(described.stop_date().is_some());
    let input: Value = serde_json::from_str(described.input().ok_or("no input")?)?;
    assert_eq!(input, json!({"message_id": id}));
    assert!(described.output().is_some_and(|o| o.contains("ntfy123abc")));
    assert_eq!(app.publishes().await.len(), 1);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn shutdown_waits_for_executions_started_asynchronously() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let id = stored_message(&app, "finish me").await;
    bounded(
        "StartExecution",
        sfn(&app)
            .start_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .input(json!({"message_id": id}).to_string())
            .send(),
    )
    .await?;
    let store = app.stack.as_ref().ok_or("no stack")?.store.clone();
    let app_ntfy_publishes = {
        let TestApp { stack, ntfy, .. } = app;
        bounded("shutdown", stack.ok_or("no stack")?.shutdown()).await?;
        received_bodies(&ntfy).await.len()
    };
    let message = store
        .get(&id.parse()?)
        .await?
        .ok_or("the message is gone")?;
    assert_eq!(message.status, rez_core::Status::Completed);
    assert_eq!(app_ntfy_publishes, 1);
    Ok(())
}

#[tokio::test]
async fn list_executions_filters_by_status_and_pages_newest_first() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let client = sfn(&app);
    let id = stored_message(&app, "one").await;
    for (name, message_id) in [("ok-1", id.as_str()), ("missing-1", "no-such-message")] {
        bounded(
            "StartSyncExecution",
            client
                .start_sync_execution()
                .state_machine_arn(STATE_MACHINE_ARN)
                .name(name)
                .input(json!({"message_id": message_id}).to_string())
                .send(),
        )
        .await?;
    }

    let names = |out: &aws_sdk_sfn::operation::list_executions::ListExecutionsOutput| {
        out.executions()
            .iter()
            .map(|e| e.name().to_owned())
            .collect::<Vec<_>>()
    };
    let failed = client
        .list_executions()
        .state_machine_arn(STATE_MACHINE_ARN)
        .status_filter(ExecutionStatus::Failed)
        .send()
        .await?;
    assert_eq!(names(&failed), ["missing-1"]);
    assert_eq!(failed.executions()[0].status(), &ExecutionStatus::Failed);
    let succeeded = client
        .list_executions()
        .state_machine_arn(STATE_MACHINE_ARN)
        .status_filter(ExecutionStatus::Succeeded)
        .send()
        .await?;
    assert_eq!(names(&succeeded), ["ok-1"]);
    // A valid filter no local execution has: none listed, not an error.
    let redriven = client
        .list_executions()
        .state_machine_arn(STATE_MACHINE_ARN)
        .status_filter(ExecutionStatus::PendingRedrive)
        .send()
        .await?;
    assert!(names(&redriven).is_empty());

    let first = client
        .list_executions()
        .state_machine_arn(STATE_MACHINE_ARN)
        .max_results(1)
        .send()
        .await?;
    assert_eq!(names(&first), ["missing-1"]);
    let second = client
        .list_executions()
        .state_machine_arn(STATE_MACHINE_ARN)
        .max_results(1)
        .next_token(first.next_token().ok_or("no next token")?)
        .send()
        .await?;
    assert_eq!(names(&second), ["ok-1"]);
    assert_eq!(second.next_token(), None);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn get_execution_history_lists_aws_events_in_order_with_flattened_details() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let client = sfn(&app);
    let id = stored_message(&app, "history").await;
    let run = bounded(
        "StartSyncExecution",
        client
            .start_sync_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .input(json!({"message_id": id}).to_string())
            .send(),
    )
    .await?;

    let history = client
        .get_execution_history()
        .execution_arn(run.execution_arn())
        .send()
        .await?;
    let types: Vec<&str> = history
        .events()
        .iter()
        .map(|e| e.r#type().as_str())
        .collect();
    let task = [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
    ];
    let mut expected = vec!["ExecutionStarted"];
    expected.extend(task);
    expected.extend(["ChoiceStateEntered", "ChoiceStateExited"]);
    expected.extend(task);
    expected.extend(task);
    expected.push("ExecutionSucceeded");
    assert_eq!(types, expected);

    let events = history.events();
    assert_eq!(events[0].id(), 1);
    assert_eq!(events[1].previous_event_id(), 1);
    let started = events[0]
        .execution_started_event_details()
        .ok_or("no executionStartedEventDetails")?;
    assert_eq!(started.role_arn(), Some(rez_local::workflow::ROLE_ARN));
    let entered: Vec<&str> = events
        .iter()
        .filter_map(|e| e.state_entered_event_details())
        .map(|d| d.name())
        .collect();
    assert_eq!(
        entered,
        [
            "LoadMessage",
            "AlreadyDelivered?",
            "SendNotification",
            "RecordSuccess"
        ]
    );
    assert!(
        events[1]
            .state_entered_event_details()
            .and_then(|d| d.input())
            .is_some()
    );
    assert!(events[0].timestamp().secs() > 1_700_000_000);

    // Newest first, a page at a time, without execution data.
    let newest = client
        .get_execution_history()
        .execution_arn(run.execution_arn())
        .reverse_order(true)
        .max_results(2)
        .include_execution_data(false)
        .send()
        .await?;
    let newest_types: Vec<&str> = newest
        .events()
        .iter()
        .map(|e| e.r#type().as_str())
        .collect();
    assert_eq!(newest_types, ["ExecutionSucceeded", "TaskStateExited"]);
    assert!(newest.next_token().is_some());
    let exited = newest.events()[1]
        .state_exited_event_details()
        .ok_or("no stateExitedEventDetails")?;
    assert_eq!(exited.name(), "RecordSuccess");
    assert_eq!(exited.output(), None);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_one_local_state_machine_is_listed_and_described_with_its_definition() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let client = sfn(&app);

    let listed = client.list_state_machines().send().await?;
    let machines = listed.state_machines();
    assert_eq!(machines.len(), 1);
    assert_eq!(machines[0].state_machine_arn(), STATE_MACHINE_ARN);
    assert_eq!(machines[0].name(), "rez-agent-notification");
    assert_eq!(machines[0].r#type(), &StateMachineType::Express);

    let described = client
        .describe_state_machine()
        .state_machine_arn(STATE_MACHINE_ARN)
        .send()
        .await?;
    assert_eq!(described.definition(), NOTIFICATION_DEFINITION);
    assert_eq!(described.r#type(), &StateMachineType::Express);
    assert_eq!(described.role_arn(), rez_local::workflow::ROLE_ARN);
    assert_eq!(
        described.status(),
        Some(&aws_sdk_sfn::types::StateMachineStatus::Active)
    );
    assert_eq!(described.creation_date(), machines[0].creation_date());
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn validate_state_machine_definition_answers_ok_or_fail_with_diagnostics() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let client = sfn(&app);

    let ok = client
        .validate_state_machine_definition()
        .definition(NOTIFICATION_DEFINITION)
        .send()
        .await?;
    assert_eq!(ok.result(), &ValidateStateMachineDefinitionResultCode::Ok);
    assert!(ok.diagnostics().is_empty());

    let fail = client
        .validate_state_machine_definition()
        .definition(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}"#)
        .send()
        .await?;
    assert_eq!(
        fail.result(),
        &ValidateStateMachineDefinitionResultCode::Fail
    );
    let diagnostic = fail.diagnostics().first().ok_or("no diagnostic")?;
    assert_eq!(diagnostic.code(), "SCHEMA_VALIDATION_FAILED");
    assert!(
        diagnostic
            .location()
            .is_some_and(|l| l.contains("/States/A")),
        "{diagnostic:?}"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn unknown_arns_are_the_sdks_typed_does_not_exist_errors() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let client = sfn(&app);

    let missing = format!(
        "{}nobody:00000000-0000-0000-0000-000000000000",
        rez_local::workflow::EXECUTION_ARN_PREFIX
    );
    let error = client
        .describe_execution()
        .execution_arn(&missing)
        .send()
        .await
        .expect_err("no such execution")
        .into_service_error();
    assert!(
        matches!(error, DescribeExecutionError::ExecutionDoesNotExist(_)),
        "{error:?}"
    );

    let error = client
        .describe_execution()
        .execution_arn(STATE_MACHINE_ARN)
        .send()
        .await
        .expect_err("not an execution ARN")
        .into_service_error();
    assert!(
        matches!(error, DescribeExecutionError::InvalidArn(_)),
        "{error:?}"
    );

    let error = client
        .start_sync_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:elsewhere")
        .send()
        .await
        .expect_err("no such state machine")
        .into_service_error();
    assert!(
        matches!(error, StartSyncExecutionError::StateMachineDoesNotExist(_)),
        "{error:?}"
    );

    let error = client
        .start_sync_execution()
        .state_machine_arn(STATE_MACHINE_ARN)
        .input("{not json")
        .send()
        .await
        .expect_err("bad input")
        .into_service_error();
    assert!(
        matches!(error, StartSyncExecutionError::InvalidExecutionInput(_)),
        "{error:?}"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn protocol_errors_are_400s_in_aws_shape_and_leave_the_web_api_alone() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let cases = [
        (
            Some("AWSStepFunctions.CreateStateMachine"),
            "{}",
            "com.amazon.coral.service#UnknownOperationException",
        ),
        (
            None,
            "{}",
            "com.amazon.coral.service#UnknownOperationException",
        ),
        (
            Some("AWSStepFunctions.DescribeExecution"),
            "{\"executionArn\": ",
            "com.amazon.coral.service#SerializationException",
        ),
        (
            Some("AWSStepFunctions.ListExecutions"),
            "{\"stateMachineArn\": 7}",
            "com.amazon.coral.service#SerializationException",
        ),
        (
            Some("AWSStepFunctions.DescribeExecution"),
            "{}",
            "com.amazon.coral.validate#ValidationException",
        ),
        (
            Some("AWSStepFunctions.ListExecutions"),
            &format!("{{\"stateMachineArn\": \"{STATE_MACHINE_ARN}\", \"maxResults\": 5000}}"),
            "com.amazon.coral.validate#ValidationException",
        ),
        (
            Some("AWSStepFunctions.StartExecution"),
            &format!("{{\"stateMachineArn\": \"{STATE_MACHINE_ARN}\", \"name\": \"a b\"}}"),
            "com.amazonaws.swf.service.v2.model#InvalidName",
        ),
        (
            Some("AWSStepFunctions.DescribeExecution"),
            "{\"executionArn\": \"arn:aws:states:x\"}",
            "com.amazonaws.swf.service.v2.model#InvalidArn",
        ),
        (
            Some("AWSStepFunctions.GetExecutionHistory"),
            "{\"executionArn\": \"arn:aws:states:local:0:execution:m:x\", \"nextToken\": \"zz\"}",
            "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist",
        ),
    ];
    for (target, body, type_name) in cases {
        let (status, answer) = raw_call(&app, target, body).await;
        assert_eq!(status, 400, "{target:?} {body}: {answer}");
        assert_eq!(answer["__type"], type_name, "{target:?} {body}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The web API still answers everything else in its own shape.
    assert_eq!(app.get_json("/api/health").await["status"], "ok");
    let other = app.client.get(app.url("/api/nope")).send().await?;
    assert_eq!(other.status(), 404);
    app.shutdown().await;
    Ok(())
}

/// The production Step Functions adapter (`rez_aws::SfnWorkflowStarter`),
/// built as the processor Lambda builds it, pointed at the local endpoint:
/// moto has no StartSyncExecution, so this is where the adapter meets a
/// real server.
fn production_starter(app: &TestApp) -> rez_aws::SfnWorkflowStarter {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sfn::config::SharedCredentialsProvider::new(
            Credentials::new("AKIDLOCAL", "local-secret", None, None, "test"),
        ))
        .endpoint_url(app.url(""))
        .build();
    rez_aws::SfnWorkflowStarter::new(rez_aws::sfn_client(&sdk), STATE_MACHINE_ARN)
}

#[tokio::test]
async fn the_aws_adapter_maps_a_local_sync_execution_to_the_processors_outcome() -> TestResult {
    use rez_core::ports::{WorkflowRequest, WorkflowStarter, WorkflowStatus};
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(400, 40013, "invalid request"))
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;
    let starter = production_starter(&app);

    let rejected = stored_message(&app, "rejected by ntfy").await;
    let outcome = bounded(
        "StartSyncExecution through rez-aws",
        starter.start_sync(&WorkflowRequest {
            name: "adapter-rejected".into(),
            input: json!({"message_id": rejected}),
        }),
    )
    .await?;
    assert!(
        outcome.execution_id.contains("adapter-rejected"),
        "{outcome:?}"
    );
    match &outcome.status {
        WorkflowStatus::Failed { error, cause } => {
            assert_eq!(error.as_deref(), Some("Ntfy.Rejected"));
            assert!(
                cause.as_deref().is_some_and(|c| c.contains("400")),
                "{cause:?}"
            );
        }
        other => panic!("expected FAILED, got {other:?}"),
    }

    let missing = rez_core::MessageId::generate(chrono::Utc::now()).to_string();
    let outcome = bounded(
        "StartSyncExecution of a missing message",
        starter.start_sync(&WorkflowRequest {
            name: "adapter-missing".into(),
            input: json!({"message_id": missing}),
        }),
    )
    .await?;
    assert!(
        matches!(&outcome.status, WorkflowStatus::Failed { error, .. } if error.as_deref() == Some("Message.NotFound")),
        "{outcome:?}"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn up_strict_refuses_what_aws_refuses_for_express_machines() -> TestResult {
    let app = spawn_app_with(ntfy_accepting().await, |c| c.strict = true).await;
    let id = stored_message(&app, "strict").await;
    let ran = bounded(
        "StartSyncExecution",
        sfn(&app)
            .start_sync_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .input(json!({"message_id": id}).to_string())
            .send(),
    )
    .await?;
    assert_eq!(ran.status(), &SyncExecutionStatus::Succeeded);

    let listed = sfn(&app)
        .list_executions()
        .state_machine_arn(STATE_MACHINE_ARN)
        .send()
        .await
        .map_err(|e| e.into_service_error());
    assert!(
        matches!(
            listed,
            Err(aws_sdk_sfn::operation::list_executions::ListExecutionsError::StateMachineTypeNotSupported(_))
        ),
        "{listed:?}"
    );
    let history = sfn(&app)
        .get_execution_history()
        .execution_arn(ran.execution_arn())
        .send()
        .await
        .map_err(|e| e.into_service_error());
    assert!(
        matches!(
            history,
            Err(
                aws_sdk_sfn::operation::get_execution_history::GetExecutionHistoryError::InvalidArn(
                    _
                )
            )
        ),
        "{history:?}"
    );
    // The web API still shows the execution: strict is about the AWS API.
    assert_eq!(
        app.execution(ran.execution_arn()).await["status"],
        "SUCCEEDED"
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_processor_and_two_more_executions_of_one_message_publish_it_once() -> TestResult {
    // ntfy takes a second to answer, so all three executions are under way
    // while the first publish is in flight; at real time (no time scale)
    // that second is well inside ntfy's timeout.
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok().set_delay(Duration::from_secs(1)))
        .mount(&ntfy)
        .await;
    let app = spawn_app_with(ntfy, |config| config.time_scale = 1.0).await;
    let id = app
        .send(json!({"message": "one owner", "title": "claims"}))
        .await;
    let client = sfn(&app);
    let start = |n: u32| {
        client
            .start_sync_execution()
            .state_machine_arn(STATE_MACHINE_ARN)
            .name(format!("duplicate-{n}"))
            .input(json!({"message_id": id}).to_string())
            .send()
    };
    let (first, second) = bounded("two StartSyncExecution calls", async {
        tokio::join!(start(1), start(2))
    })
    .await;
    for out in [first?, second?] {
        assert_eq!(out.status(), &SyncExecutionStatus::Succeeded, "{out:?}");
    }
    let message = app.wait_for_status(&id, &["completed"]).await;
    // Let the processor's execution finish too, whichever of the three won.
    let executions = eventually(Duration::from_millis(100), async || {
        let executions = app.executions_of(&id).await;
        match executions.len() >= 3 && executions.iter().all(|e| e["status"] != "RUNNING") {
            true => Ok(executions),
            false => Err(format!("three closed executions: {executions:?}")),
        }
    })
    .await;
    assert_eq!(
        app.publishes().await.len(),
        1,
        "one publish for three executions"
    );
    let owners: Vec<_> = executions
        .iter()
        .filter(|e| e["execution_id"] == message["execution_id"])
        .collect();
    assert_eq!(
        owners.len(),
        1,
        "the message names the one execution that owned it"
    );
    for execution in &executions {
        let detail = app
            .execution(execution["execution_id"].as_str().unwrap_or_default())
            .await;
        assert_eq!(detail["status"], "SUCCEEDED", "{detail}");
        let states = states_entered(&detail);
        let owner = execution["execution_id"] == message["execution_id"];
        assert_eq!(
            states.contains(&"SendNotification".to_owned()),
            owner,
            "only the owner sends: {states:?}"
        );
        if !owner {
            assert!(
                states.contains(&"ClaimedElsewhere".to_owned()),
                "{states:?}"
            );
        }
    }
    app.shutdown().await;
    Ok(())
}
