//! `Fail`: stop with an error name and cause, from literals or paths.

use serde_json::Value;

use crate::definition::FailState;
use crate::errors::StatesError;
use crate::executor::attempt::Attempt;
use crate::executor::env::Env;
use crate::executor::io;
use crate::jsonata::JsonataTemplate;
use crate::value::{Arena, NodeId};

/// The error a Fail state raises (every problem computing it is itself an error).
pub(super) fn run(
    fail: &FailState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> StatesError {
    if attempt.jsonata {
        return jsonata_error(fail, arena, input, attempt);
    }
    let ctx = &attempt.env();
    let error_path = fail.error_path.as_deref();
    let error = match text_field(fail.error.as_deref(), error_path, (arena, input), ctx) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let cause_path = fail.cause_path.as_deref();
    let cause = match text_field(fail.cause.as_deref(), cause_path, (arena, input), ctx) {
        Ok(v) => v,
        Err(e) => return e,
    };
    StatesError {
        error: error.unwrap_or_default(),
        ..StatesError::new("", cause)
    }
}

/// Fail in a JSONata state: `Error` and `Cause` may be `{% %}` expressions.
fn jsonata_error(
    fail: &FailState,
    arena: &Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> StatesError {
    let states = attempt.ja_states_in(input);
    let text =
        |field: Option<&JsonataTemplate>, name: &str| -> Result<Option<String>, StatesError> {
            field
                .map(|v| match attempt.ja_compiled(arena, v, name, &states)? {
                    Value::String(s) => Ok(s),
                    other => Ok(other.to_string()),
                })
                .transpose()
        };
    match (
        text(fail.error.as_ref(), "Error"),
        text(fail.cause.as_ref(), "Cause"),
    ) {
        (Ok(error), Ok(cause)) => StatesError {
            error: error.unwrap_or_default(),
            ..StatesError::new("", cause)
        },
        (Err(e), _) | (_, Err(e)) => e,
    }
}

fn text_field(
    literal: Option<&Value>,
    path: Option<&str>,
    (arena, input): (&mut Arena, NodeId),
    ctx: &Env<'_>,
) -> Result<Option<String>, StatesError> {
    if let Some(path) = path {
        let found = if path.starts_with("States.") {
            io::intrinsic(arena, path, input, ctx)?
        } else {
            io::read(arena, path, input, ctx)?
        };
        let value = arena.get(found);
        return match value.as_str() {
            Some(text) => Ok(Some(text.to_string())),
            None => Err(StatesError::runtime(format!(
                "The path '{path}' must reference a string value, but referenced {value}"
            ))),
        };
    }
    Ok(literal.map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use crate::test_support::run;
    use serde_json::json;

    #[tokio::test]
    async fn literal_error_and_cause_end_the_execution() -> Result<(), String> {
        let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "why"}}});
        let execution = run(def, json!({})).await?;
        assert_eq!(
            (execution.error.as_deref(), execution.cause.as_deref()),
            (Some("E"), Some("why"))
        );
        Ok(())
    }

    #[tokio::test]
    async fn paths_and_intrinsics_build_error_and_cause() -> Result<(), String> {
        let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e",
            "CausePath": "States.Format('{} failed', $.who)"}}});
        let execution = run(def, json!({"e": "Boom", "who": "send"})).await?;
        assert_eq!(
            (execution.error.as_deref(), execution.cause.as_deref()),
            (Some("Boom"), Some("send failed"))
        );
        Ok(())
    }

    // Kept: a Fail state without `Error` fails with no error name and no
    // cause, as the AWS-recorded corpus case fail/fail_empty shows
    // (`"error": null, "cause": null`), where aws-local-stepfunctions names
    // it `FailStateError` (src/error/FailStateError.ts).
    #[tokio::test]
    async fn an_empty_fail_reports_no_error_and_no_cause() -> Result<(), String> {
        let execution = run(
            json!({"StartAt": "F", "States": {"F": {"Type": "Fail"}}}),
            json!({}),
        )
        .await?;
        assert_eq!((execution.error, execution.cause), (None, None));
        Ok(())
    }

    #[tokio::test]
    async fn a_non_string_error_path_is_a_runtime_error() -> Result<(), String> {
        let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e"}}});
        let execution = run(def, json!({"e": 5})).await?;
        assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
        Ok(())
    }
}
