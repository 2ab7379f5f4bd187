//! The port through which Task states reach the outside world.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// Runs Task resources. Implemented by the local runtime (Lambda-like task
/// crates) and by test fakes.
#[async_trait::async_trait]
pub trait TaskHandler: Send + Sync {
    /// Run the Task state's resource with its effective input; Err is a task failure.
    ///
    /// # Errors
    ///
    /// A [`TaskFailure`] whose `error` name is matched by the state's
    /// `Retry` / `Catch` rules (and by `States.TaskFailed` / `States.ALL`).
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        context: &TaskContext,
    ) -> Result<Value, TaskFailure>;
}

/// What a [`TaskHandler`] knows about the call it serves.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskContext {
    /// The Task state's name (shared with the definition and the history).
    pub state_name: Arc<str>,
    /// The execution's id (ARN), shared by every task of the execution.
    pub execution_id: Arc<str>,
    /// How many times this state has been retried so far (0 on the first attempt).
    pub retry_count: u32,
    /// The whole context object (`$$`) as the state sees it. It dereferences
    /// to a [`Value`] and is only built when a handler reads it.
    pub context_object: ContextObject,
    /// The task's timeout before time scaling, if `TimeoutSeconds` is set.
    pub timeout_seconds: Option<f64>,
}

/// The context object (`$$`) handed to a [`TaskHandler`]: built the first
/// time it is read (it holds a copy of the execution input, which most
/// handlers never look at). Dereferences to [`Value`]; `Value::into()` makes
/// a ready one.
#[derive(Clone)]
pub struct ContextObject {
    value: OnceLock<Value>,
    build: Option<Arc<dyn Fn() -> Value + Send + Sync>>,
}

impl ContextObject {
    /// A context object built by `build` when first read.
    pub(crate) fn lazy(build: impl Fn() -> Value + Send + Sync + 'static) -> Self {
        ContextObject {
            value: OnceLock::new(),
            build: Some(Arc::new(build)),
        }
    }

    /// The context object as a [`Value`].
    pub fn get(&self) -> &Value {
        self.value.get_or_init(|| match &self.build {
            Some(build) => build(),
            None => Value::Null,
        })
    }
}

impl From<Value> for ContextObject {
    fn from(value: Value) -> Self {
        ContextObject {
            value: OnceLock::from(value),
            build: None,
        }
    }
}

impl std::ops::Deref for ContextObject {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.get()
    }
}

impl std::fmt::Debug for ContextObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl PartialEq for ContextObject {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

/// A failed task: an error name and an optional cause.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskFailure {
    /// Error name, e.g. `Ntfy.RateLimited`.
    pub error: String,
    /// Human-readable detail.
    pub cause: Option<String>,
}

impl TaskFailure {
    /// A failure with the given error name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<Option<String>>) -> Self {
        TaskFailure {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

impl std::fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.error, cause),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for TaskFailure {}
