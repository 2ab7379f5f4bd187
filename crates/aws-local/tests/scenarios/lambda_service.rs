//! The Lambda service on its own, with a small Python custom runtime as the
//! function (`fixtures/runtime.py`): timeouts, the memory limit, the
//! concurrency limit and init failures, as Lambda reports them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use axum::body::Bytes;
use rez_aws_local::AwsLocalError;
use rez_aws_local::declared::{
    Declared, DeclaredAlias, DeclaredFunction, DeclaredSchedule, DeclaredTable, DeclaredTopic,
};
use rez_aws_local::lambda::{InvokeError, Invoked, LambdaService, ServiceSettings};
use serde_json::json;

const RUNTIME: &str = include_str!("fixtures/runtime.py");
const NAME: &str = "fixture";

/// A zip holding the fixture runtime as `bootstrap`, as make build packs one.
fn package(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("fixture.zip");
    let file = std::fs::File::create(&path).expect("the zip");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    zip.start_file("bootstrap", options).expect("an entry");
    zip.write_all(RUNTIME.as_bytes()).expect("the runtime");
    zip.finish().expect("a finished zip");
    path
}

fn declared(zip: &Path, timeout: u64, memory: u32, environment: &[(&str, &str)]) -> Declared {
    let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{NAME}");
    Declared {
        stage: "dev".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        functions: vec![DeclaredFunction {
            key: NAME.into(),
            name: NAME.into(),
            arn: arn.clone(),
            version: "1".into(),
            zip: zip.to_owned(),
            handler: "bootstrap".into(),
            runtime: "provided.al2023".into(),
            memory_size: memory,
            timeout,
            environment: environment
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            alias: DeclaredAlias {
                name: "live".into(),
                arn: format!("{arn}:live"),
                function_version: "1".into(),
                additional_version_weights: BTreeMap::new(),
            },
        }],
        table: DeclaredTable {
            name: "t".into(),
            arn: "arn:t".into(),
            hash_key: "id".into(),
            range_key: None,
            attributes: vec![],
            global_secondary_indexes: vec![],
            ttl_attribute: None,
        },
        topic: DeclaredTopic {
            name: "n".into(),
            arn: "arn:n".into(),
        },
        queues: vec![],
        subscriptions: vec![],
        parameters: vec![],
        event_source_mappings: vec![],
        schedules: vec![],
        schedule_groups: vec![],
        http_apis: vec![],
        state_machines: vec![],
    }
}

struct Fixture {
    service: LambdaService,
    declared: Declared,
    _dir: tempfile::TempDir,
}

fn service(timeout: u64, memory: u32, concurrency: usize, environment: &[(&str, &str)]) -> Fixture {
    let dir = tempfile::tempdir().expect("a temp dir");
    let zip = package(dir.path());
    let declared = declared(&zip, timeout, memory, environment);
    let handler =
        rez_aws_local::package::unpack(&declared.functions[0], &dir.path().join("functions"))
            .expect("the package unpacks");
    let service = LambdaService::new(
        &declared,
        &BTreeMap::from([(NAME.to_owned(), handler)]),
        ServiceSettings {
            concurrency_limit: concurrency,
            extra_environment: vec![],
            log_dir: dir.path().join("logs"),
        },
    )
    .expect("the service");
    Fixture {
        service,
        declared,
        _dir: dir,
    }
}

async fn invoke(service: &LambdaService, event: serde_json::Value) -> Result<Invoked, InvokeError> {
    service
        .invoke(NAME, Some("live"), Bytes::from(event.to_string()))
        .await
}

#[tokio::test]
async fn an_invocation_runs_the_aliased_version_with_the_declared_memory() {
    let f = service(5, 256, 2, &[]);
    let invoked = invoke(&f.service, json!({"n": 1})).await.expect("invoked");
    let Invoked::Response { payload, version } = invoked else {
        panic!("{invoked:?}")
    };
    assert_eq!(version, "1");
    assert_eq!(payload["version"], "1");
    assert_eq!(payload["memory"], "256");
    assert_eq!(payload["event"], json!({"n": 1}));
    f.service.shutdown().await;
}

#[tokio::test]
async fn a_function_past_its_timeout_is_killed_and_fails_with_sandbox_timedout() {
    let f = service(1, 128, 2, &[]);
    let invoked = invoke(&f.service, json!({"sleep": 5}))
        .await
        .expect("invoked");
    assert_eq!(
        invoked.error_type(),
        Some("Sandbox.Timedout"),
        "{invoked:?}"
    );
    let message = invoked.payload()["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("Task timed out after 1.00 seconds"),
        "{message}"
    );
    // A fresh environment serves the next invocation.
    let again = invoke(&f.service, json!({})).await.expect("invoked");
    assert!(again.error_type().is_none(), "{again:?}");
    f.service.shutdown().await;
}

#[tokio::test]
async fn a_function_over_its_memory_fails_with_runtime_out_of_memory() {
    let f = service(10, 128, 2, &[]);
    let invoked = invoke(&f.service, json!({"hold_mb": 200}))
        .await
        .expect("invoked");
    assert_eq!(
        invoked.error_type(),
        Some("Runtime.OutOfMemory"),
        "{invoked:?}"
    );
    f.service.shutdown().await;
}

#[tokio::test]
async fn invocations_beyond_the_concurrency_limit_are_throttled() {
    let f = service(10, 128, 1, &[]);
    let (first, second) = tokio::join!(invoke(&f.service, json!({"sleep": 2})), async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        invoke(&f.service, json!({})).await
    });
    assert!(matches!(first, Ok(Invoked::Response { .. })), "{first:?}");
    assert!(
        matches!(second, Err(InvokeError::TooManyRequests(_))),
        "{second:?}"
    );
    f.service.shutdown().await;
}

#[tokio::test]
async fn init_failures_are_reported_as_lambda_reports_them() {
    let reported = service(5, 128, 1, &[("FIXTURE_INIT", "report")]);
    match reported.service.initialise(NAME).await {
        Err(AwsLocalError::InitFailed {
            error_type,
            message,
            ..
        }) => {
            assert_eq!(error_type, "Runtime.InitError");
            assert_eq!(message, "FIXTURE_SETTING is not set");
        }
        other => panic!("{other:?}"),
    }
    let exited = service(5, 128, 1, &[("FIXTURE_INIT", "exit")]);
    let invoked = invoke(&exited.service, json!({})).await.expect("invoked");
    assert_eq!(
        invoked.error_type(),
        Some("Runtime.ExitError"),
        "{invoked:?}"
    );
    let message = invoked.payload()["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("exit status 3"), "{message}");
}

#[tokio::test]
async fn a_schedule_fires_its_target_at_the_time_its_expression_names() {
    let mut f = service(5, 128, 2, &[]);
    let at = chrono::Utc::now() + chrono::TimeDelta::seconds(2);
    f.declared.schedules.push(DeclaredSchedule {
        name: "soon".into(),
        schedule_expression: format!("at({})", at.format("%Y-%m-%dT%H:%M:%S")),
        schedule_expression_timezone: Some("UTC".into()),
        state: "ENABLED".into(),
        target_arn: f.declared.functions[0].alias.arn.clone(),
        input: r#"{"scheduled_time":"<aws.scheduler.scheduled-time>"}"#.into(),
        retry_policy: None,
    });
    let tasks = tokio_util::task::TaskTracker::new();
    let stop = tokio_util::sync::CancellationToken::new();
    rez_aws_local::scheduler::start(&f.service, &f.declared, &tasks, &stop)
        .expect("the schedule starts");
    assert_eq!(
        f.service.invocations(NAME),
        Ok(0),
        "nothing fires before its time"
    );
    crate::support::eventually("the schedule's invocation", || async {
        (f.service.invocations(NAME) == Ok(1)).then_some(())
    })
    .await;
    stop.cancel();
    f.service.shutdown().await;
}

#[tokio::test]
async fn a_scheduled_target_that_fails_gets_lambdas_two_asynchronous_retries() {
    let f = service(5, 128, 2, &[]);
    let schedule = DeclaredSchedule {
        name: "retried".into(),
        schedule_expression: "rate(1 day)".into(),
        schedule_expression_timezone: Some("UTC".into()),
        state: "ENABLED".into(),
        target_arn: f.declared.functions[0].alias.arn.clone(),
        input: r#"{"fail_times": 2}"#.into(),
        retry_policy: None,
    };
    let started = std::time::Instant::now();
    let invoked =
        rez_aws_local::scheduler::fire(&f.service, &schedule, "arn:s", chrono::Utc::now())
            .await
            .expect("the target was invoked");
    assert!(
        invoked.error_type().is_none(),
        "the third attempt succeeds: {invoked:?}"
    );
    assert_eq!(f.service.invocations(NAME), Ok(3));
    let waited: Duration = rez_aws_local::scheduler::ASYNC_RETRY_DELAYS.iter().sum();
    assert!(started.elapsed() >= waited, "{:?}", started.elapsed());

    let failing = DeclaredSchedule {
        input: r#"{"fail_times": 100}"#.into(),
        ..schedule
    };
    let invoked = rez_aws_local::scheduler::fire(&f.service, &failing, "arn:s", chrono::Utc::now())
        .await
        .expect("the target was invoked");
    assert_eq!(invoked.error_type(), Some("Fixture.Failed"));
    assert_eq!(
        f.service.invocations(NAME),
        Ok(6),
        "three attempts, then it gives up"
    );
    f.service.shutdown().await;
}
