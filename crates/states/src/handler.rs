//! The port through which Task states reach the outside world.

use serde_json::Value;

use crate::context::LazyContext;
use crate::value::{Arena, NodeId};

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
        context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure>;

    /// [`TaskHandler::invoke`] on the engine's own values: the input is the
    /// value `input` of the execution's `values`, and the result is written
    /// into `values`. The engine calls this one. By default it converts the
    /// input to a `serde_json::Value`, calls [`TaskHandler::invoke`] and
    /// copies the result in; a handler on a hot path implements it directly
    /// and skips both conversions (an echo returns `input` itself).
    ///
    /// # Errors
    ///
    /// As [`TaskHandler::invoke`].
    async fn invoke_in(
        &self,
        resource: &str,
        values: &mut Arena,
        input: NodeId,
        context: &TaskContext<'_>,
    ) -> Result<NodeId, TaskFailure> {
        let input = values.get(input).to_value();
        let result = self.invoke(resource, input, context).await?;
        Ok(values.import(&result))
    }
}

/// What a [`TaskHandler`] knows about the call it serves. It borrows from
/// the running execution (nothing is copied or reference-counted per call);
/// a handler that needs a part after the call copies it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskContext<'a> {
    /// The Task state's name.
    pub state_name: &'a str,
    /// The execution's id (ARN).
    pub execution_id: &'a str,
    /// How many times this state has been retried so far (0 on the first attempt).
    pub retry_count: u32,
    /// The whole context object (`$$`) as the state sees it. It dereferences
    /// to a [`Value`] and is only built when a handler reads it.
    pub context_object: ContextObject<'a>,
    /// The task's timeout before time scaling, if `TimeoutSeconds` is set.
    pub timeout_seconds: Option<f64>,
}

/// The context object (`$$`) handed to a [`TaskHandler`]: built the first
/// time it is read (it holds a copy of the execution input, which most
/// handlers never look at). Dereferences to [`Value`]; `Value::into()` makes
/// a ready one.
#[derive(Clone)]
pub struct ContextObject<'a> {
    lazy: Lazy<'a>,
}

/// The attempt's own context object (borrowed, so a call copies nothing
/// and what the handler builds, the attempt reuses), or a ready one.
#[derive(Clone)]
enum Lazy<'a> {
    Attempt(&'a LazyContext<'a>),
    Ready(LazyContext<'a>),
}

impl<'a> ContextObject<'a> {
    /// The context object of the attempt `lazy` describes, built on first read.
    pub(crate) fn lazy(lazy: &'a LazyContext<'a>) -> Self {
        ContextObject {
            lazy: Lazy::Attempt(lazy),
        }
    }

    /// The context object as a [`Value`].
    pub fn get(&self) -> &Value {
        match &self.lazy {
            Lazy::Attempt(lazy) => lazy.get(),
            Lazy::Ready(lazy) => lazy.get(),
        }
    }
}

impl From<Value> for ContextObject<'_> {
    fn from(value: Value) -> Self {
        ContextObject {
            lazy: Lazy::Ready(LazyContext::ready(value)),
        }
    }
}

impl std::ops::Deref for ContextObject<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.get()
    }
}

impl std::fmt::Debug for ContextObject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl PartialEq for ContextObject<'_> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Implements only `invoke`: wraps its input.
    struct Wrapping;

    #[async_trait::async_trait]
    impl TaskHandler for Wrapping {
        async fn invoke(
            &self,
            resource: &str,
            input: Value,
            _context: &TaskContext<'_>,
        ) -> Result<Value, TaskFailure> {
            match resource {
                "fail" => Err(TaskFailure::new("Boom", None)),
                _ => Ok(json!({"got": input, "from": resource})),
            }
        }
    }

    #[tokio::test]
    async fn invoke_in_converts_for_a_handler_that_only_has_invoke() -> Result<(), TaskFailure> {
        let mut values = Arena::new();
        let input = values.import(&json!({"a": [1, "x"]}));
        let context = TaskContext {
            state_name: "S",
            execution_id: "id",
            retry_count: 0,
            context_object: json!({}).into(),
            timeout_seconds: None,
        };
        let result = Wrapping
            .invoke_in("r", &mut values, input, &context)
            .await?;
        assert_eq!(
            values.get(result).to_value(),
            json!({"got": {"a": [1, "x"]}, "from": "r"})
        );
        let failed = Wrapping
            .invoke_in("fail", &mut values, input, &context)
            .await;
        assert_eq!(failed, Err(TaskFailure::new("Boom", None)));
        Ok(())
    }
}
