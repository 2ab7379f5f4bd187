//! The run loop: for each state, input processing → action → output
//! processing, then Retry / Catch on failure. Transitions are a loop, not
//! recursion; only Parallel branches and Map iterations start nested loops,
//! through [`RunMachine`], which [`RunLoop`] implements.

pub(crate) mod attempt;
pub(crate) mod env;
pub(crate) mod io;
pub(crate) mod join;
pub(crate) mod query;
mod retry;
pub(crate) mod runtime;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::context::{LazyContext, StateInfo};
use crate::definition::{Machine, State};
use crate::errors::{MAX_PAYLOAD_BYTES, StatesError};
use crate::history::{self, Cursor, EventType, Fields, MAX_HISTORY_EVENTS, Name, Payload};
use crate::jsonata;
use crate::states;
use crate::value::{Arena, NodeId};
use attempt::{Attempt, Outcome};
use env::Variables;
use join::Branch;
use runtime::{LastExit, RunMachine, Runtime};

/// A run loop yields to the runtime after this many states.
const YIELD_EVERY_STATES: usize = 16;

/// The run loop, given to the states as their [`RunMachine`].
pub(crate) struct RunLoop;

impl RunMachine for RunLoop {
    fn run<'s>(
        &self,
        rt: &'s Runtime<'s>,
        machine: &'s Machine,
        (arena, input, began_at): (&'s mut Arena, NodeId, Option<DateTime<Utc>>),
        variables: Variables,
        cursor: &'s mut Cursor,
        last_exit: Option<&'s mut LastExit>,
    ) -> Branch<'s, Result<NodeId, StatesError>> {
        run_machine(
            rt,
            machine,
            arena,
            (input, None, began_at),
            variables,
            cursor,
            last_exit,
        )
    }
}

/// Run `machine` from its start state to its end on `input`, a value of
/// `arena`, with the input's payload for the history when the caller
/// already has it, and the time the run began when the first state enters
/// then (nothing awaited in between); `last_exit` receives the output's
/// payload (when the last state wrote one) and the time it exited.
pub(crate) fn run_machine<'s>(
    rt: &'s Runtime<'s>,
    machine: &'s Machine,
    arena: &'s mut Arena,
    (mut input, mut input_payload, began_at): (NodeId, Option<Payload>, Option<DateTime<Utc>>),
    mut variables: Variables,
    cursor: &'s mut Cursor,
    mut last_exit: Option<&'s mut LastExit>,
) -> join::Branch<'s, Result<NodeId, StatesError>> {
    // The future is boxed once per run (each Map iteration's): the
    // arguments are used in place, not moved to locals beside them,
    // which would make the box (and the copy into it) larger.
    Box::pin(async move {
        let mut steps = 0usize;
        let mut name: &str = &machine.start_at;
        // When the previous state exited: the next one enters at the same
        // time, as nothing is awaited in between.
        let mut exited_at = began_at;
        loop {
            if rt.history.len(cursor) >= MAX_HISTORY_EVENTS {
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
            let (outcome, payload, exited) = run_state(
                rt,
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
    rt: &Runtime<'_>,
    state_name: &Name,
    state: &'s State,
    (arena, input): (&mut Arena, NodeId),
    (input_payload, entered_at): (Option<Payload>, Option<DateTime<Utc>>),
    variables: &Variables,
    cursor: &mut Cursor,
) -> Result<(Outcome<'s>, Option<Payload>, Option<DateTime<Utc>>), StatesError> {
    // Events copy the name (an interned pointer); attempts borrow it.
    let name: &str = state_name;
    let input_payload = input_payload.unwrap_or_else(|| history::payload_of(cursor, arena, input));
    let jsonata = crate::definition::query_language::uses_jsonata(state, rt.default_jsonata);
    // `$$.State.EnteredTime` is the time of the StateEntered event.
    let entered_time = entered_at.unwrap_or_else(crate::clock::now);
    let entered_id = rt.record_at(
        cursor,
        state.entered_event(),
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
            context: LazyContext::new(rt.info, info),
            variables,
            jsonata,
        };
        let result = match states::act(rt, state, arena, input, &attempt, cursor).await {
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
                if let Some(exited) = state.exited_event() {
                    let details = Fields::StateExited {
                        name: state_name.clone(),
                        output: payload.clone(),
                        assigned: outcome.assigned.clone(),
                    };
                    rt.record_at(cursor, exited, details, exited_at);
                }
                return Ok((outcome, Some(payload), Some(exited_at)));
            }
            Err(error) => error.in_state(name, entered_id),
        };
        let delay = retries.next_delay(&error);
        if matches!(state, State::Task(_)) && error.from_task {
            record_task_failure(rt, cursor, &error, delay, retries.total());
        }
        if let Some(seconds) = delay {
            rt.sleep(seconds).await;
            continue;
        }
        if let Some(outcome) = catch(state, arena, input, &error, &attempt)? {
            // AWS closes a caught state with its Exited event too (carrying the Catch's Assign).
            if let Some(exited) = state.exited_event() {
                let details = Fields::StateExited {
                    name: state_name.clone(),
                    output: history::payload_of(cursor, arena, outcome.output),
                    assigned: outcome.assigned.clone(),
                };
                rt.record(cursor, exited, details);
            }
            return Ok((outcome, None, None));
        }
        return Err(error);
    }
}

fn record_task_failure(
    rt: &Runtime<'_>,
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
    rt.record(cursor, event_type, details);
}

/// Apply the first matching `Catch` rule, if any.
fn catch<'s>(
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
        let error_output = arena.import(&error_output);
        let states = jsonata::States {
            error_output: Some(error_output),
            ..attempt.ja_states_in(input)
        };
        let assigned = attempt.ja_assign(arena, catcher.assign.as_ref(), &states);
        let output = attempt.ja_output_in(arena, catcher.output.as_ref(), error_output, &states);
        (assigned, output)
    } else {
        let error_output = arena.import(&error_output);
        let env = &attempt.env();
        let assigned = io::assign(arena, catcher.assign.as_ref(), error_output, env);
        let path = catcher.result_path.as_ref();
        let output = io::apply_result_path(arena, path, input, error_output);
        (assigned, output)
    };
    let in_state = |e: StatesError| e.in_state(attempt.name, attempt.entered_id);
    let (assigned, output) = (assigned.map_err(in_state)?, output.map_err(in_state)?);
    Ok(Some(
        Outcome::next(&catcher.next, output).with_assigned(assigned),
    ))
}
