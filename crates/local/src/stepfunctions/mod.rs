//! `rez-agent stepfunctions`: the AWS Step Functions API alone, running any
//! definition whose Task states call Lambda functions through a Lambda
//! Invoke API at `--lambda-endpoint` — what AWS Step Functions Local's
//! `LAMBDA_ENDPOINT` does.
//!
//! It serves the same [`crate::sfn_api`] router as `rez-agent up` (same body
//! limit, same bound on synchronous executions, same strict mode) behind
//! the same access guard ([`crate::stack::app::step_functions_app`]): the
//! `Host` check on loopback without a key, SigV4 with one. Executions are
//! recorded in SQLite in the data dir: by default a fresh temporary
//! directory removed at exit, or `--data-dir` (kept, locked like `up`'s;
//! executions a killed run left `RUNNING` are closed as `ABORTED` at the
//! next start). A data dir holds the executions of whatever state machine
//! ran in it, so give each state machine its own.
//!
//! | file | what it holds |
//! |---|---|
//! | `definition.rs` | reading and checking the definition, the default ARN |

pub mod definition;

use anyhow::Context;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::data_dir::DataDir;
use crate::lambda::LambdaTasks;
use crate::stack::recovery::{PROCESS_STOPPED, PROCESS_STOPPED_CAUSE};
use crate::workflow::{LocalWorkflow, MachineIdentity};
use rez_sqlite::{Abort, Database, SqliteStore};

/// Where it listens unless told otherwise (Step Functions Local's port).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8083";
/// How long executions in flight may take to finish once asked to stop.
pub const SHUTDOWN_GRACE: Duration = crate::stack::processor_loop::SHUTDOWN_GRACE;

/// Everything `rez-agent stepfunctions` needs to know.
#[derive(Clone)]
pub struct StepFunctionsConfig {
    /// The definition file (ASL JSON).
    pub definition: PathBuf,
    /// The Lambda Invoke API the Task states call.
    pub lambda_endpoint: url::Url,
    /// The served state machine's ARN; [`definition::default_arn`] when `None`.
    pub state_machine_arn: Option<String>,
    /// Where the Step Functions API listens (port 0: any free port).
    pub listen: SocketAddr,
    /// Where executions are recorded; a temporary directory when `None`.
    pub data_dir: Option<PathBuf>,
    /// Refuse what AWS refuses for EXPRESS state machines.
    pub strict: bool,
    /// The SigV4 secret access key every call must be signed with; `None`: any.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for StepFunctionsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepFunctionsConfig")
            .field("definition", &self.definition)
            .field("lambda_endpoint", &self.lambda_endpoint.as_str())
            .field("state_machine_arn", &self.state_machine_arn)
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("strict", &self.strict)
            .field(
                "api_key",
                &self.api_key.as_ref().map(|_| crate::config::REDACTED),
            )
            .finish()
    }
}

/// The data directory in use: a temporary one goes with this value.
enum Storage {
    Kept(DataDir),
    Temporary(tempfile::TempDir),
}

/// A running Step Functions endpoint.
pub struct RunningStepFunctions {
    /// Where it listens.
    pub address: SocketAddr,
    /// The state machine it serves.
    pub identity: MachineIdentity,
    stop: CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    tasks: TaskTracker,
    abandon: CancellationToken,
    storage: Storage,
}

/// Checks the definition, opens the store and starts serving.
///
/// # Errors
/// The definition is unreadable, invalid or calls something other than
/// Lambda; the endpoint or ARN is malformed; the data dir is in use; the
/// address is taken.
pub async fn start(config: &StepFunctionsConfig) -> anyhow::Result<RunningStepFunctions> {
    crate::config::check_listen_and_key(config.listen, config.api_key.as_deref())?;
    let served = definition::load(&config.definition, config.state_machine_arn.as_deref())?;
    let tasks = LambdaTasks::new(&config.lambda_endpoint)?;
    let storage = match &config.data_dir {
        Some(dir) => Storage::Kept(DataDir::open(dir)?),
        None => Storage::Temporary(
            tempfile::Builder::new()
                .prefix("rez-agent-stepfunctions-")
                .tempdir()
                .context("creating a temporary data dir")?,
        ),
    };
    let database_path = match &storage {
        Storage::Kept(dir) => dir.database_path(),
        Storage::Temporary(dir) => dir.path().join(crate::data_dir::DATABASE_FILE),
    };
    let store = SqliteStore::new(Database::open(&database_path)?);
    let aborted = store
        .abort_running_executions(&Abort {
            at: chrono::Utc::now(),
            error: PROCESS_STOPPED.to_owned(),
            cause: PROCESS_STOPPED_CAUSE.to_owned(),
        })
        .await
        .context("closing the executions a previous run left running")?;
    if aborted > 0 {
        tracing::info!(aborted, "closed the previous run's executions as ABORTED");
    }
    let identity = served.identity.clone();
    let workflow = Arc::new(LocalWorkflow::new(
        served.machine,
        served.identity,
        Arc::new(tasks),
        store.clone(),
        1.0,
    ));

    let api_key = crate::stack::listen::api_key(config.api_key.as_deref())?;
    let listener = crate::stack::listen::bind(config.listen).await?;
    let address = listener.local_addr().context("reading the bound address")?;
    let tracker = TaskTracker::new();
    let abandon = CancellationToken::new();
    let router = crate::sfn_api::router(
        crate::sfn_api::SfnState::new(
            workflow,
            Arc::new(store),
            served.text,
            tracker.clone(),
            abandon.clone(),
        )
        .strict(config.strict),
    );
    let policy = crate::access::AccessPolicy::new(
        address,
        api_key,
        Vec::new(),
        [(axum::http::Method::POST, crate::sfn_api::PATH)],
        None,
    );
    let app = crate::stack::app::step_functions_app(router, policy);
    let stop = CancellationToken::new();
    let shutdown = stop.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    });
    Ok(RunningStepFunctions {
        address,
        identity,
        stop,
        server,
        tasks: tracker,
        abandon,
        storage,
    })
}

impl RunningStepFunctions {
    /// A token that stops it when cancelled.
    pub fn stop_handle(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Waits until it is stopped, then lets calls in flight finish for at
    /// most [`SHUTDOWN_GRACE`] and abandons the rest (they stay `RUNNING`
    /// until the next start on the same data dir closes them).
    ///
    /// # Errors
    /// The HTTP server failed while serving.
    pub async fn wait(self) -> anyhow::Result<()> {
        let mut server = self.server;
        let ended_first = tokio::select! {
            served = &mut server => Some(served),
            () = self.stop.cancelled() => None,
        };
        self.stop.cancel();
        let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        let served = match ended_first {
            Some(served) => served,
            None => match tokio::time::timeout_at(deadline, &mut server).await {
                Ok(served) => served,
                Err(_) => {
                    tracing::warn!("calls still open at the end of the shutdown grace: abandoned");
                    server.abort();
                    Ok(Ok(()))
                }
            },
        };
        self.tasks.close();
        if tokio::time::timeout_at(deadline, self.tasks.wait())
            .await
            .is_err()
        {
            self.abandon.cancel();
            self.tasks.wait().await;
        }
        drop(self.storage);
        served
            .context("the HTTP server task failed")?
            .context("serving the Step Functions API")
    }
}

/// Runs until Ctrl-C or SIGTERM; prints one line on stdout when ready:
/// `stepfunctions: listening on http://ADDRESS (STATE_MACHINE_ARN)`.
///
/// # Errors
/// It could not start, or the server failed.
pub async fn serve(config: StepFunctionsConfig) -> anyhow::Result<()> {
    let running = start(&config).await?;
    if running.address.ip().is_loopback() && config.api_key.is_none() {
        tracing::info!("no API key: any credentials (or none) are accepted on loopback");
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "stepfunctions: listening on http://{} ({})",
            running.address,
            running.identity.arn()
        )?;
        out.flush()?;
    }
    let stop = running.stop_handle();
    tokio::spawn(async move {
        crate::stack::listen::wait_for_signal().await;
        tracing::info!("shutting down: finishing executions in flight");
        stop.cancel();
    });
    running.wait().await
}
