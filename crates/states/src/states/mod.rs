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
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::runtime::Runtime;
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
        State::Wait(wait) => wait::run(rt, state, wait, arena, input, attempt).await,
        State::Succeed(succeed) => succeed::run(succeed, arena, input, attempt),
        State::Fail(fail) => Err(fail::run(fail, arena, input, attempt)),
        // Boxed: their futures are the largest, and inline they would make
        // this one, and so every state's run in the loop, as large.
        State::Parallel(parallel) => {
            Box::pin(parallel::run(
                rt, state, parallel, arena, input, attempt, cursor,
            ))
            .await
        }
        State::Map(map) => Box::pin(map::run(rt, state, map, arena, input, attempt, cursor)).await,
    }
}
