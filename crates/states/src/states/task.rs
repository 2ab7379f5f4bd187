//! `Task`: call the resource through the [`TaskHandler`](crate::TaskHandler),
//! racing `TimeoutSeconds`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::definition::{State, TaskState};
use crate::errors::StatesError;
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::env::Env;
use crate::executor::io;
use crate::executor::runtime::Runtime;
use crate::handler::{ContextObject, TaskContext};
use crate::history::{self, Cursor, EventType, Fields, TaskLimits};
use crate::jsonata::JsonataTemplate;
use crate::value::{Arena, NodeId};

pub(super) async fn run<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    task: &TaskState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    if attempt.jsonata {
        return run_jsonata(rt, state, task, arena, input, attempt, cursor).await;
    }
    let ctx = &attempt.env();
    let effective = io::apply_input_path(arena, task.common.input_path.as_ref(), input, ctx)?;
    let effective = match &task.results.parameters {
        Some(template) => io::payload_template(arena, template, effective, ctx)?,
        None => effective,
    };
    let timeout = match (&task.timeout_seconds, &task.timeout_seconds_path) {
        (None, None) => None,
        (literal, path) => seconds_field(
            "TimeoutSeconds",
            literal.as_deref(),
            path.as_deref(),
            (arena, input),
            ctx,
        )?,
    };
    let heartbeat = match (&task.heartbeat_seconds, &task.heartbeat_seconds_path) {
        (None, None) => None,
        (literal, path) => seconds_field(
            "HeartbeatSeconds",
            literal.as_deref(),
            path.as_deref(),
            (arena, input),
            ctx,
        )?,
    };
    let scheduled = Scheduled {
        parameters: effective,
        timeout,
        heartbeat,
    };
    let Invoked {
        result,
        succeeded_at,
    } = invoke(rt, task, scheduled, (arena, attempt), cursor).await?;
    let result = match &task.results.result_selector {
        Some(selector) => io::payload_template(arena, selector, result, ctx)?,
        None => result,
    };
    let assigned = io::assign(arena, task.common.assign.as_ref(), result, ctx)?;
    let output = io::apply_state_result_path(arena, &task.results, input, result)?;
    let output = io::apply_output_path(arena, task.common.output_path.as_ref(), output, ctx)?;
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
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    let states = attempt.ja_states_in(input);
    let arguments = match &task.common.arguments {
        Some(template) => attempt.ja_compiled_in(arena, template, "Arguments", &states)?,
        None => input,
    };
    let number =
        |field: Option<&JsonataTemplate>, name: &str| -> Result<Option<f64>, StatesError> {
            field
                .map(|v| {
                    attempt
                        .ja_compiled(arena, v, name, &states)
                        .map(|v| v.as_f64())
                })
                .transpose()
                .map(Option::flatten)
        };
    let timeout = number(task.timeout_seconds.as_ref(), "TimeoutSeconds")?;
    let heartbeat = number(task.heartbeat_seconds.as_ref(), "HeartbeatSeconds")?;
    let scheduled = Scheduled {
        parameters: arguments,
        timeout,
        heartbeat,
    };
    let Invoked {
        result,
        succeeded_at,
        ..
    } = invoke(rt, task, scheduled, (arena, attempt), cursor).await?;
    let states = attempt.ja_with_result(states, result);
    let assigned = attempt.ja_assign(arena, task.common.assign.as_ref(), &states)?;
    let output = attempt.ja_output_in(arena, task.common.output.as_ref(), result, &states)?;
    Ok(Outcome::follow(state, output)
        .with_assigned(assigned)
        .finished_at(succeeded_at))
}

/// What a Task sends its resource.
struct Scheduled {
    /// The effective parameters (or JSONata arguments), in the arena.
    parameters: NodeId,
    timeout: Option<f64>,
    heartbeat: Option<f64>,
}

/// Schedule, start and run the resource, racing the timeout; records the
/// Task events (failures are recorded by the executor, which knows about
/// retries). Returns the result and when the call succeeded.
async fn invoke(
    rt: &Runtime<'_>,
    task: &TaskState,
    scheduled_call: Scheduled,
    (arena, attempt): (&mut Arena, &Attempt<'_>),
    cursor: &mut Cursor,
) -> Result<Invoked, StatesError> {
    let Scheduled {
        parameters: effective,
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
            parameters: history::payload_of(cursor, arena, effective),
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
        context_object: ContextObject::lazy(&attempt.context),
        timeout_seconds: timeout,
    };
    let call = rt
        .tasks
        .invoke_in(&task.resource, arena, effective, &context);
    let result = match timeout.and_then(|t| rt.options.scaled(t)) {
        // Boxed, as `Runtime::sleep`'s timer is: inline, tokio's timer
        // would make every Task's future (and the run loop's) large.
        Some(limit) => match Box::pin(tokio::time::timeout(limit, call)).await {
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
    // Recorded before a ResultSelector reads the result (its failure comes after).
    let output = history::payload_of(cursor, arena, result);
    rt.record_at(
        cursor,
        EventType::TaskSucceeded,
        Fields::TaskSucceeded {
            resource: task.resource.clone(),
            output,
        },
        succeeded_at,
    );
    Ok(Invoked {
        result,
        succeeded_at,
    })
}

/// What a successful resource call gave: its result, and when the call
/// succeeded (the state exits at that time too when it succeeds, as
/// nothing is awaited in between).
struct Invoked {
    result: NodeId,
    succeeded_at: DateTime<Utc>,
}

/// `TimeoutSeconds` / `HeartbeatSeconds` or their `...Path` forms.
fn seconds_field(
    name: &str,
    literal: Option<&Value>,
    path: Option<&str>,
    (arena, input): (&mut Arena, NodeId),
    ctx: &Env<'_>,
) -> Result<Option<f64>, StatesError> {
    if let Some(path) = path {
        let found = io::read(arena, path, input, ctx)?;
        let value = arena.get(found).to_value();
        return match value.as_f64() {
            Some(n) if n > 0.0 => Ok(Some(n)),
            _ => Err(StatesError::runtime(format!(
                "The {name}Path field must reference a positive number: {path} == {value}"
            ))),
        };
    }
    Ok(literal.and_then(Value::as_f64))
}
