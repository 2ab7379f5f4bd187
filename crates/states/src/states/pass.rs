//! `Pass`: pass the input (or `Result`, or `Parameters`) to the output.

use crate::definition::{PassState, State};
use crate::errors::StatesError;
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::io;
use crate::value::{Arena, NodeId};

pub(super) fn run<'d>(
    state: &'d State,
    pass: &PassState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> Result<Outcome<'d>, StatesError> {
    if attempt.jsonata {
        let states = attempt.ja_states_in(input);
        let assigned = attempt.ja_assign(arena, pass.common.assign.as_ref(), &states)?;
        let output = attempt.ja_output_in(arena, pass.common.output.as_ref(), input, &states)?;
        return Ok(Outcome::follow(state, output).with_assigned(assigned));
    }
    let ctx = &attempt.env();
    let effective = io::apply_input_path(arena, pass.common.input_path.as_ref(), input, ctx)?;
    let effective = match &pass.results.parameters {
        Some(template) => io::payload_template(arena, template, effective, ctx)?,
        None => effective,
    };
    let result = match &pass.result {
        Some(result) => arena.import(result),
        None => effective,
    };
    let assigned = io::assign(arena, pass.common.assign.as_ref(), result, ctx)?;
    let output = io::apply_state_result_path(arena, &pass.results, input, result)?;
    let output = io::apply_output_path(arena, pass.common.output_path.as_ref(), output, ctx)?;
    Ok(Outcome::follow(state, output).with_assigned(assigned))
}

#[cfg(test)]
mod tests {
    use crate::test_support::run_ok;
    use serde_json::json;

    #[tokio::test]
    async fn result_is_written_at_result_path() -> Result<(), String> {
        let out = run_ok(
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.res", "End": true}}}),
            json!({"a": 0}),
        )
        .await?;
        assert_eq!(out, json!({"a": 0, "res": {"r": 1}}));
        Ok(())
    }

    #[tokio::test]
    async fn parameters_build_the_result_from_input_and_context() -> Result<(), String> {
        let out = run_ok(
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.in",
                "Parameters": {"v.$": "$.v", "name.$": "$$.State.Name"}, "OutputPath": "$", "End": true}}}),
            json!({"in": {"v": 7}}),
        )
        .await?;
        assert_eq!(out, json!({"v": 7, "name": "P"}));
        Ok(())
    }
}
