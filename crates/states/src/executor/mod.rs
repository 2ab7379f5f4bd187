//! The run loop: for each state, input processing → action → output
//! processing, then Retry / Catch on failure. Transitions are a loop, not
//! recursion; only Parallel branches and Map iterations start nested loops.

pub(crate) mod env;
pub(crate) mod io;
// Staged: tested against the serde_json path; the run loop uses it from
// step 3 of docs/value-model.md.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod io_arena;
pub(crate) mod join;
pub(crate) mod query;
mod retry;
mod text;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::context::{ExecutionInfo, LazyContext, StateInfo};
use crate::definition::{Machine, State};
use crate::errors::{MAX_PAYLOAD_BYTES, StatesError};
use crate::execution::ExecutionOptions;
use crate::handler::TaskHandler;
use crate::history::{
    self, Cursor, Details, EventType, Fields, MAX_HISTORY_EVENTS, Name, Recorder, Text,
};
use crate::jsonata;
use crate::states;
use env::{Env, Variables};

/// A run loop yields to the runtime after this many states.
const YIELD_EVERY_STATES: usize = 16;

/// What one state decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome<'d> {
    /// The next state (borrowed from the definition); `None` ends the (sub-)machine.
    pub(crate) next: Option<&'d str>,
    /// The state's output.
    pub(crate) output: Value,
    /// Variables the state assigned (`Assign`); boxed, as most states assign
    /// none and the outcome is moved through the run loop.
    pub(crate) assigned: Option<Box<Variables>>,
    /// The output is the state's input unchanged (`output` is `Null`; the
    /// executor moves the input in). Only for states that
    /// [`states::passes_input_through`].
    pub(crate) output_is_input: bool,
    /// `output` is the state's result, still to be written into its input at
    /// the state's `ResultPath` (a path) by the executor (which owns the
    /// input, and keeps it when the path cannot be written). Only for states
    /// that do not Catch `States.DataLimitExceeded`, as the input is gone
    /// once written.
    pub(crate) writes_result_path: bool,
    /// The JSON text of `output` when it goes to `result_path`, to write the
    /// state's output text from its input text without serialising it all.
    pub(crate) result_text: Option<Text>,
    /// When the state's work finished (a Task's TaskSucceeded), which is
    /// also when it exits, as nothing is awaited in between.
    pub(crate) finished_at: Option<DateTime<Utc>>,
}

impl<'d> Outcome<'d> {
    /// Go to `next` with `output`.
    pub(crate) fn next(next: &'d str, output: Value) -> Outcome<'d> {
        Outcome {
            next: Some(next),
            output,
            assigned: None,
            output_is_input: false,
            writes_result_path: false,
            result_text: None,
            finished_at: None,
        }
    }

    /// End the (sub-)machine with `output`.
    pub(crate) fn end(output: Value) -> Outcome<'d> {
        Outcome {
            next: None,
            output,
            assigned: None,
            output_is_input: false,
            writes_result_path: false,
            result_text: None,
            finished_at: None,
        }
    }

    /// Follow the state's `Next` / `End` with `output`.
    pub(crate) fn follow(state: &'d State, output: Value) -> Outcome<'d> {
        match &state.common().next {
            Some(next) => Outcome::next(next, output),
            None => Outcome::end(output),
        }
    }

    /// Go to `next` with the state's input as its output, moved in by the executor.
    pub(crate) fn next_with_input(next: &'d str) -> Outcome<'d> {
        Outcome {
            output_is_input: true,
            ..Outcome::next(next, Value::Null)
        }
    }

    /// Follow the state's `Next` / `End` with its input as its output,
    /// moved in by the executor.
    pub(crate) fn follow_with_input(state: &'d State) -> Outcome<'d> {
        Outcome {
            output_is_input: true,
            ..Outcome::follow(state, Value::Null)
        }
    }

    /// Write `output` (the result, whose JSON text is `text`) into the
    /// input at the state's `ResultPath` in the executor.
    pub(crate) fn with_result_path(mut self, text: Text) -> Outcome<'d> {
        self.writes_result_path = true;
        self.result_text = Some(text);
        self
    }

    /// The state's work finished at `time`: it exits then too.
    pub(crate) fn finished_at(mut self, time: DateTime<Utc>) -> Outcome<'d> {
        self.finished_at = Some(time);
        self
    }

    /// Record the variables the state assigns.
    pub(crate) fn with_assigned(mut self, assigned: Option<Variables>) -> Outcome<'d> {
        self.assigned = assigned.map(Box::new);
        self
    }
}

/// Everything a state's action may need about the current attempt.
#[derive(Debug, Clone)]
pub(crate) struct Attempt<'a> {
    /// The state's name, shared with the definition and the history.
    pub(crate) name: &'a Name,
    pub(crate) entered_id: u64,
    /// When this attempt began: the state's entered time on the first
    /// attempt, the time the retry began on later ones.
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) retry_count: u32,
    /// The context object `$$` for this attempt, built when first read.
    pub(crate) context: LazyContext<'a>,
    /// The variables in scope.
    pub(crate) variables: &'a Variables,
    /// Whether the state uses JSONata (its own `QueryLanguage`, else the machine's).
    pub(crate) jsonata: bool,
}

impl Attempt<'_> {
    /// What paths may read besides the input.
    pub(crate) fn env(&self) -> Env<'_> {
        Env {
            context: &self.context,
            variables: self.variables,
        }
    }
}

/// The last state of a run, as [`Runtime::run_machine_with_text`] reports it.
#[derive(Debug, Default)]
pub(crate) struct LastExit {
    /// Its output's JSON text, when it wrote one.
    pub(crate) text: Option<Text>,
    /// When it exited.
    pub(crate) at: Option<DateTime<Utc>>,
}

/// Shared services of one execution.
pub(crate) struct Runtime<'a> {
    pub(crate) tasks: &'a dyn TaskHandler,
    pub(crate) options: &'a ExecutionOptions,
    pub(crate) history: &'a Recorder,
    pub(crate) info: &'a ExecutionInfo<'a>,
    /// Whether states without their own `QueryLanguage` use JSONata.
    pub(crate) default_jsonata: bool,
}

impl<'a> Runtime<'a> {
    pub(crate) fn new(
        tasks: &'a dyn TaskHandler,
        options: &'a ExecutionOptions,
        history: &'a Recorder,
        info: &'a ExecutionInfo<'a>,
    ) -> Self {
        Runtime {
            tasks,
            options,
            history,
            info,
            default_jsonata: false,
        }
    }

    /// Record an event after `cursor`.
    pub(crate) fn record(
        &self,
        cursor: &mut Cursor,
        event_type: EventType,
        details: impl Into<Details>,
    ) -> u64 {
        self.history.record(cursor, event_type, details)
    }

    /// Record an event after `cursor` at `timestamp`.
    pub(crate) fn record_at(
        &self,
        cursor: &mut Cursor,
        event_type: EventType,
        details: impl Into<Details>,
        timestamp: DateTime<Utc>,
    ) -> u64 {
        self.history
            .record_at(cursor, event_type, details, timestamp)
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
        variables: Variables,
        cursor: &'s mut Cursor,
    ) -> join::Branch<'s, Result<Value, StatesError>> {
        self.run_machine_with_text(machine, (input, None, None), variables, cursor, None)
    }

    /// [`Runtime::run_machine`] with the input's JSON text for the history
    /// when the caller already has it, and the time the run began when the
    /// first state enters then (nothing awaited in between); `last_exit`
    /// receives the output's text (when the last state wrote one) and the
    /// time it exited.
    pub(crate) fn run_machine_with_text<'s>(
        &'s self,
        machine: &'s Machine,
        (input, input_text, began_at): (Value, Option<Text>, Option<DateTime<Utc>>),
        variables: Variables,
        cursor: &'s mut Cursor,
        last_exit: Option<&'s mut LastExit>,
    ) -> join::Branch<'s, Result<Value, StatesError>> {
        Box::pin(async move {
            let mut input_text = input_text;
            let mut last_exit = last_exit;
            let mut variables = variables;
            let mut steps = 0usize;
            let mut name: &str = &machine.start_at;
            let mut input = input;
            // When the previous state exited: the next one enters at the same
            // time, as nothing is awaited in between.
            let mut exited_at = began_at;
            loop {
                if self.history.len(cursor) >= MAX_HISTORY_EVENTS {
                    return Err(StatesError::runtime(format!(
                        "The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
                    )));
                }
                // States that never suspend (Pass, Choice) must not starve the
                // runtime, or the execution's own time limit could never fire.
                steps += 1;
                if steps.is_multiple_of(YIELD_EVERY_STATES) {
                    tokio::task::yield_now().await;
                    exited_at = None;
                }
                let Some((state_name, state)) = machine.states.entry(name) else {
                    return Err(StatesError::runtime(format!(
                        "State '{name}' does not exist"
                    )));
                };
                let (outcome, text, exited) = self
                    .run_state(
                        state_name,
                        state,
                        input,
                        (input_text.take(), exited_at.take()),
                        &variables,
                        cursor,
                    )
                    .await?;
                exited_at = exited;
                if let Some(assigned) = outcome.assigned {
                    variables.extend(*assigned);
                }
                match outcome.next {
                    Some(next) => {
                        name = next;
                        input = outcome.output;
                        input_text = text;
                    }
                    None => {
                        if let Some(slot) = last_exit.take() {
                            slot.text = text;
                            slot.at = exited_at;
                        }
                        return Ok(outcome.output);
                    }
                }
            }
        })
    }

    /// Enter a state, run it with Retry / Catch, and exit it. Returns the
    /// outcome and its output's JSON text, when it was written for the history.
    async fn run_state<'s>(
        &self,
        state_name: &Name,
        state: &'s State,
        mut input: Value,
        (input_text, entered_at): (Option<Text>, Option<DateTime<Utc>>),
        variables: &Variables,
        cursor: &mut Cursor,
    ) -> Result<(Outcome<'s>, Option<Text>, Option<DateTime<Utc>>), StatesError> {
        // Events copy the name (an interned pointer); attempts borrow it.
        let name: &str = state_name;
        let type_name = state.type_name();
        let input_text = input_text.unwrap_or_else(|| history::payload_text(&input));
        let jsonata = crate::definition::query_language::uses_jsonata(state, self.default_jsonata);
        // States whose output is their input keep its text for their output.
        let passes_input = states::passes_input_through(state, jsonata);
        // `$$.State.EnteredTime` is the time of the StateEntered event.
        let entered_time = entered_at.unwrap_or_else(crate::clock::now);
        let entered_id = self.record_at(
            cursor,
            EventType::entered(type_name),
            Fields::StateEntered {
                name: state_name.clone(),
                input: input_text.clone(),
            },
            entered_time,
        );
        // The input's text: a Task's output text is spliced from it, and a
        // state that passes its input through takes it as its output's.
        let mut entered_text = Some(input_text);
        let mut retries = retry::RetryState::new(state);
        loop {
            let info = StateInfo {
                name,
                entered_time,
                retry_count: retries.total(),
            };
            // Nothing is awaited between entering and the first attempt.
            let started_at = if retries.total() == 0 {
                entered_time
            } else {
                crate::clock::now()
            };
            let attempt = Attempt {
                name: state_name,
                entered_id,
                started_at,
                retry_count: retries.total(),
                context: LazyContext::new(self.info, info),
                variables,
                jsonata,
            };
            let result = match states::act(self, state, &input, &attempt, cursor).await {
                Ok(mut outcome) => 'ok: {
                    let mut spliced = None;
                    if std::mem::take(&mut outcome.writes_result_path) {
                        let Some(target) = state.results().and_then(|r| r.result_target()) else {
                            break 'ok Err(StatesError::runtime(format!(
                                "State '{name}' has no ResultPath to write its result at"
                            )));
                        };
                        let fields_before = input.as_object().map(serde_json::Map::len);
                        let result = std::mem::take(&mut outcome.output);
                        match io::result_into_input(target, std::mem::take(&mut input), result) {
                            Ok(output) => {
                                spliced = outcome.result_text.take().and_then(|result| {
                                    text::with_new_field(
                                        entered_text.as_deref()?,
                                        fields_before,
                                        target.field_prefix.as_deref(),
                                        &result,
                                        &output,
                                    )
                                });
                                outcome.output = output;
                            }
                            Err(failed) => {
                                let (error, back) = *failed;
                                input = back;
                                break 'ok Err(error);
                            }
                        }
                    }
                    let text: Text = if let Some(text) = spliced {
                        text
                    } else if outcome.output_is_input {
                        outcome.output = std::mem::take(&mut input);
                        outcome.output_is_input = false;
                        match entered_text.take().filter(|_| passes_input) {
                            Some(text) => text,
                            None => history::payload_text(&outcome.output),
                        }
                    } else {
                        history::payload_text(&outcome.output)
                    };
                    if text.len() > MAX_PAYLOAD_BYTES {
                        Err(StatesError::data_limit_exceeded(name))
                    } else {
                        Ok((outcome, text))
                    }
                }
                Err(error) => Err(error),
            };
            let error = match result {
                Ok((outcome, text)) => {
                    let exited_at = match outcome.finished_at {
                        Some(time) => time,
                        // Pass, Choice and Succeed exit when their attempt began.
                        None if states::never_waits(state) => started_at,
                        None => crate::clock::now(),
                    };
                    if let Some(exited) = EventType::exited(type_name) {
                        let details = Fields::StateExited {
                            name: state_name.clone(),
                            output: text.clone(),
                            assigned: outcome.assigned.clone(),
                        };
                        self.record_at(cursor, exited, details, exited_at);
                    }
                    return Ok((outcome, Some(text), Some(exited_at)));
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
                // AWS closes a caught state with its Exited event too (carrying the Catch's Assign).
                if let Some(exited) = EventType::exited(type_name) {
                    let details = Fields::StateExited {
                        name: state_name.clone(),
                        output: history::payload_text(&outcome.output),
                        assigned: outcome.assigned.clone(),
                    };
                    self.record(cursor, exited, details);
                }
                return Ok((outcome, None, None));
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
    fn catch<'s>(
        &self,
        state: &'s State,
        input: &Value,
        error: &StatesError,
        attempt: &Attempt<'_>,
    ) -> Result<Option<Outcome<'s>>, StatesError> {
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
        let error_output = error.to_error_output();
        let (assigned, output) = if attempt.jsonata {
            let states = jsonata::States {
                error_output: Some(error_output.clone()),
                ..attempt.ja_states(input)
            };
            let assigned = attempt.ja_assign(catcher.assign.as_deref(), &states);
            (
                assigned,
                attempt.ja_output(catcher.output.as_ref(), error_output, &states),
            )
        } else {
            let assigned = io::assign(catcher.assign.as_ref(), &error_output, &attempt.env());
            (
                assigned,
                io::apply_result_path(catcher.result_path.as_ref(), input.clone(), error_output),
            )
        };
        let in_state = |e: StatesError| e.in_state(attempt.name, attempt.entered_id);
        let (assigned, output) = (assigned.map_err(in_state)?, output.map_err(in_state)?);
        Ok(Some(
            Outcome::next(&catcher.next, output).with_assigned(assigned),
        ))
    }
}
