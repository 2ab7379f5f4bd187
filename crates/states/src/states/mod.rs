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

use crate::definition::State;
use crate::errors::StatesError;
use crate::executor::{Attempt, Outcome, Runtime};
use crate::history::Cursor;
use crate::value::{Arena, NodeId};

/// Whether `state` does its work without awaiting anything (Pass, Choice,
/// Succeed, Fail): it is done the moment its attempt begins.
pub(crate) fn never_waits(state: &State) -> bool {
    matches!(
        state,
        State::Pass(_) | State::Choice(_) | State::Succeed(_) | State::Fail(_)
    )
}

/// Run one attempt of `state` with its raw `input`, a value of `arena`.
///
/// Pass, Task and Choice work on the arena. The other states still work on
/// `serde_json::Value` (`docs/value-model.md`): their input is converted
/// for them and their output copied back.
pub(crate) async fn act<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    match state {
        State::Pass(pass) => pass::run(state, pass, arena, input, attempt),
        State::Task(task) => task::run(rt, state, task, arena, input, attempt, cursor).await,
        State::Choice(choice) => choice::run(choice, arena, input, attempt),
        State::Wait(wait) => {
            let input = arena.get(input).to_value();
            let outcome = wait::run(rt, state, wait, &input, attempt).await?;
            Ok(outcome.into_arena(arena))
        }
        State::Succeed(succeed) => {
            let input = arena.get(input).to_value();
            Ok(succeed::run(succeed, &input, attempt)?.into_arena(arena))
        }
        State::Fail(fail) => Err(fail::run(fail, &arena.get(input).to_value(), attempt)),
        State::Parallel(parallel) => {
            let input = arena.get(input).to_value();
            let outcome = parallel::run(rt, state, parallel, &input, attempt, cursor).await?;
            Ok(outcome.into_arena(arena))
        }
        State::Map(map) => {
            let input = arena.get(input).to_value();
            let outcome = map::run(rt, state, map, &input, attempt, cursor).await?;
            Ok(outcome.into_arena(arena))
        }
    }
}
