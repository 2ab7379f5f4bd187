//! Checks on the raw JSON of a definition, before it is typed: the shape of
//! the top level, known state types, required and unknown fields, field
//! types, and (through [`super::syntax`]) the syntax of paths, intrinsic
//! functions and JSONata expressions.

use serde_json::{Map, Value};

use super::syntax;
use super::token;
use crate::definition::choice::COMPARISON_OPERATORS;
use crate::definition::query_language::JSONATA;
use crate::errors::Diagnostic;

/// Fields of a machine, a Parallel branch or a Map item processor.
const MACHINE_FIELDS: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "Version",
    "QueryLanguage",
    "ProcessorConfig",
];

/// Fields every state type accepts.
const COMMON_FIELDS: &[&str] = &["Type", "Comment", "QueryLanguage"];
const IO_FIELDS: &[&str] = &["InputPath", "OutputPath"];
const FLOW_FIELDS: &[&str] = &["Next", "End"];
const RESULT_FIELDS: &[&str] = &["Parameters", "ResultPath", "ResultSelector"];
const ERROR_FIELDS: &[&str] = &["Retry", "Catch"];

/// The state types of the ASL spec.
const STATE_TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Fields of one `Retry` rule.
const RETRIER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];
/// Fields of one `Catch` rule.
const CATCHER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "Next",
    "ResultPath",
    "Output",
    "Assign",
    "Comment",
];

/// The fields a state of type `kind` accepts besides [`COMMON_FIELDS`].
fn type_fields(kind: &str) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        "Task" => &[
            "Resource",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Arguments",
            "Output",
            "Assign",
        ],
        "Pass" => &["Result", "Parameters", "ResultPath", "Output", "Assign"],
        "Choice" => &["Choices", "Default", "Output", "Assign"],
        "Wait" => &[
            "Seconds",
            "SecondsPath",
            "Timestamp",
            "TimestampPath",
            "Output",
            "Assign",
        ],
        "Succeed" => &["Output"],
        "Fail" => &["Error", "ErrorPath", "Cause", "CausePath"],
        "Parallel" => &["Branches", "Arguments", "Output", "Assign"],
        "Map" => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "Arguments",
            "Output",
            "Assign",
        ],
        _ => &[],
    };
    let mut fields = own.to_vec();
    if kind != "Fail" {
        fields.extend(IO_FIELDS);
    }
    if !matches!(kind, "Choice" | "Succeed" | "Fail") {
        fields.extend(FLOW_FIELDS);
    }
    if matches!(kind, "Task" | "Parallel" | "Map") {
        fields.extend(RESULT_FIELDS);
        fields.extend(ERROR_FIELDS);
    }
    fields
}

/// Check the raw definition `value`, appending to `out`.
pub(super) fn check(value: &Value, out: &mut Vec<Diagnostic>) {
    machine(value, "", false, out);
}

fn unknown_fields(
    map: &Map<String, Value>,
    allowed: &[&str],
    at: &str,
    state: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
        out.push(Diagnostic::schema(
            format!("{at}/{}", token(key)),
            state,
            format!("The field '{key}' is not supported by Step Functions"),
        ));
    }
}

fn expect_string(
    map: &Map<String, Value>,
    key: &str,
    at: &str,
    state: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(value) = map.get(key)
        && !value.is_string()
    {
        out.push(Diagnostic::schema(
            format!("{at}/{key}"),
            state,
            format!("The value of '{key}' must be a string, not {value}"),
        ));
    }
}

/// A machine, branch or item processor at `at`; `jsonata`: the inherited default.
fn machine(value: &Value, at: &str, jsonata: bool, out: &mut Vec<Diagnostic>) {
    let Value::Object(map) = value else {
        out.push(Diagnostic::schema(
            at,
            None,
            "A state machine definition must be a JSON object",
        ));
        return;
    };
    unknown_fields(map, MACHINE_FIELDS, at, None, out);
    match map.get("StartAt") {
        Some(Value::String(_)) => {}
        Some(other) => out.push(Diagnostic::schema(
            format!("{at}/StartAt"),
            None,
            format!("StartAt must be a string, not {other}"),
        )),
        None => out.push(Diagnostic::schema(
            at,
            None,
            "The field 'StartAt' is required",
        )),
    }
    let jsonata = match map.get("QueryLanguage").and_then(Value::as_str) {
        Some(language) => language == JSONATA,
        None => jsonata,
    };
    match map.get("States") {
        Some(Value::Object(states)) => {
            for (name, state_value) in states {
                state(
                    name,
                    state_value,
                    &format!("{at}/States/{}", token(name)),
                    jsonata,
                    out,
                );
            }
        }
        Some(other) => out.push(Diagnostic::schema(
            format!("{at}/States"),
            None,
            format!("States must be an object, not {other}"),
        )),
        None => out.push(Diagnostic::schema(
            at,
            None,
            "The field 'States' is required",
        )),
    }
}

fn state(name: &str, value: &Value, at: &str, default_jsonata: bool, out: &mut Vec<Diagnostic>) {
    let here = Some(name);
    let Value::Object(map) = value else {
        out.push(Diagnostic::schema(
            at,
            here,
            "A state must be a JSON object",
        ));
        return;
    };
    let kind = match map.get("Type") {
        Some(Value::String(kind)) if STATE_TYPES.contains(&kind.as_str()) => kind.as_str(),
        Some(other) => {
            out.push(Diagnostic::schema(
                format!("{at}/Type"),
                here,
                format!(
                    "Type must be one of {}, not {other}",
                    STATE_TYPES.join(", ")
                ),
            ));
            return;
        }
        None => {
            out.push(Diagnostic::schema(at, here, "The field 'Type' is required"));
            return;
        }
    };
    let mut allowed = COMMON_FIELDS.to_vec();
    allowed.extend(type_fields(kind));
    unknown_fields(map, &allowed, at, here, out);
    for key in ["Next", "Default", "Resource", "Comment", "QueryLanguage"] {
        expect_string(map, key, at, here, out);
    }
    if let Some(end) = map.get("End")
        && !end.is_boolean()
    {
        out.push(Diagnostic::schema(
            format!("{at}/End"),
            here,
            format!("End must be a boolean, not {end}"),
        ));
    }
    let required: &[&str] = match kind {
        "Task" => &["Resource"],
        "Choice" => &["Choices"],
        "Parallel" => &["Branches"],
        _ => &[],
    };
    for key in required.iter().filter(|k| !map.contains_key(**k)) {
        out.push(Diagnostic::schema(
            at,
            here,
            format!("The field '{key}' is required in a {kind} state"),
        ));
    }
    let jsonata = match map.get("QueryLanguage").and_then(Value::as_str) {
        Some(language) => language == JSONATA,
        None => default_jsonata,
    };
    for (i, rule) in list(map, "Retry") {
        rule_fields(rule, RETRIER_FIELDS, &format!("{at}/Retry/{i}"), here, out);
    }
    for (i, rule) in list(map, "Catch") {
        rule_fields(rule, CATCHER_FIELDS, &format!("{at}/Catch/{i}"), here, out);
    }
    if kind == "Choice" {
        for (i, rule) in list(map, "Choices") {
            choice_rule(rule, &format!("{at}/Choices/{i}"), here, true, out);
        }
    }
    if jsonata {
        syntax::jsonata_fields(map, at, here, out);
    } else {
        syntax::jsonpath_fields(map, at, here, out);
    }
    nested(kind, map, at, default_jsonata, out);
}

/// Check the Parallel branches / Map item processor inside a state.
fn nested(
    kind: &str,
    map: &Map<String, Value>,
    at: &str,
    default_jsonata: bool,
    out: &mut Vec<Diagnostic>,
) {
    match kind {
        "Parallel" => match map.get("Branches") {
            Some(Value::Array(branches)) => {
                for (i, branch) in branches.iter().enumerate() {
                    machine(branch, &format!("{at}/Branches/{i}"), default_jsonata, out);
                }
            }
            Some(other) => out.push(Diagnostic::schema(
                format!("{at}/Branches"),
                None,
                format!("Branches must be an array, not {other}"),
            )),
            None => {}
        },
        "Map" => {
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = map.get(key) {
                    machine(processor, &format!("{at}/{key}"), default_jsonata, out);
                }
            }
        }
        _ => {}
    }
}

/// `(index, entry)` for each element of the array field `key`.
fn list<'a>(map: &'a Map<String, Value>, key: &str) -> Vec<(usize, &'a Value)> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().enumerate().collect())
        .unwrap_or_default()
}

fn rule_fields(
    rule: &Value,
    allowed: &[&str],
    at: &str,
    state: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    match rule {
        Value::Object(map) => unknown_fields(map, allowed, at, state, out),
        _ => out.push(Diagnostic::schema(
            at,
            state,
            "A rule must be a JSON object",
        )),
    }
}

/// Field names of a choice rule; `top`: whether it is a top-level rule (may
/// have `Next`, `Assign`, `Output`).
fn choice_rule(rule: &Value, at: &str, state: Option<&str>, top: bool, out: &mut Vec<Diagnostic>) {
    let Value::Object(map) = rule else {
        out.push(Diagnostic::schema(
            at,
            state,
            "A choice rule must be a JSON object",
        ));
        return;
    };
    for key in map.keys() {
        let known = match key.as_str() {
            "Variable" | "Comment" | "And" | "Or" | "Not" | "Condition" => true,
            "Next" | "Assign" | "Output" => top,
            other => {
                let base = other.strip_suffix("Path").unwrap_or(other);
                COMPARISON_OPERATORS.contains(&base) || COMPARISON_OPERATORS.contains(&other)
            }
        };
        if !known {
            out.push(Diagnostic::schema(
                format!("{at}/{}", token(key)),
                state,
                format!("The field '{key}' is not supported in a choice rule"),
            ));
        }
    }
    for key in ["And", "Or"] {
        for (i, inner) in list(map, key) {
            choice_rule(inner, &format!("{at}/{key}/{i}"), state, false, out);
        }
    }
    if let Some(inner) = map.get("Not") {
        choice_rule(inner, &format!("{at}/Not"), state, false, out);
    }
}
