//! Starting the harness for a test, and the bounded waits the tests share.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rez_aws_local::declared::Declared;
use rez_aws_local::{AwsLocal, AwsLocalError, Settings};
use rez_core::message::{Message, MessageId};
use rez_core::ports::MessageStore;
use serde_json::{Value, json};

/// The longest any one wait of a test lasts.
pub(crate) const WAIT: Duration = Duration::from_secs(60);

/// The declarations file the script wrote (`REZ_AWS_LOCAL_DECLARED`).
pub(crate) fn declared_path(var: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{var} is not set: run scripts/test-aws-local.sh"))
}

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Starts the deployment the declarations in `$var` describe, with the ntfy stub.
pub(crate) async fn start_from(var: &str) -> Result<AwsLocal, AwsLocalError> {
    start_with(var, None, |_| {}).await
}

/// [`start_from`] with every queue's visibility timeout set to `visibility` seconds.
/// `adjust` changes the declarations first, as a deployment's own settings would.
pub(crate) async fn start_with(
    var: &str,
    visibility: Option<u64>,
    adjust: impl FnOnce(&mut Declared),
) -> Result<AwsLocal, AwsLocalError> {
    AwsLocal::start(settings(var, visibility, adjust)?).await
}

/// The harness settings of a test: the declarations in `$var` (changed by
/// `adjust`), the ntfy stub, any ports, schedules fired by hand.
fn settings(
    var: &str,
    visibility: Option<u64>,
    adjust: impl FnOnce(&mut Declared),
) -> Result<Settings, AwsLocalError> {
    let mut declared = Declared::read(&declared_path(var))?;
    adjust(&mut declared);
    let work_dir = std::env::temp_dir().join(format!(
        "rez-aws-local-test-{}",
        uuid::Uuid::new_v4().simple()
    ));
    Ok(Settings {
        declared,
        work_dir,
        ntfy_url: None,
        api_listen: any_port(),
        edge_listen: any_port(),
        ntfy_listen: any_port(),
        concurrency_limit: 4,
        visibility_timeout_seconds: visibility,
        run_schedules: false,
        schedule_time_scale: 1,
        meter_dynamodb_writes: false,
        // `REZ_AWS_LOCAL_KEEP=1` keeps the work dir (the functions' logs) to look into.
        keep_work_dir: std::env::var_os("REZ_AWS_LOCAL_KEEP").is_some(),
    })
}

/// [`start`] with the harness settings changed by `tune`.
async fn start_tuned(tune: impl FnOnce(Settings) -> Settings) -> AwsLocal {
    let started = match settings("REZ_AWS_LOCAL_DECLARED", None, |_| {}) {
        Ok(settings) => AwsLocal::start(tune(settings)).await,
        Err(e) => Err(e),
    };
    started.unwrap_or_else(|e| panic!("the harness did not start: {e}"))
}

/// [`start`] with the DynamoDB write meter on.
pub(crate) async fn start_metered() -> AwsLocal {
    start_tuned(|settings| Settings {
        meter_dynamodb_writes: true,
        ..settings
    })
    .await
}

/// [`start`] with the schedules the API creates firing `scale` times
/// faster than real time.
pub(crate) async fn start_scaled(scale: u32) -> AwsLocal {
    start_tuned(|settings| Settings {
        schedule_time_scale: scale,
        ..settings
    })
    .await
}

/// Starts the deployment of `REZ_AWS_LOCAL_DECLARED`.
pub(crate) async fn start() -> AwsLocal {
    start_visible_after(None).await
}

/// [`start`] with every queue's visibility timeout set to `seconds`.
pub(crate) async fn start_visible_after(seconds: Option<u64>) -> AwsLocal {
    start_adjusted(seconds, |_| {}).await
}

/// [`start_visible_after`] with the declarations changed by `adjust` first.
pub(crate) async fn start_adjusted(
    seconds: Option<u64>,
    adjust: impl FnOnce(&mut Declared),
) -> AwsLocal {
    match start_with("REZ_AWS_LOCAL_DECLARED", seconds, adjust).await {
        Ok(local) => local,
        Err(e) => panic!("the harness did not start: {e}"),
    }
}

/// The name of the function the program calls `key` (`send-notification`).
pub(crate) fn function_name(local: &AwsLocal, key: &str) -> String {
    local
        .declared()
        .functions
        .iter()
        .find(|f| f.key == key)
        .map(|f| f.name.clone())
        .unwrap_or_else(|| panic!("no function {key}"))
}

/// The API key the program declares (the webapi's parameter).
pub(crate) fn api_key(local: &AwsLocal) -> String {
    local
        .api_key()
        .expect("the program declares the API key parameter")
        .to_owned()
}

/// POSTs a message through the API Gateway front; the status and the JSON.
pub(crate) async fn send(local: &AwsLocal, body: &Value) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}/api/messages", local.api_url()))
        .bearer_auth(api_key(local))
        .json(body)
        .send()
        .await
        .expect("the API answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// The message store the functions write, read through their adapter.
pub(crate) fn store(local: &AwsLocal) -> rez_aws::DynamoMessageStore {
    rez_aws::DynamoMessageStore::new(
        local.clients().dynamodb.clone(),
        &local.declared().table.name,
        local.declared().stage.parse().expect("a known stage"),
    )
}

/// Waits until `check` returns something, for at most [`WAIT`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(WAIT, what, check).await
}

/// Waits until `check` returns something, for at most `limit`.
pub(crate) async fn eventually_within<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {what} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The executions `GET /api/executions?message_id=` lists for message
/// `id`, once there is one: the processor records an execution after
/// `StartSyncExecution` answered, a moment after the message settled.
pub(crate) async fn recorded_executions(local: &AwsLocal, id: &str) -> Vec<Value> {
    let path = format!("/api/executions?message_id={id}");
    eventually("the execution recorded", || async {
        let (status, page) = api(local, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        page["items"]
            .as_array()
            .filter(|items| !items.is_empty())
            .cloned()
    })
    .await
}

/// Waits until the message is `completed` or `failed`, and returns it.
pub(crate) async fn settled(local: &AwsLocal, id: &str) -> Message {
    let id: MessageId = id.parse().expect("a message id");
    let store = store(local);
    eventually("settled message", || async {
        store
            .get(&id)
            .await
            .ok()
            .flatten()
            .filter(|m| matches!(m.status.as_str(), "completed" | "failed"))
    })
    .await
}

/// A Step Functions call through the AWS endpoint; the JSON answer.
pub(crate) async fn step_functions(local: &AwsLocal, operation: &str, body: &Value) -> Value {
    reqwest::Client::new()
        .post(local.edge_url())
        .header("x-amz-target", format!("AWSStepFunctions.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(body.to_string())
        .send()
        .await
        .expect("Step Functions answers")
        .json()
        .await
        .expect("a JSON answer")
}

/// The history events of an execution, once it has ended.
pub(crate) async fn history(local: &AwsLocal, execution_arn: &str) -> Vec<Value> {
    ended_execution(local, execution_arn).await;
    let answer = step_functions(
        local,
        "GetExecutionHistory",
        &json!({"executionArn": execution_arn, "maxResults": 1000}),
    )
    .await;
    answer["events"].as_array().cloned().unwrap_or_default()
}

/// `DescribeExecution` once the execution has ended: the task that records
/// the message's status runs inside it, so the message settles a moment
/// before its execution does.
pub(crate) async fn ended_execution(local: &AwsLocal, execution_arn: &str) -> Value {
    eventually("the execution's end", || async {
        let described = step_functions(
            local,
            "DescribeExecution",
            &json!({"executionArn": execution_arn}),
        )
        .await;
        (described["status"] != "RUNNING").then_some(described)
    })
    .await
}

/// Fires the reconcile schedule now and returns its report, once the
/// scheduler function answered without an error.
pub(crate) async fn reconcile(local: &AwsLocal) -> Value {
    let invoked = local
        .fire_schedule(&reconcile_schedule(local), chrono::Utc::now())
        .await
        .expect("the reconcile schedule fires");
    let report = invoked.payload();
    assert_eq!(invoked.error_type(), None, "{report}");
    report.clone()
}

/// The name of the schedule that runs the reconciler (input `{"job": "reconcile"}`).
fn reconcile_schedule(local: &AwsLocal) -> String {
    local
        .declared()
        .schedules
        .iter()
        .find(|s| s.input.contains("reconcile"))
        .expect("the program declares the reconcile schedule")
        .name
        .clone()
}

/// An API call through the API Gateway front; the status and the JSON.
pub(crate) async fn api(
    local: &AwsLocal,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", local.api_url()))
        .bearer_auth(api_key(local))
        .timeout(Duration::from_secs(30));
    if let Some(body) = body {
        request = request.json(body);
    }
    let answer = request.send().await.expect("the API answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// Asserts the stub received `text` at least once and never after the
/// message was recorded completed (its `updated_date`).
pub(crate) fn assert_none_published_after_completion(
    local: &AwsLocal,
    message: &Message,
    text: &str,
) {
    let times: Vec<_> = local
        .ntfy()
        .expect("the stub")
        .received()
        .into_iter()
        .filter(|r| r.body["message"] == text)
        .map(|r| r.received_at)
        .collect();
    assert_published_before_completion(message, &times);
}

/// Asserts `message` is completed, was published (at `times`), and never
/// after it was recorded completed (its `updated_date`).
pub(crate) fn assert_published_before_completion(message: &Message, times: &[DateTime<Utc>]) {
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    assert!(
        !times.is_empty(),
        "completed without a publish: {message:?}"
    );
    let late: Vec<_> = times
        .iter()
        .filter(|t| **t > message.updated_date)
        .collect();
    assert!(
        late.is_empty(),
        "published after completion: {message:?} {late:?}"
    );
}

/// Waits until no execution of the deployment's state machine is RUNNING.
pub(crate) async fn no_execution_running(local: &AwsLocal) {
    let arn = local.declared().state_machines[0].arn.clone();
    eventually("no execution RUNNING", || async {
        let running = step_functions(
            local,
            "ListExecutions",
            &json!({"stateMachineArn": arn, "statusFilter": "RUNNING"}),
        )
        .await;
        (running["executions"] == json!([])).then_some(())
    })
    .await;
}
