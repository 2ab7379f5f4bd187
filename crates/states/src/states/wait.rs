//! `Wait`: delay for `Seconds` / `SecondsPath` or until `Timestamp` / `TimestampPath`.

use super::choice::parse_timestamp;
use crate::definition::{State, WaitState};
use crate::errors::{STATES_QUERY_EVALUATION_ERROR, StatesError};
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::env::Env;
use crate::executor::io;
use crate::executor::runtime::Runtime;
use crate::value::{Arena, NodeId};
use chrono::Utc;

pub(super) async fn run<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    wait: &WaitState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> Result<Outcome<'d>, StatesError> {
    if attempt.jsonata {
        let states = attempt.ja_states_in(input);
        let seconds = jsonata_seconds(wait, arena, &states, attempt)?;
        if seconds > 0.0 {
            rt.sleep(seconds).await;
        }
        let assigned = attempt.ja_assign(arena, wait.common.assign.as_ref(), &states)?;
        let output = attempt.ja_output_in(arena, wait.common.output.as_ref(), input, &states)?;
        return Ok(Outcome::follow(state, output).with_assigned(assigned));
    }
    let ctx = &attempt.env();
    let effective = io::apply_input_path(arena, wait.common.input_path.as_ref(), input, ctx)?;
    let seconds = wait_seconds(wait, (arena, effective), ctx)?;
    if seconds > 0.0 {
        rt.sleep(seconds).await;
    }
    let assigned = io::assign(arena, wait.common.assign.as_ref(), effective, ctx)?;
    let output = io::apply_output_path(arena, wait.common.output_path.as_ref(), effective, ctx)?;
    Ok(Outcome::follow(state, output).with_assigned(assigned))
}

/// `Seconds` / `Timestamp` of a JSONata Wait state, either may be `{% %}`.
fn jsonata_seconds(
    wait: &WaitState,
    arena: &Arena,
    states: &crate::jsonata::States<'_>,
    attempt: &Attempt<'_>,
) -> Result<f64, StatesError> {
    let query_error =
        |message: String| StatesError::prefixed(STATES_QUERY_EVALUATION_ERROR, message);
    if let Some(seconds) = &wait.seconds {
        let value = attempt.ja_compiled(arena, seconds, "Seconds", states)?;
        return match value.as_i64() {
            Some(n) if n >= 0 => Ok(n as f64),
            _ => Err(query_error(format!(
                "The Seconds field must be a non-negative integer, but was {value}"
            ))),
        };
    }
    if let Some(timestamp) = &wait.timestamp {
        let value = attempt.ja_compiled(arena, timestamp, "Timestamp", states)?;
        let until = value.as_str().and_then(parse_timestamp).ok_or_else(|| {
            let shown = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            query_error(format!(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {shown}"
            ))
        })?;
        let remaining = until.with_timezone(&Utc) - Utc::now();
        return Ok(remaining.num_milliseconds().max(0) as f64 / 1000.0);
    }
    Err(StatesError::runtime(
        "a JSONata Wait state needs Seconds or Timestamp",
    ))
}

/// How long to wait, in specification seconds (never negative).
fn wait_seconds(
    wait: &WaitState,
    (arena, input): (&mut Arena, NodeId),
    ctx: &Env<'_>,
) -> Result<f64, StatesError> {
    if let Some(seconds) = wait.seconds.as_deref() {
        return seconds.as_u64().map(|s| s as f64).ok_or_else(|| {
            StatesError::runtime(format!(
                "The Seconds field must be a non-negative integer: {seconds}"
            ))
        });
    }
    if let Some(path) = &wait.seconds_path {
        let found = io::read(arena, path, input, ctx)?;
        let value = arena.get(found);
        return match value.as_i64() {
            Some(n) if n < 0 => Err(StatesError::runtime(format!(
                "The SecondsPath parameter references a negative value: {path} == {value}"
            ))),
            Some(n) => Ok(n as f64),
            None => Err(StatesError::runtime(format!(
                "The SecondsPath parameter cannot be parsed as a long value: {path} == {value}"
            ))),
        };
    }
    let (text, source) = if let Some(timestamp) = wait.timestamp.as_deref() {
        (
            timestamp.as_str().map(str::to_string),
            format!("{timestamp}"),
        )
    } else if let Some(path) = &wait.timestamp_path {
        let found = io::read(arena, path, input, ctx)?;
        let value = arena.get(found);
        let shown = match value.as_str() {
            Some(text) => text.to_string(),
            None => value.to_string(),
        };
        (
            value.as_str().map(str::to_string),
            format!("{path} == {shown}"),
        )
    } else {
        return Ok(0.0);
    };
    let Some(until) = text.as_deref().and_then(parse_timestamp) else {
        let field = if wait.timestamp.is_some() {
            "Timestamp field"
        } else {
            "TimestampPath parameter"
        };
        return Err(StatesError::runtime(format!(
            "The {field} does not reference a valid ISO-8601 extended offset date-time format string: {source}"
        )));
    };
    let remaining = until.with_timezone(&Utc) - Utc::now();
    Ok(remaining.num_milliseconds().max(0) as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use crate::test_support::{run, run_ok};
    use serde_json::json;

    fn wait_on(path: &str) -> serde_json::Value {
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": path, "End": true}}})
    }

    #[tokio::test]
    async fn seconds_path_passes_input_through() -> Result<(), String> {
        assert_eq!(
            run_ok(wait_on("$.s"), json!({"s": 0})).await?,
            json!({"s": 0})
        );
        Ok(())
    }

    #[tokio::test]
    async fn negative_or_fractional_seconds_path_is_a_runtime_error() -> Result<(), String> {
        let neg = run(wait_on("$.s"), json!({"s": -1})).await?;
        assert_eq!(neg.error.as_deref(), Some("States.Runtime"));
        assert!(
            neg.cause
                .unwrap_or_default()
                .ends_with("references a negative value: $.s == -1")
        );
        let frac = run(wait_on("$.s"), json!({"s": 1.5})).await?;
        assert!(
            frac.cause
                .unwrap_or_default()
                .ends_with("cannot be parsed as a long value: $.s == 1.5")
        );
        Ok(())
    }

    #[tokio::test]
    async fn past_timestamps_do_not_wait_and_bad_ones_fail() -> Result<(), String> {
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.t", "End": true}}});
        assert!(
            run_ok(def.clone(), json!({"t": "2016-03-05T21:29:29.243167252Z"}))
                .await
                .is_ok()
        );
        let bad = run(def, json!({"t": "2016-13-05T21:29:29Z"})).await?;
        assert_eq!(bad.error.as_deref(), Some("States.Runtime"));
        Ok(())
    }
}
