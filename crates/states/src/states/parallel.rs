//! `Parallel`: run every branch on the same input; the result is the array
//! of branch outputs, in branch order. The first branch failure fails the
//! state and cancels the other branches.

use serde_json::json;

use crate::definition::{ParallelState, State};
use crate::errors::StatesError;
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::env::branch_variables;
use crate::executor::io;
use crate::executor::join::{Branch, try_join_all};
use crate::executor::runtime::Runtime;
use crate::history::{self, Cursor, EventType};
use crate::value::{Arena, NodeId};

/// A branch's run: its arena, its output there, and its history cursor.
type Joined<'a> = Branch<'a, Result<(Arena, NodeId, Cursor), StatesError>>;

pub(super) async fn run<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    parallel: &ParallelState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    let ctx = &attempt.env();
    let states = attempt.jsonata.then(|| attempt.ja_states_in(input));
    let effective = match &states {
        Some(states) => match &parallel.common.arguments {
            Some(template) => attempt.ja_compiled_in(arena, template, "Arguments", states)?,
            None => input,
        },
        None => {
            let input_path = parallel.common.input_path.as_ref();
            let effective = io::apply_input_path(arena, input_path, input, ctx)?;
            match &parallel.results.parameters {
                Some(template) => io::payload_template(arena, template, effective, ctx)?,
                None => effective,
            }
        }
    };
    rt.record(cursor, EventType::ParallelStateStarted, json!({}));
    let start = cursor.last;
    rt.history.fork(cursor);
    // Each branch runs in an arena of its own, on a copy of the input.
    let branches: Vec<Joined<'_>> = parallel
        .branches
        .iter()
        .map(|branch| -> Joined<'_> {
            let mut own = rt.branch_arena();
            let branch_input = own.copy_from(arena, effective);
            let variables = attempt.variables;
            Box::pin(async move {
                let mut branch_cursor = Cursor::branch(start);
                let output = rt
                    .run_branch(
                        branch,
                        (&mut own, branch_input, None),
                        branch_variables(variables),
                        &mut branch_cursor,
                        None,
                    )
                    .await?;
                Ok((own, output, branch_cursor))
            })
        })
        .collect();
    let joined = try_join_all(branches).await;
    rt.history.join(cursor);
    let outputs = match joined {
        Ok(outputs) => outputs,
        Err(error) => {
            let details = history::failure(
                "parallelStateFailedEventDetails",
                &error.error,
                error.cause.as_deref(),
            );
            rt.record(cursor, EventType::ParallelStateFailed, details);
            return Err(error);
        }
    };
    if let Some(last) = outputs.iter().map(|(_, _, c)| c.last).max() {
        cursor.last = last;
    }
    rt.record(cursor, EventType::ParallelStateSucceeded, json!({}));
    let mark = arena.begin_array();
    for (own, output, _) in &outputs {
        let copied = arena.copy_from(own, *output);
        arena.push_item(copied);
    }
    let result = arena.finish_array(mark);
    drop(outputs);
    if let Some(states) = states {
        let states = attempt.ja_with_result(states, result);
        let assigned = attempt.ja_assign(arena, parallel.common.assign.as_ref(), &states)?;
        let output =
            attempt.ja_output_in(arena, parallel.common.output.as_ref(), result, &states)?;
        return Ok(Outcome::follow(state, output).with_assigned(assigned));
    }
    let result = match &parallel.results.result_selector {
        Some(selector) => io::payload_template(arena, selector, result, ctx)?,
        None => result,
    };
    let assigned = io::assign(arena, parallel.common.assign.as_ref(), result, ctx)?;
    let output = io::apply_state_result_path(arena, &parallel.results, input, result)?;
    let output = io::apply_output_path(arena, parallel.common.output_path.as_ref(), output, ctx)?;
    Ok(Outcome::follow(state, output).with_assigned(assigned))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{run, run_ok};
    use serde_json::json;

    #[tokio::test]
    async fn branches_run_on_the_same_input_and_results_keep_branch_order() -> Result<(), String> {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "echo", "End": true}}}
        ]}}});
        assert_eq!(run_ok(def, json!({"x": 1})).await?, json!(["a", {"x": 1}]));
        Ok(())
    }

    #[tokio::test]
    async fn a_failing_branch_fails_the_state_with_its_error() -> Result<(), String> {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom"}}}
        ]}}});
        let execution = run(def, json!({})).await?;
        assert_eq!(execution.error.as_deref(), Some("Boom"));
        Ok(())
    }
}
