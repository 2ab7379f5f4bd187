//! Helpers for unit tests: run a definition with fake tasks.

use async_trait::async_trait;
use serde_json::Value;

use crate::value::{Arena, NodeId};
use crate::{
    Execution, ExecutionOptions, ExecutionStatus, StateMachine, TaskContext, TaskFailure,
    TaskHandler,
};

/// Echoes its input, except resources named `fail:<Error>` which fail.
pub(crate) struct EchoTasks;

#[async_trait]
impl TaskHandler for EchoTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        match resource.strip_prefix("fail:") {
            Some(error) => Err(TaskFailure::new(error, Some(format!("{error} raised")))),
            None => Ok(input),
        }
    }

    /// The same on the engine's values (the unit tests run the engine's own
    /// entry point; handlers with only `invoke` are covered by the cases'
    /// fake tasks and by `handler`'s tests).
    async fn invoke_in(
        &self,
        resource: &str,
        _values: &mut Arena,
        input: NodeId,
        _context: &TaskContext<'_>,
    ) -> Result<NodeId, TaskFailure> {
        match resource.strip_prefix("fail:") {
            Some(error) => Err(TaskFailure::new(error, Some(format!("{error} raised")))),
            None => Ok(input),
        }
    }
}

/// Run `definition` with [`EchoTasks`] and no waiting.
pub(crate) async fn run(definition: Value, input: Value) -> Result<Execution, String> {
    let machine = StateMachine::from_value(&definition).map_err(|e| e.to_string())?;
    let options = ExecutionOptions::default().with_time_scale(0.0);
    Ok(crate::execute(&machine, input, &EchoTasks, &options).await)
}

/// Like [`run`], but the execution must succeed; returns its output.
pub(crate) async fn run_ok(definition: Value, input: Value) -> Result<Value, String> {
    let execution = run(definition, input).await?;
    match (execution.status, execution.output) {
        (ExecutionStatus::Succeeded, Some(output)) => Ok(output.into_value()),
        (status, _) => Err(format!(
            "{status:?}: {:?} {:?}",
            execution.error, execution.cause
        )),
    }
}
