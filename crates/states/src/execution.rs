//! [`execute`]: run a [`StateMachine`] once, and the [`Execution`] it produces.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::ExecutionInfo;
use crate::errors::StatesError;
use crate::executor::runtime::{LastExit, Runtime};
use crate::executor::{RunLoop, run_machine};
use crate::handler::TaskHandler;
use crate::history::{self, EventType, Fields, History, Payload, Recorder};
use crate::machine::StateMachine;
pub use crate::options::{DEFAULT_STATE_MACHINE_NAME, ExecutionOptions};
use crate::value::{Arena, Document};

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Reached a Succeed state or an `End` state.
    Succeeded,
    /// A state failed and nothing caught the error.
    Failed,
    /// The machine's `TimeoutSeconds` or the `max_duration` elapsed.
    TimedOut,
}

/// The result of [`execute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// How the execution ended.
    pub status: ExecutionStatus,
    /// The final output (when succeeded), in the arena the execution made
    /// it in: [`Document::json`] reads it in place, and it dereferences to a
    /// `serde_json::Value` built on first use.
    pub output: Option<Document>,
    /// The error name (when failed or timed out).
    pub error: Option<String>,
    /// The error cause (when failed, if any).
    pub cause: Option<String>,
    /// When the execution started.
    pub start_date: DateTime<Utc>,
    /// When it stopped.
    pub stop_date: DateTime<Utc>,
    /// Every event, in order (a [`History`] dereferences to a slice of
    /// [`crate::HistoryEvent`]s; payload texts are written when first read).
    pub history: History,
}

/// Run `machine` once with `input`, calling `tasks` for every Task state.
/// Every problem ends the execution as Failed or TimedOut.
///
/// # Panics
///
/// Never, for any definition or input. With a `time_scale` above 0 the
/// call must run inside a Tokio runtime whose time driver is enabled
/// (Tokio itself panics otherwise); at 0 no timer is used.
pub async fn execute(
    machine: &StateMachine,
    input: Value,
    tasks: &dyn TaskHandler,
    options: &ExecutionOptions,
) -> Execution {
    execute_borrowed(machine, &input, tasks, options).await
}

/// [`execute`] on an input the caller keeps: the execution reads it (once,
/// to copy it into its own values, and for `$$.Execution.Input`) and
/// neither copies nor drops it, so a caller that runs one input many
/// times, or still needs it, does not clone it for each run.
///
/// # Panics
///
/// As [`execute`]: never, for any definition or input.
pub async fn execute_borrowed(
    machine: &StateMachine,
    input: &Value,
    tasks: &dyn TaskHandler,
    options: &ExecutionOptions,
) -> Execution {
    let start_date = crate::clock::now();
    let (recorder, mut cursor) = Recorder::main(expected_events(machine));
    let mut arena = Arena::new();
    arena.set_limit(options.value_limit_bytes);
    let input_id = arena.import(input);
    let info = ExecutionInfo::new(options, input, start_date);
    recorder.record_at(
        &mut cursor,
        EventType::ExecutionStarted,
        Fields::ExecutionStarted(Box::new(history::ExecutionStarted {
            input: Payload::Node(input_id),
            role_arn: options.role_arn.clone(),
            state_machine_arn: options.state_machine_id.clone(),
        })),
        start_date,
    );
    let mut runtime = Runtime::new(tasks, options, &recorder, &info, &RunLoop);
    runtime.default_jsonata =
        crate::definition::query_language::is_jsonata(machine.machine.query_language.as_deref());
    let limit = execution_limit(machine, options);
    let mut last_exit = LastExit::default();
    let run = run_machine(
        &runtime,
        &machine.machine,
        &mut arena,
        (input_id, Some(Payload::Node(input_id)), Some(start_date)),
        Default::default(),
        &mut cursor,
        Some(&mut last_exit),
    );
    // `None`: the execution's own time limit elapsed.
    let outcome = match limit {
        Some(limit) => tokio::time::timeout(limit, run).await.ok(),
        None => Some(run.await),
    };
    // The last event's time is the execution's stop date: a run that
    // succeeded ends when its last state exited (nothing is awaited after).
    let stop_date = match (&outcome, last_exit.at) {
        (Some(Ok(_)), Some(exited_at)) => exited_at,
        _ => crate::clock::now(),
    };
    let (status, output, error, cause) = match outcome {
        Some(Ok(output)) => {
            recorder.record_at(
                &mut cursor,
                EventType::ExecutionSucceeded,
                Fields::ExecutionSucceeded {
                    output: last_exit.payload.take().unwrap_or(Payload::Node(output)),
                },
                stop_date,
            );
            (ExecutionStatus::Succeeded, Some(output), None, None)
        }
        None => {
            let err = StatesError::timeout();
            let details = history::failure(
                "executionTimedOutEventDetails",
                &err.error,
                err.cause.as_deref(),
            );
            recorder.record_at(
                &mut cursor,
                EventType::ExecutionTimedOut,
                details,
                stop_date,
            );
            (ExecutionStatus::TimedOut, None, Some(err.error), err.cause)
        }
        Some(Err(err)) => {
            let details = history::failure(
                "executionFailedEventDetails",
                &err.error,
                err.cause.as_deref(),
            );
            // A Fail state without Error reports no error at all.
            recorder.record_at(&mut cursor, EventType::ExecutionFailed, details, stop_date);
            let error = Some(err.error).filter(|e| !e.is_empty());
            (ExecutionStatus::Failed, None, error, err.cause)
        }
    };
    // The history's payloads and the output are values of the arena, which
    // they now share.
    let arena = Arc::new(arena);
    let (events, kept) = recorder.into_parts(cursor);
    let history = History::recorded(events, Arc::clone(&arena), kept);
    Execution {
        status,
        output: output.map(|output| Document::new(arena, output)),
        error,
        cause,
        start_date,
        stop_date,
        history,
    }
}

/// Room for about three events per top-level state plus the execution's
/// start and end, so that a short run does not grow the history one
/// doubling at a time (copying it at each step).
fn expected_events(machine: &StateMachine) -> usize {
    2 + 3 * machine.machine.states.ordered.len()
}

/// The shorter of the machine's `TimeoutSeconds` and `max_duration`, scaled.
fn execution_limit(machine: &StateMachine, options: &ExecutionOptions) -> Option<Duration> {
    let from_definition = machine
        .machine
        .timeout_seconds
        .as_ref()
        .and_then(Value::as_f64)
        .and_then(|s| options.scaled(s));
    let from_options = options
        .max_duration
        .and_then(|d| options.scaled(d.as_secs_f64()));
    match (from_definition, from_options) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn execution_started_shows_the_input_role_and_state_machine() -> Result<(), String> {
        let machine = StateMachine::from_json(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
        )
        .map_err(|e| e.to_string())?;
        let options = ExecutionOptions::default()
            .with_state_machine("arn:aws:states:us-east-1:1:stateMachine:m", "m")
            .with_role_arn("arn:aws:iam::1:role/r");
        let run = execute(
            &machine,
            serde_json::json!({"a": "b"}),
            &crate::test_support::EchoTasks,
            &options,
        )
        .await;
        let started = run.history.first().ok_or("no events")?;
        assert_eq!(started.event_type, EventType::ExecutionStarted);
        assert_eq!(
            *started.details,
            serde_json::json!({"executionStartedEventDetails": {
                "input": "{\"a\":\"b\"}",
                "roleArn": "arn:aws:iam::1:role/r",
                "stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:m",
            }})
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_task_exits_at_the_time_it_succeeded() -> Result<(), String> {
        let machine = StateMachine::from_json(
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "ResultPath": "$.r", "End": true}}}"#,
        )
        .map_err(|e| e.to_string())?;
        let run = execute(
            &machine,
            serde_json::json!({}),
            &crate::test_support::EchoTasks,
            &ExecutionOptions::default(),
        )
        .await;
        let time_of = |wanted: EventType| {
            run.history
                .iter()
                .find(|e| e.event_type == wanted)
                .map(|e| e.timestamp)
                .ok_or(format!("no {wanted:?}"))
        };
        let succeeded = time_of(EventType::TaskSucceeded)?;
        assert_eq!(time_of(EventType::TaskStateExited)?, succeeded);
        assert!(time_of(EventType::TaskScheduled)? <= succeeded);
        // Nor between the start and the first state: it enters then.
        assert_eq!(time_of(EventType::TaskStateEntered)?, run.start_date);
        assert_eq!(time_of(EventType::ExecutionStarted)?, run.start_date);
        // Nothing is awaited after the last state: the execution stops then.
        assert_eq!(time_of(EventType::ExecutionSucceeded)?, succeeded);
        assert_eq!(run.stop_date, succeeded);
        Ok(())
    }

    #[test]
    fn status_serialises_with_aws_names() -> Result<(), serde_json::Error> {
        assert_eq!(
            serde_json::to_value(ExecutionStatus::TimedOut)?,
            "TIMED_OUT"
        );
        assert_eq!(
            serde_json::to_value(ExecutionStatus::Succeeded)?,
            "SUCCEEDED"
        );
        Ok(())
    }
}
