//! Each function's execution environments: the idle ones kept warm, how many
//! exist against the concurrency limit, the kill switches of the running
//! invocations, and starting a new environment with its log. The
//! [`ServiceSettings`] here bound and shape every pool.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::invoked::InvokeError;
use super::routing::Routing;
use super::sandbox::{Sandbox, SandboxSpec, error_payload};
use crate::declared::DeclaredFunction;

/// What every function of the service shares.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// Most execution environments of one function at once; an invocation
    /// beyond them is throttled (`TooManyRequestsException`).
    pub concurrency_limit: usize,
    /// Variables every function gets after its own (the AWS endpoint).
    pub extra_environment: Vec<(String, String)>,
    /// Where each function's log is appended: `<dir>/<function name>.log`.
    pub log_dir: PathBuf,
}

/// One function: its declaration, its unpacked handler, its alias routing,
/// its idle environments and the kill switches of its running invocations.
pub(super) struct FunctionRuntime {
    /// The function as the program declares it.
    pub(super) declared: DeclaredFunction,
    /// Its unpacked `bootstrap`.
    pub(super) handler: PathBuf,
    /// Which version each qualifier runs.
    pub(super) routing: Mutex<Routing>,
    /// Its execution environments.
    pub(super) pool: Mutex<Pool>,
}

/// One function's execution environments and running invocations.
#[derive(Default)]
pub(super) struct Pool {
    /// Environments waiting for an invocation.
    pub(super) idle: Vec<Sandbox>,
    /// Environments that exist: idle and busy.
    pub(super) alive: usize,
    /// The kill switch of each running invocation, by request id.
    pub(super) running: Vec<(String, CancellationToken)>,
    /// Invocations that reached an execution environment.
    pub(super) invocations: u64,
}

/// Locks `m`, going on with the data when a holder panicked: every critical
/// section leaves the pool and the routing consistent.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FunctionRuntime {
    /// An idle environment of `version`, or a new one when fewer than the
    /// limit exist (an idle one of another version makes room).
    ///
    /// # Errors
    /// [`InvokeError::TooManyRequests`] when every environment allowed is
    /// busy; the inner `Err` is the init error of a new environment.
    pub(super) async fn acquire(
        &self,
        version: &str,
        settings: &ServiceSettings,
    ) -> Result<Result<Sandbox, Value>, InvokeError> {
        let evicted = {
            let mut pool = lock(&self.pool);
            if let Some(i) = pool.idle.iter().position(|s| s.version() == version) {
                return Ok(Ok(pool.idle.swap_remove(i)));
            }
            if pool.alive >= settings.concurrency_limit {
                if pool.idle.is_empty() {
                    return Err(InvokeError::TooManyRequests(format!(
                        "Rate Exceeded. {} has {} execution environments busy (the limit)",
                        self.declared.name, settings.concurrency_limit
                    )));
                }
                Some(pool.idle.swap_remove(0))
            } else {
                pool.alive += 1;
                None
            }
        };
        if let Some(old) = evicted {
            old.stop().await;
        }
        let started = self.start_sandbox(version, settings).await;
        if started.is_err() {
            lock(&self.pool).alive -= 1;
        }
        Ok(started)
    }

    /// Starts a new environment of `version`, its output appended to
    /// `<log_dir>/<function name>.log`. The caller counts it in `alive`.
    ///
    /// # Errors
    /// The error payload Lambda would report when the log cannot be opened
    /// or the init fails.
    pub(super) async fn start_sandbox(
        &self,
        version: &str,
        settings: &ServiceSettings,
    ) -> Result<Sandbox, Value> {
        let log_path = settings.log_dir.join(format!("{}.log", self.declared.name));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| {
                error_payload("Runtime.Unknown", format!("{}: {e}", log_path.display()))
            })?;
        Sandbox::start(SandboxSpec {
            function: &self.declared,
            handler: &self.handler,
            version,
            invoked_arn: self.declared.alias.arn.clone(),
            extra_environment: &settings.extra_environment,
            log,
        })
        .await
    }
}
