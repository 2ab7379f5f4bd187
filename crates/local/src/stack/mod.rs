//! `rez-agent up`: every part of the pipeline in one process.
//!
//! Start-up order: data dir (lock) → database → definition → adapters →
//! recovery → HTTP app ([`app`]: every surface behind one access guard),
//! processor loop, scheduler loops (the daily schedule, and the schedules
//! people define: [`schedules_loop`]). Shutdown (Ctrl-C or SIGTERM) stops taking
//! work, lets executions in flight (the processor's and the Step Functions
//! API's) finish for at most [`processor_loop::SHUTDOWN_GRACE`] (scaled),
//! releases the queue records of those still running, and exits.

pub mod app;
pub mod processor_loop;
pub mod reconcile_loop;
pub mod recovery;
pub mod retention_loop;
pub mod scheduler_loop;
pub mod schedules_loop;

use anyhow::Context;
use rez_core::ports::{Clock, NoMetrics, SystemClock};
use rez_core::schedule::DAILY_TITLE;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::UpConfig;
use crate::data_dir::DataDir;
use crate::publisher::QueuePublisher;
use crate::sqlite::{Database, SqliteQueue, SqliteStore, SqliteSubmitter};
use crate::workflow::{LocalTasks, LocalWorkflow, MachineIdentity};

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

/// A started stack: its address and handles to stop it or look inside.
pub struct RunningStack {
    /// Where the API listens.
    pub address: std::net::SocketAddr,
    /// The ntfy topic URL notifications go to.
    pub ntfy_url: url::Url,
    /// The message and execution store.
    pub store: SqliteStore,
    /// The durable queue.
    pub queue: SqliteQueue,
    cancel: CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    processor: tokio::task::JoinHandle<()>,
    scheduler: tokio::task::JoinHandle<()>,
    schedules: tokio::task::JoinHandle<()>,
    retention: tokio::task::JoinHandle<()>,
    reconciler: tokio::task::JoinHandle<()>,
    sfn_api_tasks: TaskTracker,
    sfn_api_abandon: CancellationToken,
    shutdown_grace: Duration,
    data_dir: DataDir,
}

impl RunningStack {
    /// Stops taking work, lets executions in flight finish (for at most the
    /// scaled [`processor_loop::SHUTDOWN_GRACE`]; the queue records of those
    /// still running then are released), and returns.
    ///
    /// # Errors
    /// The HTTP server failed while serving.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.cancel.cancel();
        self.wait().await
    }

    /// Waits until the stack stops (after [`RunningStack::stop_handle`] fires).
    ///
    /// Once stopping, everything in flight shares one bound, the scaled
    /// [`processor_loop::SHUTDOWN_GRACE`]: the processor's executions, the
    /// HTTP requests still open, and the executions started through the
    /// Step Functions API. What is still running then is dropped: the
    /// processor's queue records become visible again, and an execution
    /// left `RUNNING` is closed as `ABORTED` at the next start.
    ///
    /// # Errors
    /// The HTTP server failed while serving.
    pub async fn wait(self) -> anyhow::Result<()> {
        let mut server = self.server;
        let ended_first = tokio::select! {
            served = &mut server => Some(served),
            () = self.cancel.cancelled() => None,
        };
        self.cancel.cancel();
        let deadline = tokio::time::Instant::now() + self.shutdown_grace;
        let served = match ended_first {
            Some(served) => served,
            None => match tokio::time::timeout_at(deadline, &mut server).await {
                Ok(served) => served,
                Err(_) => {
                    // Requests still open are abandoned: they end with the
                    // process (the Step Functions API's below, at once).
                    tracing::warn!(
                        "requests still open at the end of the shutdown grace: no longer waiting for them"
                    );
                    server.abort();
                    Ok(Ok(()))
                }
            },
        };
        self.sfn_api_tasks.close();
        let step_functions = async {
            if tokio::time::timeout_at(deadline, self.sfn_api_tasks.wait())
                .await
                .is_err()
            {
                tracing::warn!(
                    running = self.sfn_api_tasks.len(),
                    "Step Functions API executions still running at the end of the shutdown grace: abandoned, the next start closes them as ABORTED"
                );
                // They end at their next await; the data dir's lock is
                // released only after they did, so none writes after it.
                self.sfn_api_abandon.cancel();
                self.sfn_api_tasks.wait().await;
            }
        };
        let _ = tokio::join!(
            self.processor,
            self.scheduler,
            self.schedules,
            self.retention,
            self.reconciler,
            step_functions
        );
        drop(self.data_dir);
        served
            .context("the HTTP server task failed")?
            .context("serving the HTTP API")
    }

    /// A token that stops the stack when cancelled.
    pub fn stop_handle(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// Starts every part of the stack and returns once the API is listening.
///
/// # Errors
/// A part could not start: the data dir is in use or unreadable, the
/// database is corrupt, the definition is invalid, the address is taken.
pub async fn start(config: &UpConfig) -> anyhow::Result<RunningStack> {
    let data_dir = DataDir::open(&config.data_dir)?;
    let ntfy_url = match &config.ntfy_url {
        Some(url) => url.clone(),
        None => format!("https://ntfy.sh/{}", data_dir.ntfy_topic()?)
            .parse()
            .context("building the default ntfy.sh topic URL")?,
    };
    let db = Database::open(&data_dir.database_path())?;
    let store = SqliteStore::new(db.clone());
    let queue = SqliteQueue::new(db.clone(), MAX_RECEIVE_COUNT);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let publisher = Arc::new(QueuePublisher::new(queue.clone()));
    let store_port: Arc<dyn rez_core::ports::MessageStore> = Arc::new(store.clone());
    // One database holds the messages and the queue: a new message, its
    // idempotency key and its queue record are one commit, not three.
    let submitter: Arc<dyn rez_core::Submitter> = Arc::new(rez_core::OneWrite::new(Arc::new(
        SqliteSubmitter::new(&store, &queue)
            .context("the store and the queue must share the database")?,
    )));

    let mut ntfy = rez_ntfy::NtfyConfig::new(ntfy_url.clone())
        .with_timeout(scaled(NTFY_TIMEOUT, config.time_scale));
    if let Some(token) = &config.ntfy_token {
        ntfy = ntfy.with_token(token.parse().context("reading --ntfy-token")?);
    }
    let notifier = Arc::new(rez_ntfy::NtfyClient::new(ntfy).context("configuring ntfy")?);

    let machine = rez_states::StateMachine::from_json(NOTIFICATION_DEFINITION)
        .context("statemachine/notification.asl.json is not a valid definition")?;
    let tasks = LocalTasks {
        load: rez_load_message::Deps {
            store: store_port.clone(),
            clock: clock.clone(),
        },
        send: rez_send_notification::Deps {
            notifier,
            clock: clock.clone(),
            time_scale: config.time_scale,
        },
        record: rez_record_status::Deps {
            store: store_port.clone(),
            clock: clock.clone(),
            // Locally the store's metrics and the console show these figures.
            metrics: Arc::new(NoMetrics),
        },
    };
    LocalTasks::check(&machine)?;
    let workflow = Arc::new(LocalWorkflow::new(
        machine,
        MachineIdentity::local(),
        Arc::new(tasks),
        store.clone(),
        config.time_scale,
    ));

    let recovered = recovery::recover(&queue, store_port.as_ref(), publisher.as_ref())
        .await
        .context("recovering the work of the previous run")?;
    if recovered != recovery::Recovered::default() {
        tracing::info!(
            aborted = recovered.aborted,
            released = recovered.released,
            unclaimed = recovered.unclaimed,
            republished = recovered.republished,
            already_queued = recovered.already_queued,
            "took up the previous run's work"
        );
    }

    let (listener, address, api_key) =
        crate::stack::bind_with_key(config.listen, config.api_key.as_deref()).await?;
    let schedule_wake = schedules_loop::WakeLoop::default();
    // The daily --schedule is listed among the schedules; the scheduler
    // loop below fires it, as before.
    rez_core::schedule::show_configuration_schedule(
        &store,
        &rez_core::schedule::Schedule::configuration(&config.schedule, DAILY_TITLE, clock.now()),
    )
    .await
    .context("listing the daily schedule among the schedules")?;
    let web_api = rez_webapi::surface(
        rez_webapi::ApiState {
            store: store_port.clone(),
            publisher: publisher.clone(),
            submitter: submitter.clone(),
            clock: clock.clone(),
            executions: Some(Arc::new(store.clone())),
            dead_letters: Some(Arc::new(queue.clone())),
            schedules: Some(rez_webapi::Schedules {
                store: Arc::new(store.clone()),
                runner: Arc::new(schedule_wake.clone()),
            }),
            metrics: Arc::new(NoMetrics),
            state_machine: Some(rez_webapi::StateMachineInfo {
                name: crate::workflow::STATE_MACHINE_NAME.to_owned(),
                definition: Arc::new(
                    serde_json::from_str(NOTIFICATION_DEFINITION)
                        .context("reading the notification definition")?,
                ),
            }),
            // The composition checks the key for every surface (app.rs).
            api_key: None,
            stage: config.stage,
            // CORS stands in front of every surface (app.rs).
            cors_origins: Vec::new(),
        },
        config.web_api_timeout,
    );
    let sfn_api_tasks = TaskTracker::new();
    let sfn_api_abandon = CancellationToken::new();
    let step_functions = crate::sfn_api::router(
        crate::sfn_api::SfnState::new(
            workflow.clone(),
            Arc::new(store.clone()),
            NOTIFICATION_DEFINITION,
            sfn_api_tasks.clone(),
            sfn_api_abandon.clone(),
        )
        .strict(config.strict),
    );
    let policy = crate::access::AccessPolicy::new(
        address,
        api_key,
        rez_webapi::public_paths(),
        rez_webapi::route_table()
            .into_iter()
            .chain([(axum::http::Method::POST, crate::sfn_api::PATH)]),
        config.rate_limit,
    );
    let app = app::app(
        app::Surfaces {
            web_api,
            step_functions,
            cors_origins: config.cors_origins.clone(),
        },
        policy,
    );

    let cancel = CancellationToken::new();
    let processor = tokio::spawn(processor_loop::run(
        queue.clone(),
        rez_processor::Deps {
            workflow,
            store: store_port.clone(),
            // The engine records every execution itself.
            executions: None,
        },
        processor_loop::ProcessorLoopConfig {
            visibility_timeout: scaled(VISIBILITY_TIMEOUT, config.time_scale),
            redelivery: rez_processor::redelivery::RedeliveryPolicy::new(
                rez_processor::redelivery::DEFAULT_REDELIVERY_DELAYS
                    .map(|d| scaled(d, config.time_scale)),
                scaled(VISIBILITY_TIMEOUT, config.time_scale),
            ),
            max_batches_in_flight: 4,
            shutdown_grace: scaled(processor_loop::SHUTDOWN_GRACE, config.time_scale),
        },
        cancel.clone(),
    ));
    let scheduler = tokio::spawn(scheduler_loop::run(
        config.schedule.clone(),
        rez_scheduler::Deps {
            store: store_port.clone(),
            publisher: publisher.clone(),
            submitter: submitter.clone(),
            stage: config.stage,
            title: DAILY_TITLE.into(),
            metrics: Arc::new(NoMetrics),
            schedules: None,
            dead_letters: None,
        },
        clock.now(),
        config.time_scale,
        cancel.clone(),
    ));
    let schedules = tokio::spawn(schedules_loop::run(
        schedules_loop::ScheduleFiring {
            schedules: store.clone(),
            submitter,
            stage: config.stage,
        },
        schedules_loop::VirtualClock::new(clock.now(), config.time_scale),
        schedule_wake.0.clone(),
        cancel.clone(),
    ));
    let retention = tokio::spawn(retention_loop::run(
        store.clone(),
        retention_loop::RetentionConfig::new(config),
        clock.clone(),
        cancel.clone(),
    ));
    let reconciler = tokio::spawn(reconcile_loop::run(
        reconcile_loop::ReconcileLoop {
            store: store_port.clone(),
            publisher: publisher.clone(),
            clock: clock.clone(),
            interval: scaled(reconcile_loop::RECONCILE_INTERVAL, config.time_scale),
        },
        cancel.clone(),
    ));
    let shutdown = cancel.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    });
    Ok(RunningStack {
        address,
        ntfy_url,
        store,
        queue,
        cancel,
        server,
        processor,
        scheduler,
        schedules,
        retention,
        reconciler,
        sfn_api_tasks,
        sfn_api_abandon,
        shutdown_grace: scaled(processor_loop::SHUTDOWN_GRACE, config.time_scale),
        data_dir,
    })
}

/// Binds `listen` and reads the API key, as `up` and `stepfunctions` both
/// start: the listener, its address and the key.
///
/// # Errors
/// The address cannot be bound or the key is not a valid one.
pub(crate) async fn bind_with_key(
    listen: std::net::SocketAddr,
    api_key: Option<&str>,
) -> anyhow::Result<(
    tokio::net::TcpListener,
    std::net::SocketAddr,
    Option<rez_webapi::ApiKey>,
)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let api_key = api_key
        .map(|k| rez_webapi::ApiKey::new(k.to_owned()))
        .transpose()
        .context("--api-key")?;
    Ok((listener, address, api_key))
}

/// Runs the whole stack until Ctrl-C or SIGTERM.
///
/// # Errors
/// A part could not start or the server failed.
pub async fn up(config: UpConfig) -> anyhow::Result<()> {
    let stack = start(&config).await?;
    announce(&config, stack.address, &stack.ntfy_url, &config.data_dir)?;
    let stop = stack.stop_handle();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: finishing executions in flight");
        stop.cancel();
    });
    stack.wait().await
}

fn announce(
    config: &UpConfig,
    address: std::net::SocketAddr,
    ntfy_url: &url::Url,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let next = config
        .schedule
        .next_after(chrono::Utc::now(), chrono::Utc::now());
    let mut out = std::io::stdout().lock();
    writeln!(out, "rez-agent is up")?;
    writeln!(out, "  console    http://{address}/console/")?;
    writeln!(out, "  api        http://{address}/api/health")?;
    writeln!(out, "  executions http://{address}/api/executions")?;
    writeln!(
        out,
        "  sfn        aws stepfunctions --endpoint-url http://{address} list-state-machines"
    )?;
    writeln!(out, "  data dir   {}", dir.display())?;
    writeln!(
        out,
        "  ntfy       {ntfy_url}  (subscribe to this topic in the ntfy app)"
    )?;
    match next {
        Some(at) => writeln!(
            out,
            "  schedule   {} (next: {})",
            config.schedule,
            rez_core::time::format(at)
        )?,
        None => writeln!(out, "  schedule   {} (never fires again)", config.schedule)?,
    }
    if config.time_scale != 1.0 {
        writeln!(
            out,
            "  time scale {} (waits, retries, timeouts and the schedule run at this speed)",
            config.time_scale
        )?;
    }
    writeln!(out, "listening on http://{address}")?;
    out.flush()?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[cfg(test)]
mod definition_tests;
#[cfg(test)]
mod schedules_loop_tests;
