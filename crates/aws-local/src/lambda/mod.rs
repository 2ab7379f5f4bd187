//! The local Lambda service: each declared function's package run as
//! Lambda runs a custom runtime, one process per concurrent invocation, and
//! the Invoke API in front of them.
//!
//! | file | what it holds |
//! |---|---|
//! | `sandbox.rs` | one execution environment: a bootstrap process and its Runtime API |
//! | `routing.rs` | qualifiers: `$LATEST`, versions, aliases and their routing weights |
//! | `invoke_api.rs` | `POST /2015-03-31/functions/{name}/invocations`, `PublishVersion`, `GetAlias`, `UpdateAlias` |

mod invoke_api;
mod routing;
mod sandbox;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::AwsLocalError;
use crate::declared::{Declared, DeclaredFunction};
pub use invoke_api::router;
pub use routing::Routing;
use sandbox::{Ended, Sandbox, SandboxSpec, error_payload};

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

/// An invocation's result as the Invoke API reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Invoked {
    /// The function's response payload.
    Response {
        /// The payload (the function's JSON).
        payload: Value,
        /// The version that ran.
        version: String,
    },
    /// A function error (`X-Amz-Function-Error: Unhandled`).
    FunctionError {
        /// `{"errorType", "errorMessage"}`.
        payload: Value,
        /// The version that ran.
        version: String,
    },
}

impl Invoked {
    /// The `errorType` of a function error.
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Invoked::FunctionError { payload, .. } => payload["errorType"].as_str(),
            Invoked::Response { .. } => None,
        }
    }

    /// The payload, response or error.
    pub fn payload(&self) -> &Value {
        match self {
            Invoked::Response { payload, .. } | Invoked::FunctionError { payload, .. } => payload,
        }
    }
}

/// The Lambda service errors an invocation can meet before any function runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// No such function, version or alias (404).
    #[error("ResourceNotFoundException: {0}")]
    NotFound(String),
    /// Every execution environment allowed is busy (429).
    #[error("TooManyRequestsException: {0}")]
    TooManyRequests(String),
    /// The request itself is wrong (400).
    #[error("InvalidParameterValueException: {0}")]
    InvalidParameter(String),
}

/// The service; cheap to clone.
#[derive(Clone)]
pub struct LambdaService {
    inner: Arc<Inner>,
}

struct Inner {
    functions: BTreeMap<String, FunctionRuntime>,
    settings: ServiceSettings,
}

/// One function: its declaration, its unpacked handler, its alias routing,
/// its idle environments and the kill switches of its running invocations.
struct FunctionRuntime {
    declared: DeclaredFunction,
    handler: PathBuf,
    routing: Mutex<Routing>,
    pool: Mutex<Pool>,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Sandbox>,
    /// Environments that exist: idle and busy.
    alive: usize,
    /// The kill switch of each running invocation, by request id.
    running: Vec<(String, CancellationToken)>,
    /// Invocations that reached an execution environment.
    invocations: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl LambdaService {
    /// A service for `declared`'s functions, whose handlers are in `handlers`
    /// (function name → unpacked `bootstrap`).
    ///
    /// # Errors
    /// [`AwsLocalError::Unsupported`] when a function has no handler or its
    /// log cannot be opened.
    pub fn new(
        declared: &Declared,
        handlers: &BTreeMap<String, PathBuf>,
        settings: ServiceSettings,
    ) -> Result<Self, AwsLocalError> {
        std::fs::create_dir_all(&settings.log_dir).map_err(AwsLocalError::io(format!(
            "creating {}",
            settings.log_dir.display()
        )))?;
        let mut functions = BTreeMap::new();
        for function in &declared.functions {
            let handler = handlers.get(&function.name).cloned().ok_or_else(|| {
                AwsLocalError::Unsupported(format!("no handler for {}", function.name))
            })?;
            functions.insert(
                function.name.clone(),
                FunctionRuntime {
                    routing: Mutex::new(Routing::from_declared(function)),
                    declared: function.clone(),
                    handler,
                    pool: Mutex::default(),
                },
            );
        }
        Ok(Self {
            inner: Arc::new(Inner {
                functions,
                settings,
            }),
        })
    }

    /// The names of the functions it runs.
    pub fn function_names(&self) -> Vec<String> {
        self.inner.functions.keys().cloned().collect()
    }

    /// Starts one execution environment of `function_name` and keeps it
    /// warm: Lambda's init phase, run ahead of the first invocation.
    ///
    /// # Errors
    /// [`AwsLocalError::InitFailed`] with what Lambda would report.
    pub async fn initialise(&self, function_name: &str) -> Result<(), AwsLocalError> {
        let runtime = self
            .runtime(function_name)
            .map_err(|e| AwsLocalError::Unsupported(e.to_string()))?;
        let version = runtime.declared.alias.function_version.clone();
        lock(&runtime.pool).alive += 1;
        match self.start_sandbox(runtime, &version).await {
            Ok(sandbox) => {
                lock(&runtime.pool).idle.push(sandbox);
                Ok(())
            }
            Err(payload) => {
                lock(&runtime.pool).alive -= 1;
                Err(AwsLocalError::InitFailed {
                    function: function_name.to_owned(),
                    error_type: payload["errorType"].as_str().unwrap_or_default().to_owned(),
                    message: payload["errorMessage"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                })
            }
        }
    }

    /// Invokes a function synchronously (`RequestResponse`).
    ///
    /// `function` is any spelling Lambda accepts (name, ARN, qualified
    /// ARN); `qualifier` is the `Qualifier` query parameter.
    ///
    /// # Errors
    /// [`InvokeError`] when no function ran.
    pub async fn invoke(
        &self,
        function: &str,
        qualifier: Option<&str>,
        payload: Bytes,
    ) -> Result<Invoked, InvokeError> {
        let (name, in_name) = crate::declared::split_function_name(function);
        let qualifier = match (in_name.as_deref(), qualifier) {
            (Some(a), Some(b)) if a != b => {
                return Err(InvokeError::InvalidParameter(format!(
                    "the qualifier {b} differs from the one in the function name ({a})"
                )));
            }
            (Some(a), _) => Some(a.to_owned()),
            (None, b) => b.map(str::to_owned),
        };
        let runtime = self.runtime(name)?;
        let version = lock(&runtime.routing).resolve(qualifier.as_deref(), &runtime.declared)?;
        let sandbox = self.acquire(runtime, &version).await?;
        let sandbox = match sandbox {
            Ok(sandbox) => sandbox,
            Err(init_error) => {
                return Ok(Invoked::FunctionError {
                    payload: init_error,
                    version,
                });
            }
        };
        let kill = CancellationToken::new();
        let request_id = uuid::Uuid::new_v4().to_string();
        {
            let mut pool = lock(&runtime.pool);
            pool.running.push((request_id.clone(), kill.clone()));
            pool.invocations += 1;
        }
        let ended = sandbox
            .invoke(
                &request_id,
                payload,
                Duration::from_secs(runtime.declared.timeout),
                runtime.declared.memory_size,
                kill.clone(),
            )
            .await;
        let mut pool = lock(&runtime.pool);
        pool.running.retain(|(id, _)| *id != request_id);
        Ok(match ended {
            Ended::Answered(sandbox, outcome) => {
                pool.idle.push(*sandbox);
                match outcome {
                    rez_lambda_harness::Outcome::Response(payload) => {
                        Invoked::Response { payload, version }
                    }
                    rez_lambda_harness::Outcome::Error(reported) => Invoked::FunctionError {
                        payload: error_payload(&reported.error_type, reported.error_message),
                        version,
                    },
                }
            }
            Ended::Lost(payload) => {
                pool.alive -= 1;
                Invoked::FunctionError { payload, version }
            }
        })
    }

    /// Kills every running invocation of `function_name` (a crash in the
    /// middle of its work); returns how many there were.
    ///
    /// # Errors
    /// [`InvokeError::NotFound`] for an unknown function.
    pub fn kill_running(&self, function_name: &str) -> Result<usize, InvokeError> {
        let runtime = self.runtime(function_name)?;
        let pool = lock(&runtime.pool);
        for (_, token) in &pool.running {
            token.cancel();
        }
        Ok(pool.running.len())
    }

    /// How many invocations of `function_name` are running now.
    ///
    /// # Errors
    /// [`InvokeError::NotFound`] for an unknown function.
    pub fn running(&self, function_name: &str) -> Result<usize, InvokeError> {
        Ok(lock(&self.runtime(function_name)?.pool).running.len())
    }

    /// How many invocations of `function_name` reached an execution
    /// environment so far.
    ///
    /// # Errors
    /// [`InvokeError::NotFound`] for an unknown function.
    pub fn invocations(&self, function_name: &str) -> Result<u64, InvokeError> {
        Ok(lock(&self.runtime(function_name)?.pool).invocations)
    }

    /// The alias `alias` of `function_name`.
    ///
    /// # Errors
    /// [`InvokeError::NotFound`] for an unknown function or alias.
    pub fn alias(&self, function_name: &str, alias: &str) -> Result<Routing, InvokeError> {
        let runtime = self.runtime(function_name)?;
        let routing = lock(&runtime.routing).clone();
        if routing.alias_name() != alias {
            return Err(InvokeError::NotFound(format!(
                "Alias not found: {}:{alias}",
                runtime.declared.arn
            )));
        }
        Ok(routing)
    }

    /// Points alias `alias` of `function_name` at `version` (when given)
    /// with `weights` (when given), as `UpdateAlias` does.
    ///
    /// # Errors
    /// [`InvokeError`] for an unknown function, alias or version, or weights
    /// outside 0–1.
    pub fn update_alias(
        &self,
        function_name: &str,
        alias: &str,
        version: Option<String>,
        weights: Option<BTreeMap<String, f64>>,
    ) -> Result<Routing, InvokeError> {
        self.alias(function_name, alias)?;
        let runtime = self.runtime(function_name)?;
        let mut routing = lock(&runtime.routing);
        routing.update(&runtime.declared, version, weights)?;
        Ok(routing.clone())
    }

    /// Publishes a new numbered version of `function_name`, as
    /// `PublishVersion` does, and returns its number. It runs the same
    /// package: the harness has one build of each function.
    ///
    /// # Errors
    /// [`InvokeError::NotFound`] for an unknown function.
    pub fn publish_version(&self, function_name: &str) -> Result<String, InvokeError> {
        let runtime = self.runtime(function_name)?;
        Ok(lock(&runtime.routing).publish())
    }

    /// Stops every execution environment.
    pub async fn shutdown(&self) {
        for runtime in self.inner.functions.values() {
            let idle: Vec<Sandbox> = {
                let mut pool = lock(&runtime.pool);
                for (_, token) in &pool.running {
                    token.cancel();
                }
                std::mem::take(&mut pool.idle)
            };
            for sandbox in idle {
                sandbox.stop().await;
            }
        }
    }

    fn runtime(&self, name: &str) -> Result<&FunctionRuntime, InvokeError> {
        self.inner
            .functions
            .get(name)
            .ok_or_else(|| InvokeError::NotFound(format!("Function not found: {name}")))
    }

    /// An idle environment of `version`, or a new one when fewer than the
    /// limit exist (an idle one of another version makes room).
    async fn acquire(
        &self,
        runtime: &FunctionRuntime,
        version: &str,
    ) -> Result<Result<Sandbox, Value>, InvokeError> {
        let evicted = {
            let mut pool = lock(&runtime.pool);
            if let Some(i) = pool.idle.iter().position(|s| s.version() == version) {
                return Ok(Ok(pool.idle.swap_remove(i)));
            }
            if pool.alive >= self.inner.settings.concurrency_limit {
                if pool.idle.is_empty() {
                    return Err(InvokeError::TooManyRequests(format!(
                        "Rate Exceeded. {} has {} execution environments busy (the limit)",
                        runtime.declared.name, self.inner.settings.concurrency_limit
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
        let started = self.start_sandbox(runtime, version).await;
        if started.is_err() {
            lock(&runtime.pool).alive -= 1;
        }
        Ok(started)
    }

    async fn start_sandbox(
        &self,
        runtime: &FunctionRuntime,
        version: &str,
    ) -> Result<Sandbox, Value> {
        let log_path = self
            .inner
            .settings
            .log_dir
            .join(format!("{}.log", runtime.declared.name));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| {
                error_payload("Runtime.Unknown", format!("{}: {e}", log_path.display()))
            })?;
        Sandbox::start(SandboxSpec {
            function: &runtime.declared,
            handler: &runtime.handler,
            version,
            invoked_arn: runtime.declared.alias.arn.clone(),
            extra_environment: &self.inner.settings.extra_environment,
            log,
        })
        .await
    }
}
