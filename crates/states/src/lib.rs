//! An Amazon States Language engine: parse, validate and run state machines
//! with an AWS-style execution history.
//!
//! # Map of the crate
//!
//! | module | what it holds |
//! |---|---|
//! | [`machine`] | [`StateMachine`]: parse + validate a definition (every problem as a [`Diagnostic`]), graph queries |
//! | [`cases`] | test cases in the conformance corpus schema: load, run with fake tasks, compare; AWS Step Functions Local mock configs |
//! | `definition` | serde types: the `State` enum tagged by `Type`, choice rules, validation |
//! | [`handler`] | the [`TaskHandler`] port through which Task states reach the outside world |
//! | [`execution`] | [`execute`] and the resulting [`Execution`]; [`ExecutionOptions`] (defined in `options`, below the run loop and the context object that read it) |
//! | `executor` | the run loop (`mod.rs`): input processing → action → output processing → Retry/Catch. Below it, and below `states`: `attempt` (`Attempt`/`Outcome` of one state), `runtime` (the execution's services, and the run loop as a `RunMachine` for nested runs), `io` (the JSONPath data flow and `Assign` on the arena), `env` (`$$`, the Map item, variables), `query` (JSONata data flow), `retry`, `join` |
//! | `states` | one module per state type (`task`, `choice`, `pass`, `wait`, `fail`, ...); each imports only the executor's lower files, never the run loop |
//! | `paths` | JSONPath parsing and one definite-path walk over any JSON tree; `paths::arena`: reading and `ResultPath` writing on the arena |
//! | `context` | the context object `$$` |
//! | `jsonata` | JSONata expressions for `QueryLanguage: JSONata` states: lexer, parser, evaluator, functions; `JsonataTemplate`, a field compiled when the definition is loaded, with plans for the commonest shapes evaluated on the arena |
//! | `intrinsics` | `States.*` intrinsic functions: lexer, parser, registry, one module per function |
//! | [`history`] | [`HistoryEvent`]s in AWS's `GetExecutionHistory` vocabulary |
//! | [`errors`] | [`DefinitionError`] and [`StatesError`], with the `States.*` names |
//! | [`value`] | the engine's own JSON values: an [`value::Arena`] per execution, [`value::Json`] views, [`value::Document`] (an execution's output); see `docs/value-model.md` |
//!
//! See `docs/feature-support.md` for the ASL fields this engine implements and
//! `docs/history.md` (the [`history`] module) for the shape of every event.
//!
//! ```no_run
//! # async fn demo(tasks: &dyn rez_states::TaskHandler) -> Result<(), rez_states::DefinitionError> {
//! let machine = rez_states::StateMachine::from_json(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#)?;
//! let run = rez_states::execute(&machine, serde_json::json!({}), tasks, &Default::default()).await;
//! assert_eq!(run.status, rez_states::ExecutionStatus::Succeeded);
//! # Ok(()) }
//! ```

pub mod cases;
mod clock;
mod context;
mod definition;
pub mod errors;
pub mod execution;
mod executor;
mod fnv;
pub mod handler;
pub mod history;
mod intrinsics;
mod jsonata;
pub mod machine;
mod options;
mod paths;
mod states;
#[cfg(test)]
mod test_support;
pub mod value;

pub use definition::fields::{
    DEFAULT_RETRY_BACKOFF_RATE, DEFAULT_RETRY_INTERVAL_SECONDS, DEFAULT_RETRY_MAX_ATTEMPTS,
    MAX_RETRY_DELAY_SECONDS,
};
pub use errors::{DefinitionError, Diagnostic, Severity, StatesError};
pub use execution::{Execution, ExecutionOptions, ExecutionStatus, execute, execute_borrowed};
pub use handler::{ContextObject, TaskContext, TaskFailure, TaskHandler};
pub use history::{Details, EventType, History, HistoryEvent};
pub use machine::StateMachine;
