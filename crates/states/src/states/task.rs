//! `Task`: call the resource through the [`TaskHandler`](crate::TaskHandler),
//! racing `TimeoutSeconds`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::definition::{State, TaskState};
use crate::errors::{STATES_DATA_LIMIT_EXCEEDED, StatesError};
use crate::executor::env::Env;
use crate::executor::{Attempt, Outcome, Runtime, io};
use crate::handler::TaskContext;
use crate::history::{self, Cursor, EventType, Fields, Payload, TaskLimits, Text};

pub(super) async fn run<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    task: &TaskState,
    input: &Value,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    if attempt.jsonata {
        return run_jsonata(rt, state, task, input, attempt, cursor).await;
    }
    let ctx = &attempt.env();
    let effective = io::input_path_view(task.common.input_path.as_ref(), input, ctx)?;
    // The Parameters' text for TaskScheduled, written from the template's own.
    let (effective, parameters_text) = match &task.results.parameters {
        Some(template) => {
            let parameters = io::payload_template(template, &effective, ctx)?;
            let text = template.text_of(&parameters);
            (parameters, Some(text))
        }
        None => (effective.into_owned(), None),
    };
    let timeout = seconds_field(
        "TimeoutSeconds",
        task.timeout_seconds.as_ref(),
        task.timeout_seconds_path.as_deref(),
        input,
        ctx,
    )?;
    let heartbeat = seconds_field(
        "HeartbeatSeconds",
        task.heartbeat_seconds.as_ref(),
        task.heartbeat_seconds_path.as_deref(),
        input,
        ctx,
    )?;
    let scheduled = Scheduled {
        parameters: effective,
        parameters_text,
        timeout,
        heartbeat,
    };
    // A raw result that is not kept (read by a ResultSelector, or thrown
    // away by `ResultPath: null`) goes to TaskSucceeded as it is, and its
    // text is written only if the history is read.
    let selector = task.results.result_selector.as_ref();
    let discards_result = passes_input_through(task);
    let Invoked {
        result,
        text: result_text,
        succeeded_at,
    } = invoke(
        rt,
        task,
        scheduled,
        attempt,
        cursor,
        selector.is_none() && !discards_result,
    )
    .await?;
    let result = match selector {
        Some(selector) => {
            let selected = io::payload_template(selector, &result, ctx);
            record_succeeded(
                rt,
                cursor,
                task,
                Payload::Value(Box::new(result)),
                succeeded_at,
            );
            selected?
        }
        None => result,
    };
    if discards_result {
        // The output is the input unchanged: the executor moves it in, with
        // the text it entered with.
        let assigned = io::assign(task.common.assign.as_ref(), &result, ctx);
        if selector.is_none() {
            let raw = Payload::Value(Box::new(result));
            record_succeeded(rt, cursor, task, raw, succeeded_at);
        }
        return Ok(Outcome::follow_with_input(state)
            .with_assigned(assigned?)
            .finished_at(succeeded_at));
    }
    let assigned = io::assign(task.common.assign.as_ref(), &result, ctx)?;
    if task.results.result_target().is_some()
        && task.common.output_path.is_none()
        && !catches_data_limit(task)
    {
        // Nothing needs the input after a successful attempt: the executor
        // writes the result into it instead of this state copying it (and
        // gives it back when the ResultPath cannot be written, for Retry
        // and Catch). Only an oversized output fails after that; it is
        // never retried, and only a Catch naming it needs the input.
        let result_text = match (selector, result_text) {
            (None, Some(text)) => text,
            (Some(selector), _) => selector.text_of(&result),
            (None, None) => history::payload_text(&result),
        };
        return Ok(Outcome::follow(state, result)
            .with_assigned(assigned)
            .with_result_path(result_text)
            .finished_at(succeeded_at));
    }
    // Without a ResultPath the result replaces the input: no copy of it is needed.
    let base = match &task.results.result_path {
        None => Value::Null,
        Some(_) => input.clone(),
    };
    let output = io::apply_result_path(task.results.result_path.as_ref(), base, result)?;
    let output = io::apply_output_path(task.common.output_path.as_ref(), output, ctx)?;
    Ok(Outcome::follow(state, output)
        .with_assigned(assigned)
        .finished_at(succeeded_at))
}

/// Task in a JSONata state: `Arguments` → resource → `Output` / `Assign`,
/// with the result as `$states.result`.
async fn run_jsonata<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    task: &TaskState,
    input: &Value,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    let states = attempt.ja_states(input);
    let arguments = match &task.common.arguments {
        Some(template) => attempt.ja_template(template, "Arguments", &states)?,
        None => input.clone(),
    };
    let number = |field: Option<&Value>, name: &str| -> Result<Option<f64>, StatesError> {
        field
            .map(|v| attempt.ja_template(v, name, &states).map(|v| v.as_f64()))
            .transpose()
            .map(Option::flatten)
    };
    let timeout = number(task.timeout_seconds.as_ref(), "TimeoutSeconds")?;
    let heartbeat = number(task.heartbeat_seconds.as_ref(), "HeartbeatSeconds")?;
    let scheduled = Scheduled {
        parameters: arguments,
        parameters_text: None,
        timeout,
        heartbeat,
    };
    let Invoked {
        result,
        succeeded_at,
        ..
    } = invoke(rt, task, scheduled, attempt, cursor, true).await?;
    let states = crate::jsonata::States {
        result: Some(result.clone()),
        ..states
    };
    let assigned = attempt.ja_assign(task.common.assign.as_deref(), &states)?;
    let output = attempt.ja_output(task.common.output.as_ref(), result, &states)?;
    Ok(Outcome::follow(state, output)
        .with_assigned(assigned)
        .finished_at(succeeded_at))
}

/// What a Task sends its resource.
struct Scheduled {
    /// The effective parameters (or JSONata arguments).
    parameters: Value,
    /// Their JSON text, when already written.
    parameters_text: Option<Text>,
    timeout: Option<f64>,
    heartbeat: Option<f64>,
}

/// Schedule, start and run the resource, racing the timeout; records the
/// Task events (failures are recorded by the executor, which knows about
/// retries), TaskSucceeded only when `record_output` (otherwise the caller
/// records it with [`record_succeeded`]). Returns the result, and its JSON
/// text when TaskSucceeded was recorded.
async fn invoke(
    rt: &Runtime<'_>,
    task: &TaskState,
    scheduled_call: Scheduled,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
    record_output: bool,
) -> Result<Invoked, StatesError> {
    let Scheduled {
        parameters: effective,
        parameters_text,
        timeout,
        heartbeat,
    } = scheduled_call;
    // Scheduled when the attempt began: evaluating the parameters awaits nothing.
    let scheduled = attempt.started_at;
    rt.record_at(
        cursor,
        EventType::TaskScheduled,
        Fields::TaskScheduled {
            resource: task.resource.clone(),
            parameters: parameters_text.unwrap_or_else(|| history::payload_text(&effective)),
            limits: TaskLimits::boxed(timeout, heartbeat),
        },
        scheduled,
    );
    // Started as soon as scheduled: nothing runs in between.
    rt.record_at(
        cursor,
        EventType::TaskStarted,
        Fields::TaskStarted {
            resource: task.resource.clone(),
        },
        scheduled,
    );
    let context = TaskContext {
        state_name: attempt.name,
        execution_id: rt.info.id(),
        retry_count: attempt.retry_count,
        context_object: attempt.context.to_handler(),
        timeout_seconds: timeout,
    };
    let call = rt.tasks.invoke(&task.resource, effective, &context);
    let result = match timeout.and_then(|t| rt.options.scaled(t)) {
        Some(limit) => match tokio::time::timeout(limit, call).await {
            Ok(result) => result,
            Err(_) => {
                return Err(StatesError {
                    from_task: true,
                    ..StatesError::timeout()
                });
            }
        },
        None => call.await,
    };
    let result = result.map_err(|failure| StatesError::task(failure.error, failure.cause))?;
    let succeeded_at = crate::clock::now();
    let text = record_output.then(|| {
        let text: Text = history::payload_text(&result);
        record_succeeded(rt, cursor, task, Payload::Text(text.clone()), succeeded_at);
        text
    });
    Ok(Invoked {
        result,
        text,
        succeeded_at,
    })
}

/// Record the Task's TaskSucceeded event with its result.
fn record_succeeded(
    rt: &Runtime<'_>,
    cursor: &mut Cursor,
    task: &TaskState,
    output: Payload,
    succeeded_at: DateTime<Utc>,
) {
    rt.record_at(
        cursor,
        EventType::TaskSucceeded,
        Fields::TaskSucceeded {
            resource: task.resource.clone(),
            output,
        },
        succeeded_at,
    );
}

/// What a successful resource call gave: its result, the result's JSON
/// text when TaskSucceeded was recorded with it, and when the call
/// succeeded (the state exits at that time too when it succeeds, as
/// nothing is awaited in between).
struct Invoked {
    result: Value,
    text: Option<Text>,
    succeeded_at: DateTime<Utc>,
}

/// Whether a successful attempt's output is its input unchanged, for the
/// executor to move in (a JSONPath Task with `ResultPath: null` and no
/// `OutputPath`). Not when a Catch names `States.DataLimitExceeded`, which
/// needs the input after the output is checked.
pub(super) fn passes_input_through(task: &TaskState) -> bool {
    task.results
        .result_path
        .as_ref()
        .is_some_and(Value::is_null)
        && task.common.output_path.is_none()
        && !catches_data_limit(task)
}

/// Whether a Catch rule names `States.DataLimitExceeded` (`States.ALL` does
/// not match it).
fn catches_data_limit(task: &TaskState) -> bool {
    task.errors.catch.iter().any(|c| {
        c.error_equals
            .iter()
            .any(|e| e == STATES_DATA_LIMIT_EXCEEDED)
    })
}

/// `TimeoutSeconds` / `HeartbeatSeconds` or their `...Path` forms.
fn seconds_field(
    name: &str,
    literal: Option<&Value>,
    path: Option<&str>,
    input: &Value,
    ctx: &Env<'_>,
) -> Result<Option<f64>, StatesError> {
    if let Some(path) = path {
        let value = io::read(path, input, ctx)?;
        return match value.as_f64() {
            Some(n) if n > 0.0 => Ok(Some(n)),
            _ => Err(StatesError::runtime(format!(
                "The {name}Path field must reference a positive number: {path} == {value}"
            ))),
        };
    }
    Ok(literal.and_then(Value::as_f64))
}
