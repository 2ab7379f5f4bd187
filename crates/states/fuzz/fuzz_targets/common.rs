//! Shared by every target: an echoing task handler and a bounded run.

use std::sync::OnceLock;
use std::time::Duration;

use rez_states::{ExecutionOptions, StateMachine, TaskContext, TaskFailure, TaskHandler};
use serde_json::Value;

/// Longest one execution may take before the target gives up on it.
/// A hang shows up as libFuzzer's own timeout (`-timeout`), which is longer.
pub const WALL_TIME: Duration = Duration::from_secs(2);

/// Every Task returns its effective input.
pub struct Echo;

#[async_trait::async_trait]
impl TaskHandler for Echo {
    async fn invoke(
        &self,
        _resource: &str,
        input: Value,
        _context: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        Ok(input)
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        match tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => panic!("cannot build a Tokio runtime: {e}"),
        }
    })
}

/// Validate `definition` (all diagnostics, then the first error) and, if it
/// is valid, run it on `input` with echoing tasks at time scale 0.
pub fn validate_and_run(definition: &str, input: Value) {
    let _ = StateMachine::validate_json(definition);
    let Ok(machine) = StateMachine::from_json(definition) else {
        return;
    };
    let _ = machine.state_names();
    let _ = machine.task_resources();
    let options = ExecutionOptions::default()
        .with_name("fuzz")
        .with_time_scale(0.0);
    runtime().block_on(async {
        let run = rez_states::execute(&machine, input, &Echo, &options);
        let _ = tokio::time::timeout(WALL_TIME, run).await;
    });
}

/// The input every expression target runs on: every JSON type, nested.
#[allow(dead_code)] // not every target uses it
pub fn sample_input() -> Value {
    serde_json::json!({
        "a": 1, "b": [1, 2.5, "x", null, true, {"c": {"d": []}}],
        "s": "text", "n": null, "t": "2026-01-01T00:00:00Z",
        "items": [{"id": 1}, {"id": 2}]
    })
}
