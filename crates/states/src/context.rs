//! The context object (`$$`): facts about the execution, the state machine
//! and the current state, readable by `$$.` paths.

use std::sync::OnceLock;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// AWS's timestamp format in the context object and in `Wait` comparisons:
/// ISO-8601 with milliseconds and a `Z` suffix.
pub(crate) fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Execution-wide parts of the context object, built once per execution
/// the first time a state reads `$$` (most executions never do). Borrows
/// the execution's options: nothing is copied per execution.
#[derive(Debug, Clone)]
pub(crate) struct ExecutionInfo<'a> {
    options: &'a crate::options::ExecutionOptions,
    start: DateTime<Utc>,
    /// The execution input, as the caller gave it (the run loop works on
    /// its copy in the execution's arena); `$$.Execution.Input` is a copy
    /// of it.
    input: &'a Value,
    built: OnceLock<(Value, Value)>,
}

impl<'a> ExecutionInfo<'a> {
    pub(crate) fn new(
        options: &'a crate::options::ExecutionOptions,
        input: &'a Value,
        start: DateTime<Utc>,
    ) -> Self {
        ExecutionInfo {
            options,
            start,
            input,
            built: OnceLock::new(),
        }
    }

    /// The execution's id (ARN).
    pub(crate) fn id(&self) -> &'a str {
        &self.options.execution_id
    }

    /// `$$.Execution` and `$$.StateMachine`.
    fn parts(&self) -> &(Value, Value) {
        self.built.get_or_init(|| {
            let input = self.input.clone();
            let options = self.options;
            (
                json!({
                    "Id": options.execution_id,
                    "Input": input,
                    "Name": options.execution_name,
                    "RoleArn": options.role_arn,
                    "StartTime": format_time(self.start),
                    "RedriveCount": 0,
                }),
                json!({
                    "Id": options.state_machine_id,
                    "Name": options.state_machine_name,
                }),
            )
        })
    }
}

/// Per-state parts of the context object.
#[derive(Debug, Clone)]
pub(crate) struct StateInfo<'a> {
    pub(crate) name: &'a str,
    pub(crate) entered_time: DateTime<Utc>,
    pub(crate) retry_count: u32,
}

/// The context object of one attempt, built the first time something reads
/// it: most states never look at `$$`, and building it copies the
/// execution input.
#[derive(Debug, Clone)]
pub(crate) struct LazyContext<'a> {
    value: OnceLock<Value>,
    source: Option<(&'a ExecutionInfo<'a>, StateInfo<'a>)>,
}

impl<'a> LazyContext<'a> {
    /// The context object of `state`, built on first use.
    pub(crate) fn new(execution: &'a ExecutionInfo<'a>, state: StateInfo<'a>) -> Self {
        LazyContext {
            value: OnceLock::new(),
            source: Some((execution, state)),
        }
    }

    /// An already built context object.
    pub(crate) fn ready(value: Value) -> Self {
        LazyContext {
            value: OnceLock::from(value),
            source: None,
        }
    }

    /// The context object.
    pub(crate) fn get(&self) -> &Value {
        self.value.get_or_init(|| self.build())
    }

    fn build(&self) -> Value {
        match &self.source {
            Some((execution, state)) => context_object(execution, state),
            None => Value::Object(Map::new()),
        }
    }
}

/// Build the whole context object for one attempt of one state.
pub(crate) fn context_object(execution: &ExecutionInfo<'_>, state: &StateInfo<'_>) -> Value {
    let (execution, state_machine) = execution.parts();
    let mut root = Map::new();
    root.insert("Execution".into(), execution.clone());
    root.insert(
        "State".into(),
        json!({
            "EnteredTime": format_time(state.entered_time),
            "Name": state.name,
            "RetryCount": state.retry_count,
        }),
    );
    root.insert("StateMachine".into(), state_machine.clone());
    root.insert("Task".into(), json!({}));
    Value::Object(root)
}

/// The context object as a Map state's `ItemSelector` sees it for one item
/// (`$$.Map.Item.Index` and `$$.Map.Item.Value`).
pub(crate) fn with_map_item(context: &Value, index: usize, value: &Value) -> Value {
    let mut context = context.clone();
    if let Some(root) = context.as_object_mut() {
        root.insert(
            "Map".into(),
            json!({"Item": {"Index": index, "Value": value}}),
        );
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ExecutionOptions;

    #[test]
    fn context_object_has_execution_state_and_machine_fields() {
        let options = ExecutionOptions::default().with_name("run-1");
        let start = Utc::now();
        let input = json!({"a": 1});
        let info = ExecutionInfo::new(&options, &input, start);
        let state = StateInfo {
            name: "Fetch",
            entered_time: start,
            retry_count: 2,
        };
        let ctx = with_map_item(&context_object(&info, &state), 3, &json!("x"));
        assert_eq!(ctx["Execution"]["Name"], "run-1");
        assert_eq!(ctx["Execution"]["Input"]["a"], 1);
        assert_eq!(ctx["State"]["Name"], "Fetch");
        assert_eq!(ctx["State"]["RetryCount"], 2);
        assert_eq!(ctx["Map"]["Item"]["Index"], 3);
        assert!(
            ctx["Execution"]["StartTime"]
                .as_str()
                .is_some_and(|s| s.ends_with('Z'))
        );
    }
}
