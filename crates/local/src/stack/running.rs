//! A started stack: its address, its stores, and how it stops.

use anyhow::Context;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use rez_sqlite::{SqliteQueue, SqliteStore};

use super::loops::Loops;
use crate::data_dir::DataDir;

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
    pub(super) cancel: CancellationToken,
    pub(super) server: JoinHandle<std::io::Result<()>>,
    pub(super) loops: Loops,
    pub(super) sfn_api: SfnApiTasks,
    pub(super) shutdown_grace: Duration,
    pub(super) data_dir: DataDir,
}

/// The executions started through the Step Functions API: tracked, so a
/// shutdown waits for them, and abandoned together when it no longer may.
#[derive(Clone, Default)]
pub(super) struct SfnApiTasks {
    pub(super) tracker: TaskTracker,
    pub(super) abandon: CancellationToken,
}

impl RunningStack {
    /// Stops taking work, lets executions in flight finish (for at most the
    /// scaled [`super::processor_loop::SHUTDOWN_GRACE`]; the queue records of
    /// those still running then are released), and returns.
    ///
    /// # Errors
    /// The HTTP server failed while serving.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.cancel.cancel();
        self.wait().await
    }

    /// Waits until the stack stops (its shutdown signal resolved, or
    /// [`RunningStack::stop_handle`] fired).
    ///
    /// Once stopping, everything in flight shares one bound, the scaled
    /// [`super::processor_loop::SHUTDOWN_GRACE`]: the processor's
    /// executions, the HTTP requests still open, and the executions started
    /// through the Step Functions API. What is still running then is
    /// dropped: the processor's queue records become visible again, and an
    /// execution left `RUNNING` is closed as `ABORTED` at the next start.
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
        let step_functions = self.sfn_api.finish(deadline);
        tokio::join!(self.loops.join(), step_functions);
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

impl SfnApiTasks {
    /// Waits for the executions in flight until `deadline`, then abandons
    /// the rest and waits until they have let go.
    async fn finish(&self, deadline: tokio::time::Instant) {
        self.tracker.close();
        if tokio::time::timeout_at(deadline, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                running = self.tracker.len(),
                "Step Functions API executions still running at the end of the shutdown grace: abandoned, the next start closes them as ABORTED"
            );
            // They end at their next await; the data dir's lock is
            // released only after they did, so none writes after it.
            self.abandon.cancel();
            self.tracker.wait().await;
        }
    }
}
