//! `Map`: run the item processor for every item of an array, at most
//! `MaxConcurrency` at a time, tolerating up to `ToleratedFailure*` failures.

mod config;

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::context::with_map_item;
use crate::definition::{MapState, QueryTemplate, State};
use crate::errors::{
    STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD, STATES_QUERY_EVALUATION_ERROR, StatesError,
};
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::env::{MapItem, branch_variables};
use crate::executor::io;
use crate::executor::join::join_lazily;
use crate::executor::runtime::{LastExit, Runtime};
use crate::history::{self, Cursor, EventType, Fields};
use crate::jsonata::JsonataTemplate;
use crate::value::{Arena, Kind, NodeId};

pub(super) async fn run<'d>(
    rt: &Runtime<'_>,
    state: &'d State,
    map: &MapState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
    cursor: &mut Cursor,
) -> Result<Outcome<'d>, StatesError> {
    let ctx = &attempt.env();
    let Some(processor) = &map.item_processor else {
        return Err(StatesError::runtime("The Map state has no ItemProcessor"));
    };
    if map.item_reader.is_some() || map.item_batcher.is_some() {
        return Err(StatesError::runtime(
            "ItemReader and ItemBatcher are not supported by this engine",
        ));
    }
    let states = attempt.jsonata.then(|| attempt.ja_states_in(input));
    let effective = match &states {
        Some(_) => input,
        None => io::apply_input_path(arena, map.common.input_path.as_ref(), input, ctx)?,
    };
    let items = match &states {
        Some(states) => jsonata_items(map, arena, input, states, attempt)?,
        None => {
            let items = match &map.items_path {
                Some(path) => io::read(arena, path, effective, ctx)?,
                None => effective,
            };
            if arena.get(items).kind() != Kind::Array {
                return Err(StatesError::runtime(format!(
                    "Map state input must be an array but was: {}",
                    arena.get(items)
                )));
            }
            items
        }
    };
    let resolve = |arena: &Arena, field: &JsonataTemplate, name: &str| match &states {
        Some(states) => attempt.ja_compiled(arena, field, name, states),
        None => Ok(Value::clone(field)),
    };
    let limits = config::Limits::read(map, arena, effective, ctx, &resolve)?;
    let selector = map
        .item_selector
        .as_ref()
        .map(QueryTemplate::jsonpath)
        .or(map.results.parameters.as_ref());
    // In JSONata, `Parameters` (the older name of `ItemSelector`) read as a
    // JSONata template; compiled here, once per run, as it is rare.
    let jsonata_selector = match (&states, &map.item_selector, selector) {
        (Some(_), Some(selector), _) => Some(Cow::Borrowed(selector.jsonata())),
        (Some(_), None, Some(parameters)) => {
            Some(Cow::Owned(JsonataTemplate::new(Value::clone(parameters))))
        }
        _ => None,
    };
    let count = arena.get(items).len();
    let mut inputs = Vec::with_capacity(count);
    for index in 0..count {
        let Some(item) = arena.get(items).index(index).map(|item| item.id()) else {
            break;
        };
        inputs.push(match (selector, &states, &jsonata_selector) {
            (_, Some(states), Some(template)) => {
                // Only an ItemSelector sees `$$.Map.Item`.
                let item_value = arena.get(item).to_value();
                let states = crate::jsonata::States {
                    context: crate::jsonata::StatesContext::Owned(with_map_item(
                        ctx.context.get(),
                        index,
                        &item_value,
                    )),
                    ..states.clone()
                };
                attempt.ja_compiled_in(arena, template, "ItemSelector", &states)?
            }
            (Some(template), None, _) => {
                let item_env = ctx.with_map_item(MapItem { index, value: item });
                io::payload_template(arena, template, effective, &item_env)?
            }
            _ => item,
        });
    }
    rt.record(
        cursor,
        EventType::MapStateStarted,
        json!({"mapStateStartedEventDetails": {"length": inputs.len()}}),
    );
    let start = cursor.last;
    rt.history.fork(cursor);
    // Each iteration records at least its two events and, on a path through
    // the processor, an entry and an exit per state (and a Task's
    // scheduled, started and succeeded events).
    let per_item = 2 + processor
        .states
        .ordered
        .iter()
        .map(|(_, state)| match state {
            State::Task(_) => 5,
            _ => 2,
        })
        .sum::<usize>();
    rt.history.reserve(inputs.len().saturating_mul(per_item));
    let first_slot = rt.history.reserve_kept(inputs.len());
    // Without MaxConcurrency every iteration may run at once: no permits.
    let permits = limits
        .max_concurrency
        .map(|limit| Semaphore::new(limit.min(Semaphore::MAX_PERMITS)));
    let permits = permits.as_ref();
    let name = attempt.name;
    let variables = attempt.variables;
    // Each iteration runs in an arena of its own, on a copy of its item;
    // when it ends the history keeps that arena (its events hold ids of
    // its values), and its output is copied into the state's arena. The
    // lock is held only for those copies, never across an await.
    let parent_arena = Mutex::new(&mut *arena);
    let parent = &parent_arena;
    // Made one at a time as the join reaches them (`join_lazily`).
    let iterations = inputs.into_iter().enumerate().map(|(index, item_input)| {
        async move {
            let slot = first_slot.and_then(|first| first.checked_add(u32::try_from(index).ok()?));
            let mut own = rt.history.keep_in(rt.iteration_arena(), slot);
            let mut item_cursor = rt.history.buffered_branch(start, &own, per_item);
            let _permit = match permits {
                Some(permits) => match permits.acquire().await {
                    Ok(permit) => Some(permit),
                    Err(_) => {
                        return (
                            Err(StatesError::runtime("Map concurrency limiter closed")),
                            item_cursor.last,
                        );
                    }
                },
                None => None,
            };
            let details = |key| Fields::MapIteration {
                key,
                name: name.clone(),
                index,
            };
            // The processor's first state enters when the
            // iteration starts, and the iteration ends when its
            // last state exits: nothing is awaited in between.
            let started_at = crate::clock::now();
            rt.record_at(
                &mut item_cursor,
                EventType::MapIterationStarted,
                details("mapIterationStartedEventDetails"),
                started_at,
            );
            let own: &mut Arena = &mut own;
            let own_input = {
                let parent = parent.lock().unwrap_or_else(PoisonError::into_inner);
                own.copy_from(&parent, item_input)
            };
            let mut last_exit = LastExit::default();
            let result = rt
                .run_branch(
                    processor,
                    (&mut *own, own_input, Some(started_at)),
                    branch_variables(variables),
                    &mut item_cursor,
                    Some(&mut last_exit),
                )
                .await
                .map(|output| {
                    let mut parent = parent.lock().unwrap_or_else(PoisonError::into_inner);
                    parent.copy_from(own, output)
                });
            let ended_at = match (&result, last_exit.at) {
                (Ok(_), Some(exited_at)) => exited_at,
                _ => crate::clock::now(),
            };
            let (event, key) = match result {
                Ok(_) => (
                    EventType::MapIterationSucceeded,
                    "mapIterationSucceededEventDetails",
                ),
                Err(_) => (
                    EventType::MapIterationFailed,
                    "mapIterationFailedEventDetails",
                ),
            };
            rt.record_at(&mut item_cursor, event, details(key), ended_at);
            (result, item_cursor.last)
        }
    });
    let results = join_lazily(iterations).await;
    rt.history.join(cursor);
    if let Some(last) = results.iter().map(|(_, last)| *last).max() {
        cursor.last = last;
    }
    let total = results.len();
    let failures: Vec<&StatesError> = results
        .iter()
        .filter_map(|(r, _)| r.as_ref().err())
        .collect();
    if let Some(error) = failure_outcome(&failures, total, &limits) {
        let details = history::failure(
            "mapStateFailedEventDetails",
            &error.error,
            error.cause.as_deref(),
        );
        rt.record(cursor, EventType::MapStateFailed, details);
        return Err(error);
    }
    rt.record(cursor, EventType::MapStateSucceeded, json!({}));
    let mut outputs = Vec::with_capacity(results.len());
    for (result, _) in results {
        outputs.push(match result {
            Ok(output) => output,
            Err(error) => arena.import(&error.to_error_output()),
        });
    }
    let result = arena.array(outputs);
    if let Some(states) = states {
        let states = attempt.ja_with_result(states, result);
        let assigned = attempt.ja_assign(arena, map.common.assign.as_ref(), &states)?;
        let output = attempt.ja_output_in(arena, map.common.output.as_ref(), result, &states)?;
        return Ok(Outcome::follow(state, output).with_assigned(assigned));
    }
    let result = match &map.results.result_selector {
        Some(selector) => io::payload_template(arena, selector, result, ctx)?,
        None => result,
    };
    let assigned = io::assign(arena, map.common.assign.as_ref(), result, ctx)?;
    let output = io::apply_state_result_path(arena, &map.results, input, result)?;
    let output = io::apply_output_path(arena, map.common.output_path.as_ref(), output, ctx)?;
    Ok(Outcome::follow(state, output).with_assigned(assigned))
}

/// `Items` of a JSONata Map (an expression or a template array), else the
/// state input; either must be an array (a value of `arena`).
fn jsonata_items(
    map: &MapState,
    arena: &mut Arena,
    input: NodeId,
    states: &crate::jsonata::States<'_>,
    attempt: &Attempt<'_>,
) -> Result<NodeId, StatesError> {
    let query_error =
        |message: String| StatesError::prefixed(STATES_QUERY_EVALUATION_ERROR, message);
    let Some(items) = &map.items else {
        return match arena.get(input).kind() {
            Kind::Array => Ok(input),
            _ => Err(query_error(format!(
                "Map state input must be an array but was: {}",
                arena.get(input)
            ))),
        };
    };
    match attempt.ja_compiled(arena, items, "Items", states)? {
        Value::Array(items) => Ok(arena.import(&Value::Array(items))),
        other => {
            let expression = crate::jsonata::expression_text(items).unwrap_or_default();
            Err(query_error(format!(
                "The JSONata expression '{expression}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {other}",
                crate::jsonata::type_name(&other)
            )))
        }
    }
}

/// The error that fails the Map, if its failures are not tolerated.
fn failure_outcome(
    failures: &[&StatesError],
    total: usize,
    limits: &config::Limits,
) -> Option<StatesError> {
    let first = failures.first()?;
    if !first.catchable || !limits.tolerates_any() {
        return Some((*first).clone());
    }
    limits.exceeded(failures.len(), total).then(|| {
        StatesError::new(
            STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD,
            Some("The specified tolerated failure threshold was exceeded".into()),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::{run, run_ok};
    use serde_json::json;

    #[tokio::test]
    async fn item_selector_sees_the_item_through_the_context() -> Result<(), String> {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.xs",
            "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
        assert_eq!(
            run_ok(def, json!({"xs": ["a", "b"]})).await?,
            json!([{"v": "a", "i": 0}, {"v": "b", "i": 1}])
        );
        Ok(())
    }

    #[tokio::test]
    async fn iteration_events_show_their_payloads_once_the_arena_is_gone() -> Result<(), String> {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": 1,
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"r": 1}, "End": true}}}}}});
        let execution = run(def, json!([{"a": "x"}, [2]])).await?;
        let payloads: Vec<(String, String)> = execution
            .history
            .iter()
            .filter_map(|event| {
                let details = event.details.as_value();
                let (key, field) = match event.event_type {
                    crate::EventType::PassStateEntered => ("stateEnteredEventDetails", "input"),
                    crate::EventType::PassStateExited => ("stateExitedEventDetails", "output"),
                    _ => return None,
                };
                Some((field.to_owned(), details[key][field].as_str()?.to_owned()))
            })
            .collect();
        let expected = [
            ("input", r#"{"a":"x"}"#),
            ("output", r#"{"r":1}"#),
            ("input", "[2]"),
            ("output", r#"{"r":1}"#),
        ];
        assert_eq!(
            payloads,
            expected.map(|(f, t)| (f.to_owned(), t.to_owned())).to_vec()
        );
        Ok(())
    }

    #[tokio::test]
    async fn interleaved_iterations_leave_the_history_in_id_order() -> Result<(), String> {
        // The run loop yields every 16 states, so iterations of 20 states
        // interleave: each keeps its events until it ends.
        let mut states = serde_json::Map::new();
        for i in 0..20 {
            let state = match i {
                19 => json!({"Type": "Pass", "End": true}),
                _ => json!({"Type": "Pass", "Next": format!("P{}", i + 1)}),
            };
            states.insert(format!("P{i}"), state);
        }
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "P0", "States": states}}}});
        let execution = run(def, json!([1, 2, 3])).await?;
        assert_eq!(execution.status, crate::ExecutionStatus::Succeeded);
        let ids: Vec<u64> = execution.history.iter().map(|event| event.id).collect();
        assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
        // Each iteration's events chain from its own, so the iterations
        // did interleave: some event follows one that is not just before it.
        assert!(
            execution
                .history
                .iter()
                .any(|event| event.previous_event_id + 1 < event.id
                    && event.event_type == crate::EventType::PassStateEntered)
        );
        Ok(())
    }

    #[tokio::test]
    async fn failures_beyond_the_tolerance_fail_with_threshold_exceeded() -> Result<(), String> {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ToleratedFailureCount": 1,
            "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}}}});
        assert_eq!(
            run(def.clone(), json!([1])).await?.status,
            crate::ExecutionStatus::Succeeded
        );
        let execution = run(def, json!([1, 2])).await?;
        assert_eq!(
            execution.error.as_deref(),
            Some("States.ExceedToleratedFailureThreshold")
        );
        Ok(())
    }

    #[tokio::test]
    async fn iterations_read_outer_variables_but_their_assignments_stay_inside()
    -> Result<(), String> {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1, "xs": [1, 2]}, "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$xs", "Next": "B",
                  "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Assign": {"x": 99},
                      "Parameters": {"outer.$": "$x"}, "End": true}}}},
            "B": {"Type": "Pass", "Parameters": {"after.$": "$x", "items.$": "$"}, "End": true}}});
        assert_eq!(
            run_ok(def, json!({})).await?,
            json!({"after": 1, "items": [{"outer": 1}, {"outer": 1}]})
        );
        Ok(())
    }
}
