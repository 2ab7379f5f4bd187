//! Scripted task handlers shared by the engine tests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use rez_states::{
    EventType, Execution, ExecutionOptions, StateMachine, TaskContext, TaskFailure, TaskHandler,
};
use serde_json::Value;

/// What one call of a resource does.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Echo,
    Return(Value),
    Fail(&'static str),
    Sleep(Duration),
}

/// Each resource follows its script; the last step repeats.
#[derive(Default)]
pub(crate) struct Scripted {
    scripts: HashMap<String, Vec<Step>>,
    calls: Mutex<Vec<(String, u32)>>,
}

impl Scripted {
    pub(crate) fn with(mut self, resource: &str, steps: Vec<Step>) -> Self {
        self.scripts.insert(resource.to_string(), steps);
        self
    }

    /// (resource, retry_count) of every call so far.
    pub(crate) fn calls(&self) -> Vec<(String, u32)> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl TaskHandler for Scripted {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        let index = {
            let mut calls = self
                .calls
                .lock()
                .map_err(|_| TaskFailure::new("Poisoned", None))?;
            let index = calls.iter().filter(|(r, _)| r == resource).count();
            calls.push((resource.to_string(), context.retry_count));
            index
        };
        let script = self.scripts.get(resource).cloned().unwrap_or_default();
        let step = script
            .get(index)
            .or(script.last())
            .cloned()
            .unwrap_or(Step::Echo);
        match step {
            Step::Echo => Ok(input),
            Step::Return(value) => Ok(value),
            Step::Fail(error) => Err(TaskFailure::new(
                error,
                Some(format!("{error} on call {index}")),
            )),
            Step::Sleep(d) => {
                tokio::time::sleep(d).await;
                Ok(input)
            }
        }
    }
}

/// Run with the given time scale, bounded so a hang fails the test.
pub(crate) async fn run(
    definition: &str,
    input: Value,
    tasks: &Scripted,
    time_scale: f64,
) -> Result<Execution, String> {
    let machine = StateMachine::from_json(definition).map_err(|e| e.to_string())?;
    let options = ExecutionOptions::default()
        .with_name("test-run")
        .with_time_scale(time_scale);
    tokio::time::timeout(
        Duration::from_secs(10),
        rez_states::execute(&machine, input, tasks, &options),
    )
    .await
    .map_err(|_| "execution did not finish in 10 s".to_string())
}

/// The event types of a history, as AWS names them.
pub(crate) fn event_names(execution: &Execution) -> Vec<String> {
    execution
        .history
        .iter()
        .map(|e| {
            serde_json::to_value(e.event_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect()
}

/// Run `definition` on `input` with every task echoing its input, at time scale 0.
pub(crate) async fn run_echo(definition: &str, input: Value) -> Result<Execution, String> {
    run(definition, input, &Scripted::default(), 0.0).await
}

/// The details of the first event of `event_type`, as AWS JSON.
pub(crate) fn details_of(execution: &Execution, event_type: EventType) -> Result<Value, String> {
    execution
        .history
        .iter()
        .find(|e| e.event_type == event_type)
        .map(|e| e.details.as_value().clone())
        .ok_or(format!("no {event_type:?} event"))
}
