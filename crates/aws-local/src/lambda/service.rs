//! [`LambdaService`]: every declared function with its pool of execution
//! environments, and what the rest of the harness asks of it: init ahead of
//! the first invocation, synchronous invocations, alias routing, and the
//! fault-injection hooks that kill or count running invocations.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use tokio_util::sync::CancellationToken;

use super::invoked::{InvokeError, Invoked};
use super::pool::{FunctionRuntime, ServiceSettings, lock};
use super::routing::Routing;
use super::sandbox::{Ended, Sandbox, error_payload};
use crate::AwsLocalError;
use crate::declared::Declared;

/// The service; cheap to clone.
#[derive(Clone)]
pub struct LambdaService {
    inner: Arc<Inner>,
}

/// What the clones of one service share.
struct Inner {
    /// Every declared function, by name.
    functions: BTreeMap<String, FunctionRuntime>,
    /// What every function shares.
    settings: ServiceSettings,
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
        match runtime.start_sandbox(&version, &self.inner.settings).await {
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
        let sandbox = runtime.acquire(&version, &self.inner.settings).await?;
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

    /// The function named `name`, or Lambda's `ResourceNotFoundException`.
    fn runtime(&self, name: &str) -> Result<&FunctionRuntime, InvokeError> {
        self.inner
            .functions
            .get(name)
            .ok_or_else(|| InvokeError::NotFound(format!("Function not found: {name}")))
    }
}
