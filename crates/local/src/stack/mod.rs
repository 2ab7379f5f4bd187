//! `rez-agent up`: every part of the pipeline in one process.
//!
//! [`start`] reads as the order things start in: data dir (its lock) →
//! database and adapters ([`adapters`]) → the notification state machine →
//! recovery of the previous run's work ([`recovery`]) → the HTTP app
//! ([`app`]: every surface behind one access guard) → the loops
//! ([`loops`]) → serving. The caller hands it the listener and the signal
//! that stops it, so a test binds port 0 and stops it by hand; [`up`] binds
//! `--listen` and stops on Ctrl-C or SIGTERM.
//!
//! Shutdown stops taking work, lets executions in flight (the processor's
//! and the Step Functions API's) finish for at most
//! [`processor_loop::SHUTDOWN_GRACE`] (scaled), releases the queue records
//! of those still running, and exits ([`RunningStack::wait`]).
//!
//! | module | what it holds |
//! |---|---|
//! | [`adapters`] | the SQLite adapters behind the ports, and the notification workflow over them |
//! | [`app`] | the one composition of every router, behind the access guard |
//! | [`loops`] | starting and joining the background loops |
//! | [`processor_loop`] | queue records into executions |
//! | [`scheduler_loop`] | the daily `--schedule` |
//! | [`schedules_loop`] | the schedules people define |
//! | [`retention_loop`] | deleting expired messages and old executions |
//! | [`reconcile_loop`] | republishing messages stranded between store and queue |
//! | [`recovery`] | taking up what a previous run left |
//! | [`running`] | [`RunningStack`]: the started stack and how it stops |
//! | [`listen`] | the listener, the API key, the stop signals |
//! | `announce.rs` | what `up` prints once it listens |

pub mod adapters;
mod announce;
pub mod app;
pub mod listen;
pub mod loops;
pub mod processor_loop;
pub mod reconcile_loop;
pub mod recovery;
pub mod retention_loop;
pub mod running;
pub mod scheduler_loop;
pub mod schedules_loop;

use anyhow::Context;
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use rez_core::schedule::{DAILY_TITLE, Schedule, show_configuration_schedule};

use crate::config::UpConfig;
use crate::data_dir::DataDir;
pub use running::RunningStack;

/// The definition every execution runs, built into the binary.
pub const NOTIFICATION_DEFINITION: &str =
    include_str!("../../../../statemachine/notification.asl.json");
/// How long ntfy may take to answer one publish, before scaling: the task's own.
pub use rez_send_notification::NTFY_TIMEOUT;
/// How long a queue record stays hidden while its execution runs (the Express limit).
pub const VISIBILITY_TIMEOUT: Duration = Duration::from_secs(300);
/// Queue receives after which a record moves to the dead-letter queue.
pub const MAX_RECEIVE_COUNT: u32 = 3;
/// The shortest real wait scaled durations are rounded up to.
const MIN_SCALED: Duration = Duration::from_millis(1);

/// Scales a duration by the time scale (never to zero, so timeouts stay timeouts).
pub fn scaled(d: Duration, time_scale: f64) -> Duration {
    d.mul_f64(time_scale.max(0.0)).max(MIN_SCALED)
}

/// Starts every part of the stack, serving on `listener` until `shutdown`
/// resolves (or [`RunningStack::stop_handle`] fires), and returns once the
/// API is listening.
///
/// # Errors
/// A part could not start: the data dir is in use or unreadable, the
/// database is damaged, the definition or a setting is invalid.
pub async fn start(
    config: &UpConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningStack> {
    let address = listener.local_addr().context("reading the bound address")?;
    let api_key = listen::api_key(config.api_key.as_deref())?;
    let data_dir = DataDir::open(&config.data_dir)?;
    let ntfy_url = adapters::ntfy_url(config, &data_dir)?;
    let adapters = adapters::Adapters::open(&data_dir)?;
    let workflow = adapters.notification_workflow(config, &ntfy_url)?;
    recovery::take_up_previous_run(&adapters)
        .await
        .context("recovering the work of the previous run")?;
    // The daily --schedule is listed among the schedules; the scheduler
    // loop fires it.
    let daily = Schedule::configuration(&config.schedule, DAILY_TITLE, adapters.clock.now());
    show_configuration_schedule(&adapters.store, &daily)
        .await
        .context("listing the daily schedule among the schedules")?;

    let schedule_wake = schedules_loop::WakeLoop::default();
    let sfn_api = running::SfnApiTasks::default();
    let app = app::build(app::AppParts {
        config,
        adapters: &adapters,
        workflow: workflow.clone(),
        address,
        api_key,
        schedule_wake: &schedule_wake,
        sfn_api: &sfn_api,
    })?;
    let cancel = CancellationToken::new();
    let loops = loops::Loops::spawn(config, &adapters, workflow, &schedule_wake, &cancel);
    let server = tokio::spawn(serve(listener, app, cancel.clone(), shutdown));
    Ok(RunningStack {
        address,
        ntfy_url,
        store: adapters.store,
        queue: adapters.queue,
        cancel,
        server,
        loops,
        sfn_api,
        shutdown_grace: scaled(processor_loop::SHUTDOWN_GRACE, config.time_scale),
        data_dir,
    })
}

/// Serves `app` until `shutdown` resolves or `cancel` fires; either stops
/// the whole stack.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    cancel: CancellationToken,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = shutdown => {
                tracing::info!("shutting down: finishing executions in flight");
                stop.cancel();
            }
            () = stop.cancelled() => {}
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}

/// Runs the whole stack on `--listen` until Ctrl-C or SIGTERM.
///
/// # Errors
/// A part could not start or the server failed.
pub async fn up(config: UpConfig) -> anyhow::Result<()> {
    let listener = listen::bind(config.listen).await?;
    let stack = start(&config, listener, listen::wait_for_signal()).await?;
    announce::announce(&config, stack.address, &stack.ntfy_url, &config.data_dir)?;
    stack.wait().await
}

#[cfg(test)]
mod definition_tests;
#[cfg(test)]
mod schedules_loop_tests;
