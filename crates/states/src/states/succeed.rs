//! `Succeed`: end the (sub-)machine successfully.

use serde_json::Value;

use crate::definition::SucceedState;
use crate::errors::StatesError;
use crate::executor::io;
use crate::executor::{Attempt, Outcome};

pub(super) fn run(
    succeed: &SucceedState,
    input: &Value,
    attempt: &Attempt<'_>,
) -> Result<Outcome, StatesError> {
    if attempt.jsonata {
        let states = attempt.ja_states(input);
        return Ok(Outcome::end(attempt.ja_output(
            succeed.common.output.as_ref(),
            input.clone(),
            &states,
        )?));
    }
    let ctx = &attempt.env();
    let effective = io::apply_input_path(succeed.common.input_path.as_ref(), input, ctx)?;
    let output = io::apply_output_path(succeed.common.output_path.as_ref(), effective, ctx)?;
    Ok(Outcome::end(output))
}
