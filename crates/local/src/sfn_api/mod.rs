//! The AWS Step Functions API over the local engine, served by `rez-agent
//! up` (the notification state machine,
//! [`STATE_MACHINE_ARN`](crate::workflow::STATE_MACHINE_ARN)) and by
//! `rez-agent stepfunctions` (any definition whose Tasks call Lambda).
//!
//! `aws stepfunctions --endpoint-url http://127.0.0.1:8080 …` and aws-sdk-sfn
//! work against the one EXPRESS state machine its [`LocalWorkflow`] runs,
//! named by the workflow's [`MachineIdentity`](crate::workflow::MachineIdentity).
//! Executions started here run through that workflow, so they are recorded
//! in SQLite (and, under `up`, shown by `/api/executions` too).
//!
//! | file | what it holds |
//! |---|---|
//! | `protocol.rs` | the JSON 1.0 protocol: `X-Amz-Target`, bodies, epoch-second timestamps, page sizes |
//! | `error.rs` | `SfnError`: AWS's `{"__type", "message"}` error shape |
//! | `arn.rs` | ARN and execution name checks (`InvalidArn`, `InvalidName`, `…DoesNotExist`) |
//! | `shapes.rs` | request and answer shapes in AWS's member names |
//! | `history.rs` | recorded events in `GetExecutionHistory`'s shape, and their pages |
//! | `start.rs` | `StartSyncExecution`, `StartExecution` |
//! | `read.rs` | `DescribeExecution`, `ListExecutions`, `GetExecutionHistory` |
//! | `machines.rs` | `ListStateMachines`, `DescribeStateMachine`, `ValidateStateMachineDefinition` |
//!
//! ## Strict mode
//!
//! AWS supports `DescribeExecution`, `ListExecutions` and
//! `GetExecutionHistory` only for STANDARD state machines. By default every
//! local execution is recorded, so they answer for the EXPRESS one too:
//! the endpoint goes beyond AWS there. With [`SfnState::strict`] (the
//! `--strict` flag of `up` and `stepfunctions`) they answer as AWS does,
//! so a tool tested locally cannot come to rely on them:
//!
//! | call | strict answer (HTTP 400) |
//! |---|---|
//! | `ListExecutions` of the state machine | `StateMachineTypeNotSupported`: "This operation is not supported by this type of state machine" |
//! | `DescribeExecution`, `GetExecutionHistory` of an `express` execution ARN | `InvalidArn`: "Invalid Arn: 'Resource type not valid in this context: express'" |
//!
//! The Step Functions API Reference says ListExecutions and
//! DescribeExecution are "not supported by EXPRESS state machines"; the
//! exact error names and messages are AWS's answers as recorded by
//! LocalStack's AWS-validated snapshot tests
//! (`tests/aws/services/stepfunctions/v2/test_sfn_api_express.snapshot.json`).
//!
//! Both aws-sdk-rust and the AWS CLI send `StartSyncExecution` to the host
//! `sync-<endpoint>`, which does not resolve locally (AWS itself needs no
//! workaround). An SDK client needs an interceptor that strips the prefix;
//! the CLI (botocore) skips it with `AWS_DISABLE_HOST_PREFIX_INJECTION=true`.
//!
//! Only `POST /` is routed here, so `GET /` is a 405 with `Allow: POST`;
//! every other path reaches the web API as before.

mod arn;
mod error;
mod history;
mod machines;
mod protocol;
mod read;
mod shapes;
mod start;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use rez_core::ports::ExecutionReader;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::workflow::LocalWorkflow;
pub(crate) use error::SfnError;
use protocol::Operation;

/// Largest request body: a 1 MiB definition (AWS's limit) plus its JSON envelope.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024 + 4096;
/// Most `StartExecution` runs in flight at once; more are `ExecutionLimitExceeded`.
pub const MAX_ASYNC_EXECUTIONS: usize = 64;
/// Most `StartSyncExecution` calls running at once; more are `ThrottlingException`.
pub const MAX_SYNC_EXECUTIONS: usize = 32;

/// Where the Step Functions API answers: `POST /`, as AWS's endpoint does.
pub const PATH: &str = "/";

/// The name of every operation this endpoint serves, as `X-Amz-Target`
/// names it after `AWSStepFunctions.`.
pub fn operation_names() -> Vec<&'static str> {
    protocol::Operation::ALL
        .iter()
        .map(|(name, _)| *name)
        .collect()
}

/// What the Step Functions API reads and runs.
pub struct SfnState {
    workflow: Arc<LocalWorkflow>,
    executions: Arc<dyn ExecutionReader>,
    definition: String,
    created: DateTime<Utc>,
    background: TaskTracker,
    abandon: CancellationToken,
    permits: Arc<Semaphore>,
    sync_permits: Arc<Semaphore>,
    strict: bool,
}

impl SfnState {
    /// The API over `workflow` (which records into `executions`), serving
    /// `definition` as the state machine's text. Every call, and every
    /// `StartExecution` run, is spawned on `background`, so whoever owns it
    /// can wait for them; cancelling `abandon` ends them at once (an
    /// execution cut short stays `RUNNING` until the next start closes it
    /// as `ABORTED`).
    pub fn new(
        workflow: Arc<LocalWorkflow>,
        executions: Arc<dyn ExecutionReader>,
        definition: impl Into<String>,
        background: TaskTracker,
        abandon: CancellationToken,
    ) -> Self {
        SfnState {
            workflow,
            executions,
            definition: definition.into(),
            created: Utc::now(),
            background,
            abandon,
            permits: Arc::new(Semaphore::new(MAX_ASYNC_EXECUTIONS)),
            sync_permits: Arc::new(Semaphore::new(MAX_SYNC_EXECUTIONS)),
            strict: false,
        }
    }

    /// With `strict`, refuse what AWS refuses for EXPRESS state machines
    /// (`ListExecutions`, and `DescribeExecution` / `GetExecutionHistory`
    /// of express executions) with AWS's errors; without it (the default)
    /// answer them from the recorded executions.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The identity of the state machine served.
    fn machine(&self) -> &crate::workflow::MachineIdentity {
        self.workflow.identity()
    }
}

/// `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`.
///
/// The Router has no fallback, so it merges with the web API's Router on
/// the same listener.
pub fn router(state: SfnState) -> Router {
    Router::new()
        .route(PATH, post(dispatch))
        .route_layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(Arc::new(state))
}

async fn dispatch(
    State(state): State<Arc<SfnState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let operation = Operation::from_headers(&headers);
    let name = operation.as_ref().map_or("Unknown", |op| op.name());
    let span = tracing::info_span!("sfn_api", operation = name);
    // The operation runs as its own tracked task: a client that hangs up
    // does not cut a synchronous execution short (it still ends and is
    // recorded), shutdown waits for it, and a panic is a 500, not a reset.
    let background = state.background.clone();
    let abandon = state.abandon.clone();
    let task = background.spawn(
        async move {
            let body = body.map_err(|e| {
                SfnError::Serialization(format!("the request body cannot be read: {e}"))
            })?;
            tokio::select! {
                answer = run(&state, operation?, &body) => answer,
                () = abandon.cancelled() => Err(SfnError::Internal(
                    "rez-agent stopped before the operation ended".to_owned(),
                )),
            }
        }
        .instrument(span.clone()),
    );
    let answer = task
        .await
        .unwrap_or_else(|e| Err(SfnError::Internal(format!("the operation failed: {e}"))));
    match answer {
        Ok(response) => response,
        Err(error) => {
            span.in_scope(|| {
                if error.is_server_fault() {
                    tracing::error!(%error, "step functions call failed");
                } else {
                    tracing::info!(kind = %error.type_name(), %error, "step functions call rejected");
                }
            });
            error.into_response()
        }
    }
}

async fn run(state: &SfnState, operation: Operation, body: &[u8]) -> Result<Response, SfnError> {
    use protocol::{decode, ok};
    Ok(match operation {
        Operation::StartSyncExecution => ok(&start::start_sync(state, decode(body)?).await?),
        Operation::StartExecution => ok(&start::start(state, decode(body)?).await?),
        Operation::DescribeExecution => ok(&read::describe(state, decode(body)?).await?),
        Operation::ListExecutions => ok(&read::list(state, decode(body)?).await?),
        Operation::GetExecutionHistory => ok(&read::history(state, decode(body)?).await?),
        Operation::ListStateMachines => ok(&machines::list(state, decode(body)?)?),
        Operation::DescribeStateMachine => ok(&machines::describe(state, decode(body)?)?),
        Operation::ValidateStateMachineDefinition => {
            // A definition of up to 1 MiB is parsed and checked off the
            // async runtime, so it holds up no other request.
            let input = decode(body)?;
            let checked = tokio::task::spawn_blocking(move || machines::validate(input))
                .await
                .map_err(|e| {
                    SfnError::Internal(format!("validating the definition failed: {e}"))
                })?;
            ok(&checked?)
        }
    })
}
