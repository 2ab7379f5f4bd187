//! One module per state type. Each runs one attempt of its state:
//! input processing, the action and output processing. Retry and Catch
//! are the executor's job.

mod choice;
mod fail;
mod map;
mod parallel;
mod pass;
mod succeed;
mod task;
mod wait;

use serde_json::Value;

use crate::definition::State;
use crate::errors::StatesError;
use crate::executor::{Attempt, Outcome, Runtime};
use crate::history::Cursor;

/// Whether `state` may return an outcome whose output is its input
/// ([`Outcome::next_with_input`], [`Outcome::follow_with_input`]): a
/// JSONPath Choice without `InputPath` and `OutputPath`, or a JSONPath Task
/// with `ResultPath: null` and no `OutputPath`.
pub(crate) fn passes_input_through(state: &State, jsonata: bool) -> bool {
    match state {
        State::Choice(choice) => !jsonata && choice::passes_input_through(choice),
        State::Task(task) => !jsonata && task::passes_input_through(task),
        _ => false,
    }
}

/// Whether `state` does its work without awaiting anything (Pass, Choice,
/// Succeed, Fail): it is done the moment its attempt begins.
pub(crate) fn never_waits(state: &State) -> bool {
    matches!(
        state,
        State::Pass(_) | State::Choice(_) | State::Succeed(_) | State::Fail(_)
    )
}

/// Run one attempt of `state` with its raw `input`.
pub(crate) async fn act<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    input: &Value,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    match state {
        State::Pass(pass) => pass::run(state, pass, input, attempt),
        State::Task(task) => task::run(rt, state, task, input, attempt, cursor).await,
        State::Choice(choice) => choice::run(choice, input, attempt),
        State::Wait(wait) => wait::run(rt, state, wait, input, attempt).await,
        State::Succeed(succeed) => succeed::run(succeed, input, attempt),
        State::Fail(fail) => Err(fail::run(fail, input, attempt)),
        State::Parallel(parallel) => {
            parallel::run(rt, state, parallel, input, attempt, cursor).await
        }
        State::Map(map) => map::run(rt, state, map, input, attempt, cursor).await,
    }
}
