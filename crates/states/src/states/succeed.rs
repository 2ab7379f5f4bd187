//! `Succeed`: end the (sub-)machine successfully.

use crate::definition::SucceedState;
use crate::errors::StatesError;
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::io;
use crate::value::{Arena, NodeId};

pub(super) fn run(
    succeed: &SucceedState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> Result<Outcome<'static>, StatesError> {
    if attempt.jsonata {
        let states = attempt.ja_states_in(input);
        let output = succeed.common.output.as_ref();
        return Ok(Outcome::end(
            attempt.ja_output_in(arena, output, input, &states)?,
        ));
    }
    let ctx = &attempt.env();
    let effective = io::apply_input_path(arena, succeed.common.input_path.as_ref(), input, ctx)?;
    let output_path = succeed.common.output_path.as_ref();
    Ok(Outcome::end(io::apply_output_path(
        arena,
        output_path,
        effective,
        ctx,
    )?))
}

#[cfg(test)]
mod tests {
    use crate::test_support::run_ok;
    use serde_json::json;

    #[tokio::test]
    async fn succeed_applies_input_and_output_paths() -> Result<(), String> {
        let def = json!({"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}});
        assert_eq!(run_ok(def, json!({"a": {"b": 3}})).await?, json!(3));
        Ok(())
    }

    #[tokio::test]
    async fn jsonata_succeed_uses_its_output_template() -> Result<(), String> {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "S",
            "States": {"S": {"Type": "Succeed", "Output": {"n": "{% $states.input.n + 1 %}"}}}});
        assert_eq!(run_ok(def, json!({"n": 1})).await?, json!({"n": 2}));
        Ok(())
    }
}
