//! What a TaskHandler is told about the call: the state, the execution, the
//! retry count and the context object (`$$`), built when the handler reads it.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use rez_states::{
    ExecutionOptions, ExecutionStatus, StateMachine, TaskContext, TaskFailure, TaskHandler,
};
use serde_json::{Value, json};

/// Fails its first call, then succeeds; keeps what each call was told.
#[derive(Default)]
struct Observer {
    seen: Mutex<Vec<Value>>,
}

#[async_trait]
impl TaskHandler for Observer {
    async fn invoke(
        &self,
        _resource: &str,
        input: Value,
        context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        let seen = json!({
            "state": context.state_name,
            "execution": context.execution_id,
            "retry": context.retry_count,
            "timeout": context.timeout_seconds,
            "context": *context.context_object,
        });
        let mut calls = self
            .seen
            .lock()
            .map_err(|e| TaskFailure::new("Lock", e.to_string()))?;
        calls.push(seen);
        if calls.len() == 1 {
            return Err(TaskFailure::new("Flaky", None));
        }
        Ok(input)
    }
}

#[tokio::test]
async fn a_handler_sees_its_state_execution_retry_and_context_object() -> Result<(), String> {
    let definition = r#"{"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "r", "TimeoutSeconds": 30, "End": true,
        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}]}}}"#;
    let machine = StateMachine::from_json(definition).map_err(|e| e.to_string())?;
    let options = ExecutionOptions::default()
        .with_name("ctx-run")
        .with_time_scale(0.0);
    let observer = Observer::default();
    let execution = tokio::time::timeout(
        Duration::from_secs(10),
        rez_states::execute(&machine, json!({"k": "v"}), &observer, &options),
    )
    .await
    .map_err(|_| "execution did not finish in 10 s")?;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    let seen = observer.seen.lock().map_err(|e| e.to_string())?.clone();
    assert_eq!(seen.len(), 2);
    for (retry, call) in seen.iter().enumerate() {
        assert_eq!(call["state"], "Call");
        assert_eq!(call["execution"], options.execution_id.as_str());
        assert_eq!(call["retry"], retry);
        assert_eq!(call["timeout"], 30.0);
        let context = &call["context"];
        assert_eq!(context["State"]["Name"], "Call");
        assert_eq!(context["State"]["RetryCount"], retry);
        assert_eq!(context["Execution"]["Id"], options.execution_id.as_str());
        assert_eq!(context["Execution"]["Name"], "ctx-run");
        assert_eq!(context["Execution"]["Input"], json!({"k": "v"}));
    }
    Ok(())
}
