//! `Pass`: pass the input (or `Result`, or `Parameters`) to the output.

use std::borrow::Cow;

use serde_json::Value;

use crate::definition::{PassState, State};
use crate::errors::StatesError;
use crate::executor::io;
use crate::executor::{Attempt, Outcome};

pub(super) fn run<'d>(
    state: &'d State,
    pass: &PassState,
    input: &Value,
    attempt: &Attempt<'_>,
) -> Result<Outcome<'d>, StatesError> {
    if attempt.jsonata {
        let states = attempt.ja_states(input);
        let assigned = attempt.ja_assign(pass.common.assign.as_deref(), &states)?;
        let output = attempt.ja_output(pass.common.output.as_ref(), input.clone(), &states)?;
        return Ok(Outcome::follow(state, output).with_assigned(assigned));
    }
    let ctx = &attempt.env();
    let effective = io::input_path_view(pass.common.input_path.as_ref(), input, ctx)?;
    let effective = match &pass.results.parameters {
        Some(template) => Cow::Owned(io::payload_template(template, &effective, ctx)?),
        None => effective,
    };
    let result = match &pass.result {
        Some(result) => result.clone(),
        None => effective.into_owned(),
    };
    let assigned = io::assign(pass.common.assign.as_ref(), &result, ctx)?;
    let output = io::apply_result_path(pass.results.result_path.as_ref(), input.clone(), result)?;
    let output = io::apply_output_path(pass.common.output_path.as_ref(), output, ctx)?;
    Ok(Outcome::follow(state, output).with_assigned(assigned))
}

#[cfg(test)]
mod tests {
    use crate::tests_support::run_ok;
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
