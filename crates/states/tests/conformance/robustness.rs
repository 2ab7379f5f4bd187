//! Every corpus definition, run on inputs it was not written for, must end
//! as an ordinary execution result: never a panic, never a hang.

use std::time::Duration;

use rez_states::cases::{self, FakeTasks};
use rez_states::{ExecutionOptions, StateMachine};
use serde_json::{Value, json};

/// Inputs of every JSON type, plus deep nesting.
fn odd_inputs() -> Vec<Value> {
    vec![
        Value::Null,
        json!([]),
        json!("text"),
        json!(-1.5),
        json!({"a": {"b": [null, {"c": true}]}, "items": "x"}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_definitions_survive_unexpected_inputs() -> Result<(), String> {
    let Some(dir) = crate::corpus_dir()? else {
        return Ok(());
    };
    let mut runs = 0usize;
    for case in cases::load_dir(&dir).map_err(|e| e.to_string())? {
        let Ok(machine) = StateMachine::from_value(&case.definition) else {
            continue;
        };
        for input in odd_inputs() {
            let tasks = FakeTasks::new(&case.tasks)?;
            let options = ExecutionOptions::default().with_time_scale(0.0);
            let run = rez_states::execute(&machine, input, &tasks, &options);
            tokio::time::timeout(Duration::from_secs(20), run)
                .await
                .map_err(|_| format!("{} did not finish on an odd input", case.name))?;
            runs += 1;
        }
    }
    eprintln!("robustness: {runs} executions on odd inputs finished");
    Ok(())
}
