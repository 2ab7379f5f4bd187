//! The run loop: for each state, input processing → action → output
//! processing, then Retry / Catch on failure. Transitions are a loop, not
//! recursion; only Parallel branches and Map iterations start nested loops.

pub(crate) mod io;
pub(crate) mod join;
mod retry;

use chrono::Utc;
use serde_json::{Value, json};

use crate::context::{ExecutionInfo, StateInfo, context_object};
use crate::definition::{Machine, State};
use crate::errors::{MAX_PAYLOAD_BYTES, StatesError};
use crate::execution::ExecutionOptions;
use crate::handler::TaskHandler;
use crate::history::{self, Cursor, EventType, Recorder};
use crate::states;

/// What one state decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Go to the named state with this input.
    Next(String, Value),
    /// The (sub-)machine ends with this output.
    End(Value),
}

impl Outcome {
    /// Follow the state's `Next` / `End` with `output`.
    pub(crate) fn follow(state: &State, output: Value) -> Outcome {
        match &state.common().next {
            Some(next) => Outcome::Next(next.clone(), output),
            None => Outcome::End(output),
        }
    }
}

/// Everything a state's action may need about the current attempt.
#[derive(Debug, Clone)]
pub(crate) struct Attempt<'a> {
    pub(crate) name: &'a str,
    pub(crate) entered_id: u64,
    pub(crate) retry_count: u32,
    /// The context object `$$` for this attempt.
    pub(crate) context: Value,
}

/// Shared services of one execution.
pub(crate) struct Runtime<'a> {
    pub(crate) tasks: &'a dyn TaskHandler,
    pub(crate) options: &'a ExecutionOptions,
    pub(crate) history: &'a Recorder,
    pub(crate) info: ExecutionInfo,
}

impl<'a> Runtime<'a> {
    pub(crate) fn new(
        tasks: &'a dyn TaskHandler,
        options: &'a ExecutionOptions,
        history: &'a Recorder,
        info: ExecutionInfo,
    ) -> Self {
        Runtime {
            tasks,
            options,
            history,
            info,
        }
    }

    /// Record an event after `cursor`.
    pub(crate) fn record(&self, cursor: &mut Cursor, event_type: EventType, details: Value) -> u64 {
        self.history.record(cursor, event_type, details)
    }

    /// Wait `seconds` of specification time (scaled; no wait at scale 0).
    pub(crate) async fn sleep(&self, seconds: f64) {
        if let Some(duration) = self.options.scaled(seconds) {
            tokio::time::sleep(duration).await;
        }
    }

    /// Run a machine (or branch, or item processor) from its start state to
    /// the end. Boxed (and explicitly `Send`) because Parallel and Map states
    /// call it again for their branches.
    pub(crate) fn run_machine<'s>(
        &'s self,
        machine: &'s Machine,
        input: Value,
        cursor: &'s mut Cursor,
    ) -> join::Branch<'s, Result<Value, StatesError>> {
        Box::pin(async move {
            states::unsupported::check_machine(machine)?;
            let mut name = machine.start_at.clone();
            let mut input = input;
            loop {
                let Some(state) = machine.states.get(&name) else {
                    return Err(StatesError::runtime(format!(
                        "State '{name}' does not exist"
                    )));
                };
                match self.run_state(&name, state, input, cursor).await? {
                    Outcome::Next(next, output) => {
                        name = next;
                        input = output;
                    }
                    Outcome::End(output) => return Ok(output),
                }
            }
        })
    }

    /// Enter a state, run it with Retry / Catch, and exit it.
    async fn run_state(
        &self,
        name: &str,
        state: &State,
        input: Value,
        cursor: &mut Cursor,
    ) -> Result<Outcome, StatesError> {
        let type_name = state.type_name();
        let entered_id = self.record(
            cursor,
            EventType::entered(type_name),
            history::state_entered(name, &input),
        );
        let entered_time = Utc::now();
        let mut retries = retry::RetryState::new(state);
        loop {
            let info = StateInfo {
                name,
                entered_time,
                retry_count: retries.total(),
            };
            let attempt = Attempt {
                name,
                entered_id,
                retry_count: retries.total(),
                context: context_object(&self.info, &info),
            };
            let result = states::act(self, state, &input, &attempt, cursor)
                .await
                .and_then(|outcome| match &outcome {
                    Outcome::Next(_, v) | Outcome::End(v) if json_len(v) > MAX_PAYLOAD_BYTES => {
                        Err(StatesError::data_limit_exceeded(name))
                    }
                    _ => Ok(outcome),
                });
            let error = match result {
                Ok(outcome) => {
                    if let Some(exited) = EventType::exited(type_name) {
                        let output = match &outcome {
                            Outcome::Next(_, v) | Outcome::End(v) => v,
                        };
                        self.record(cursor, exited, history::state_exited(name, output));
                    }
                    return Ok(outcome);
                }
                Err(error) => error.in_state(name, entered_id),
            };
            let delay = retries.next_delay(&error);
            if matches!(state, State::Task(_)) && error.from_task {
                self.record_task_failure(cursor, &error, delay, retries.total());
            }
            if let Some(seconds) = delay {
                self.sleep(seconds).await;
                continue;
            }
            if let Some(outcome) = self.catch(state, &input, &error, &attempt)? {
                return Ok(outcome);
            }
            return Err(error);
        }
    }

    fn record_task_failure(
        &self,
        cursor: &mut Cursor,
        error: &StatesError,
        delay: Option<f64>,
        retry_count: u32,
    ) {
        let timed_out = error.error == crate::errors::STATES_TIMEOUT;
        let (event_type, key) = if timed_out {
            (EventType::TaskTimedOut, "taskTimedOutEventDetails")
        } else {
            (EventType::TaskFailed, "taskFailedEventDetails")
        };
        let mut details = history::failure(key, &error.error, error.cause.as_deref());
        if let (Some(seconds), Some(inner)) =
            (delay, details.get_mut(key).and_then(Value::as_object_mut))
        {
            inner.insert("retryBackoffIntervalSeconds".into(), json!(seconds));
            inner.insert("retryAttempt".into(), json!(retry_count));
        }
        self.record(cursor, event_type, details);
    }

    /// Apply the first matching `Catch` rule, if any.
    fn catch(
        &self,
        state: &State,
        input: &Value,
        error: &StatesError,
        attempt: &Attempt<'_>,
    ) -> Result<Option<Outcome>, StatesError> {
        if !error.catchable {
            return Ok(None);
        }
        let Some(handling) = state.error_handling() else {
            return Ok(None);
        };
        let Some(catcher) = handling
            .catch
            .iter()
            .find(|c| c.error_equals.iter().any(|e| error.matches(e)))
        else {
            return Ok(None);
        };
        let output = io::apply_result_path(
            catcher.result_path.as_ref(),
            input.clone(),
            error.to_error_output(),
        )
        .map_err(|e| e.in_state(attempt.name, attempt.entered_id))?;
        Ok(Some(Outcome::Next(catcher.next.clone(), output)))
    }
}

/// Length of `value` as compact JSON text, without building the text.
fn json_len(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}
