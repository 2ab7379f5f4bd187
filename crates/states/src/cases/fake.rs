//! The corpus's fake task behaviours: `echo`, `return`, `raise` and
//! `sequence` (corpus README, "How a harness runs a case" and "Extension").

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::handler::{TaskContext, TaskFailure, TaskHandler};

/// Error name of a call to a resource the case has no behaviour for.
pub const UNKNOWN_RESOURCE: &str = "Fake.UnknownResource";

/// What a faked resource does when called.
#[derive(Debug, Clone, PartialEq)]
pub enum Behaviour {
    /// The result is the task's effective input.
    Echo,
    /// The result is this value.
    Return(Value),
    /// The task fails with this error and cause.
    Raise(TaskFailure),
    /// Call *i* (from 0) of the resource behaves as `steps[min(i, n-1)]`.
    Sequence(Vec<Behaviour>),
}

impl Behaviour {
    /// Parse one entry of a case's `tasks`.
    ///
    /// # Errors
    ///
    /// An unknown `behaviour`, or a `sequence` without `steps`.
    pub fn from_value(spec: &Value) -> Result<Behaviour, String> {
        match spec.get("behaviour").and_then(Value::as_str) {
            Some("echo") => Ok(Behaviour::Echo),
            Some("return") => Ok(Behaviour::Return(
                spec.get("value").cloned().unwrap_or(Value::Null),
            )),
            Some("raise") => Ok(Behaviour::Raise(TaskFailure::new(
                spec.get("error")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                spec.get("cause")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ))),
            Some("sequence") => spec
                .get("steps")
                .and_then(Value::as_array)
                .ok_or("a sequence behaviour needs steps")?
                .iter()
                .map(Behaviour::from_value)
                .collect::<Result<Vec<_>, _>>()
                .map(Behaviour::Sequence),
            other => Err(format!("unknown task behaviour {other:?}")),
        }
    }
}

/// A [`TaskHandler`] that answers each resource with its [`Behaviour`] and
/// counts calls per resource for `sequence`. One instance per execution.
#[derive(Debug)]
pub struct FakeTasks {
    behaviours: HashMap<String, Behaviour>,
    calls: Mutex<HashMap<String, usize>>,
}

impl FakeTasks {
    /// Build the fakes from a case's `tasks` object (resource → behaviour).
    ///
    /// # Errors
    ///
    /// A behaviour that does not parse, naming its resource.
    pub fn new(tasks: &Map<String, Value>) -> Result<Self, String> {
        let behaviours = tasks
            .iter()
            .map(|(k, v)| {
                Behaviour::from_value(v)
                    .map(|b| (k.clone(), b))
                    .map_err(|e| format!("tasks[{k}]: {e}"))
            })
            .collect::<Result<_, String>>()?;
        Ok(FakeTasks {
            behaviours,
            calls: Mutex::new(HashMap::new()),
        })
    }

    fn next_call(&self, resource: &str) -> usize {
        let mut calls = match self.calls.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = calls.entry(resource.to_string()).or_insert(0);
        *n += 1;
        *n - 1
    }
}

#[async_trait]
impl TaskHandler for FakeTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        let call = self.next_call(resource);
        let mut behaviour = self
            .behaviours
            .get(resource)
            .ok_or_else(|| TaskFailure::new(UNKNOWN_RESOURCE, Some(resource.to_string())))?;
        if let Behaviour::Sequence(steps) = behaviour {
            match steps.get(call.min(steps.len().saturating_sub(1))) {
                Some(step) => behaviour = step,
                None => return Ok(input),
            }
        }
        match behaviour {
            Behaviour::Echo | Behaviour::Sequence(_) => Ok(input),
            Behaviour::Return(value) => Ok(value.clone()),
            Behaviour::Raise(failure) => Err(failure.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context() -> TaskContext<'static> {
        TaskContext {
            state_name: "T",
            execution_id: "e",
            retry_count: 0,
            context_object: Value::Null.into(),
            timeout_seconds: None,
        }
    }

    #[tokio::test]
    async fn sequence_steps_through_and_repeats_the_last() -> Result<(), String> {
        let tasks = json!({"r": {"behaviour": "sequence", "steps": [
            {"behaviour": "raise", "error": "E", "cause": "c"},
            {"behaviour": "return", "value": 1}
        ]}});
        let fake = FakeTasks::new(tasks.as_object().ok_or("object")?)?;
        let ctx = context();
        assert!(fake.invoke("r", json!({}), &ctx).await.is_err());
        assert_eq!(fake.invoke("r", json!({}), &ctx).await, Ok(json!(1)));
        assert_eq!(fake.invoke("r", json!({}), &ctx).await, Ok(json!(1)));
        assert!(fake.invoke("other", json!({}), &ctx).await.is_err());
        Ok(())
    }
}
