//! The run loop: for each state, input processing → action → output
//! processing, then Retry / Catch on failure. Transitions are a loop, not
//! recursion; only Parallel branches and Map iterations start nested loops.

pub(crate) mod env;
pub(crate) mod io;
pub(crate) mod io_arena;
pub(crate) mod join;
pub(crate) mod query;
mod retry;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::context::{ExecutionInfo, LazyContext, StateInfo};
use crate::definition::{Machine, State};
use crate::errors::{MAX_PAYLOAD_BYTES, StatesError};
use crate::execution::ExecutionOptions;
use crate::handler::TaskHandler;
use crate::history::{
    self, Cursor, Details, EventType, Fields, MAX_HISTORY_EVENTS, Name, Payload, Recorder,
};
use crate::jsonata;
use crate::states;
use crate::value::{Arena, NodeId};
use env::{Env, Variables};

/// A run loop yields to the runtime after this many states.
const YIELD_EVERY_STATES: usize = 16;

/// What one state decided. The output is a value of the execution's arena
/// (`O = NodeId`), or a `serde_json::Value` from the states that still work
/// on those (`docs/value-model.md`), which the executor copies in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome<'d, O = NodeId> {
    /// The next state (borrowed from the definition); `None` ends the (sub-)machine.
    pub(crate) next: Option<&'d str>,
    /// The state's output.
    pub(crate) output: O,
    /// Variables the state assigned (`Assign`); boxed, as most states assign
    /// none and the outcome is moved through the run loop.
    pub(crate) assigned: Option<Box<Variables>>,
    /// When the state's work finished (a Task's TaskSucceeded), which is
    /// also when it exits, as nothing is awaited in between.
    pub(crate) finished_at: Option<DateTime<Utc>>,
}

impl<'d, O> Outcome<'d, O> {
    /// Go to `next` with `output`.
    pub(crate) fn next(next: &'d str, output: O) -> Outcome<'d, O> {
        Outcome {
            next: Some(next),
            output,
            assigned: None,
            finished_at: None,
        }
    }

    /// End the (sub-)machine with `output`.
    pub(crate) fn end(output: O) -> Outcome<'d, O> {
        Outcome {
            next: None,
            output,
            assigned: None,
            finished_at: None,
        }
    }

    /// Follow the state's `Next` / `End` with `output`.
    pub(crate) fn follow(state: &'d State, output: O) -> Outcome<'d, O> {
        match &state.common().next {
            Some(next) => Outcome::next(next, output),
            None => Outcome::end(output),
        }
    }

    /// The state's work finished at `time`: it exits then too.
    pub(crate) fn finished_at(mut self, time: DateTime<Utc>) -> Outcome<'d, O> {
        self.finished_at = Some(time);
        self
    }

    /// Record the variables the state assigns.
    pub(crate) fn with_assigned(mut self, assigned: Option<Variables>) -> Outcome<'d, O> {
        self.assigned = assigned.map(Box::new);
        self
    }
}

impl<'d> Outcome<'d, Value> {
    /// The same outcome with its output copied into `arena`.
    pub(crate) fn into_arena(self, arena: &mut Arena) -> Outcome<'d> {
        Outcome {
            next: self.next,
            output: arena.import(&self.output),
            assigned: self.assigned,
            finished_at: self.finished_at,
        }
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
    /// Its output's payload for the history, when it exited normally.
    pub(crate) payload: Option<Payload>,
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

    /// Run a branch or item processor from its start state to the end, in
    /// an arena of its own (a branch runs apart from its parent, so it
    /// cannot borrow the parent's). Boxed (and explicitly `Send`) because
    /// Parallel and Map states call it again for their branches.
    pub(crate) fn run_machine<'s>(
        &'s self,
        machine: &'s Machine,
        input: Value,
        variables: Variables,
        cursor: &'s mut Cursor,
    ) -> join::Branch<'s, Result<Value, StatesError>> {
        Box::pin(async move {
            let mut arena = Arena::new();
            arena.set_limit(self.options.value_limit_bytes);
            let input = arena.import(&input);
            let output = self
                .run_machine_with_text(
                    machine,
                    &mut arena,
                    (input, None, None),
                    variables,
                    cursor,
                    None,
                )
                .await?;
            Ok(arena.get(output).to_value())
        })
    }

    /// [`Runtime::run_machine`] with the input's JSON text for the history
    /// when the caller already has it, and the time the run began when the
    /// first state enters then (nothing awaited in between); `last_exit`
    /// receives the output's text (when the last state wrote one) and the
    /// time it exited.
    pub(crate) fn run_machine_with_text<'s>(
        &'s self,
        machine: &'s Machine,
        arena: &'s mut Arena,
        (input, input_payload, began_at): (NodeId, Option<Payload>, Option<DateTime<Utc>>),
        variables: Variables,
        cursor: &'s mut Cursor,
        last_exit: Option<&'s mut LastExit>,
    ) -> join::Branch<'s, Result<NodeId, StatesError>> {
        Box::pin(async move {
            let mut input_payload = input_payload;
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
                let (outcome, payload, exited) = self
                    .run_state(
                        state_name,
                        state,
                        (&mut *arena, input),
                        (input_payload.take(), exited_at.take()),
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
                        input_payload = payload;
                    }
                    None => {
                        if let Some(slot) = last_exit.take() {
                            slot.payload = payload;
                            slot.at = exited_at;
                        }
                        return Ok(outcome.output);
                    }
                }
            }
        })
    }

    /// Enter a state, run it with Retry / Catch, and exit it. Returns the
    /// outcome and its output's payload for the history, when it exited
    /// normally.
    async fn run_state<'s>(
        &self,
        state_name: &Name,
        state: &'s State,
        (arena, input): (&mut Arena, NodeId),
        (input_payload, entered_at): (Option<Payload>, Option<DateTime<Utc>>),
        variables: &Variables,
        cursor: &mut Cursor,
    ) -> Result<(Outcome<'s>, Option<Payload>, Option<DateTime<Utc>>), StatesError> {
        // Events copy the name (an interned pointer); attempts borrow it.
        let name: &str = state_name;
        let type_name = state.type_name();
        let input_payload =
            input_payload.unwrap_or_else(|| history::payload_of(cursor, arena, input));
        let jsonata = crate::definition::query_language::uses_jsonata(state, self.default_jsonata);
        // `$$.State.EnteredTime` is the time of the StateEntered event.
        let entered_time = entered_at.unwrap_or_else(crate::clock::now);
        let entered_id = self.record_at(
            cursor,
            EventType::entered(type_name),
            Fields::StateEntered {
                name: state_name.clone(),
                input: input_payload.clone(),
            },
            entered_time,
        );
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
            let result = match states::act(self, state, arena, input, &attempt, cursor).await {
                // A state that made the execution's values pass their limit
                // fails it (States.Runtime: neither retried nor caught).
                Ok(_) if let Err(exceeded) = arena.check_limit() => {
                    Err(StatesError::runtime(exceeded.to_string()))
                }
                Ok(outcome) => {
                    // Values never change: an output that is the input has its payload.
                    let payload = if outcome.output == input {
                        input_payload.clone()
                    } else {
                        history::payload_of(cursor, arena, outcome.output)
                    };
                    if history::payload_exceeds(arena, &payload, MAX_PAYLOAD_BYTES) {
                        Err(StatesError::data_limit_exceeded(name))
                    } else {
                        Ok((outcome, payload))
                    }
                }
                Err(error) => Err(error),
            };
            let error = match result {
                Ok((outcome, payload)) => {
                    let exited_at = match outcome.finished_at {
                        Some(time) => time,
                        // Pass, Choice and Succeed exit when their attempt began.
                        None if states::never_waits(state) => started_at,
                        None => crate::clock::now(),
                    };
                    if let Some(exited) = EventType::exited(type_name) {
                        let details = Fields::StateExited {
                            name: state_name.clone(),
                            output: payload.clone(),
                            assigned: outcome.assigned.clone(),
                        };
                        self.record_at(cursor, exited, details, exited_at);
                    }
                    return Ok((outcome, Some(payload), Some(exited_at)));
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
            if let Some(outcome) = self.catch(state, arena, input, &error, &attempt)? {
                // AWS closes a caught state with its Exited event too (carrying the Catch's Assign).
                if let Some(exited) = EventType::exited(type_name) {
                    let details = Fields::StateExited {
                        name: state_name.clone(),
                        output: history::payload_of(cursor, arena, outcome.output),
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
        arena: &mut Arena,
        input: NodeId,
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
                ..attempt.ja_states(&arena.get(input).to_value())
            };
            let assigned = attempt.ja_assign(catcher.assign.as_deref(), &states);
            let output = attempt.ja_output(catcher.output.as_ref(), error_output, &states);
            (assigned, output.map(|output| arena.import(&output)))
        } else {
            let error_output = arena.import(&error_output);
            let env = &attempt.env();
            let assigned = io_arena::assign(arena, catcher.assign.as_ref(), error_output, env);
            let path = catcher.result_path.as_ref();
            let output = io_arena::apply_result_path(arena, path, input, error_output);
            (assigned, output)
        };
        let in_state = |e: StatesError| e.in_state(attempt.name, attempt.entered_id);
        let (assigned, output) = (assigned.map_err(in_state)?, output.map_err(in_state)?);
        Ok(Some(
            Outcome::next(&catcher.next, output).with_assigned(assigned),
        ))
    }
}
