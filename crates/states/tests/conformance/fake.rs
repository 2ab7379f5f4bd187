//! The corpus's fake task behaviours: echo, return, raise and sequence.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use rez_states::{TaskContext, TaskFailure, TaskHandler};
use serde_json::Value;

#[derive(Debug, Clone)]
enum Behaviour {
    Echo,
    Return(Value),
    Raise(TaskFailure),
    Sequence(Vec<Behaviour>),
}

fn parse(spec: &Value) -> Result<Behaviour, String> {
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
            .ok_or("sequence without steps")?
            .iter()
            .map(parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Behaviour::Sequence),
        other => Err(format!("unknown task behaviour {other:?}")),
    }
}

/// Looks up each resource's behaviour; counts calls for `sequence`.
pub(crate) struct FakeTasks {
    behaviours: HashMap<String, Behaviour>,
    calls: Mutex<HashMap<String, usize>>,
}

impl FakeTasks {
    pub(crate) fn new(tasks: &serde_json::Map<String, Value>) -> Result<Self, String> {
        let behaviours = tasks
            .iter()
            .map(|(k, v)| Ok((k.clone(), parse(v)?)))
            .collect::<Result<_, String>>()?;
        Ok(FakeTasks {
            behaviours,
            calls: Mutex::new(HashMap::new()),
        })
    }
}

#[async_trait]
impl TaskHandler for FakeTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _context: &TaskContext,
    ) -> Result<Value, TaskFailure> {
        let call = {
            let mut calls = self
                .calls
                .lock()
                .map_err(|_| TaskFailure::new("Fake.Poisoned", None))?;
            let n = calls.entry(resource.to_string()).or_insert(0);
            *n += 1;
            *n - 1
        };
        let mut behaviour =
            self.behaviours.get(resource).cloned().ok_or_else(|| {
                TaskFailure::new("Fake.UnknownResource", Some(resource.to_string()))
            })?;
        if let Behaviour::Sequence(steps) = &behaviour {
            behaviour = steps
                .get(call.min(steps.len().saturating_sub(1)))
                .cloned()
                .unwrap_or(Behaviour::Echo);
        }
        match behaviour {
            Behaviour::Echo | Behaviour::Sequence(_) => Ok(input),
            Behaviour::Return(value) => Ok(value),
            Behaviour::Raise(failure) => Err(failure),
        }
    }
}
