//! Syntax of the expressions inside a state: JSONPath paths, reference paths
//! (`ResultPath`), intrinsic functions in `.$` fields, and `{% %}` JSONata
//! expressions. AWS rejects a definition whose expressions do not parse.

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::token;
use crate::errors::{Diagnostic, Severity};
use crate::{intrinsics, jsonata, paths};

/// Prefix of an intrinsic function call in a `.$` field.
const INTRINSIC_PREFIX: &str = "States.";

/// Path fields that may also hold an intrinsic function.
const PATH_OR_INTRINSIC_FIELDS: &[&str] = &["ErrorPath", "CausePath"];

/// Fields that hold a plain JSONPath (or `null` for the I/O paths).
const PATH_FIELDS: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
];

/// Payload templates whose `.$` keys hold paths or intrinsic functions.
const TEMPLATE_FIELDS: &[&str] = &["Parameters", "ResultSelector", "ItemSelector", "Assign"];

/// Longest expression text quoted in a message.
const MAX_QUOTED: usize = 80;

/// `text` cut to [`MAX_QUOTED`] characters, with `…` when cut.
fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_QUOTED).collect();
    out.push('…');
    out
}

/// Why `path` is not a JSONPath the engine can read, if it is not.
/// Accepts `$…` on the input, `$$…` on the context object and `$name…` on a variable.
pub(super) fn path_problem(path: &str) -> Option<String> {
    let Some(rest) = path.strip_prefix('$') else {
        return Some(format!(
            "'{}' is not a JSONPath: it must start with '$'",
            clip(path)
        ));
    };
    let normalized = if let Some(context) = rest.strip_prefix('$') {
        format!("${context}")
    } else if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        format!("${}", &rest[end..])
    } else {
        path.to_string()
    };
    if paths::parse_definite(&normalized).is_some() {
        return None;
    }
    JsonPath::parse(&normalized)
        .err()
        .map(|e| format!("'{}' is not a valid JSONPath: {e}", clip(path)))
}

fn intrinsic_problem(expression: &str) -> Option<String> {
    intrinsics::parser::parse(expression).err().map(|e| {
        format!(
            "'{}' is not a valid intrinsic function: {e}",
            clip(expression)
        )
    })
}

/// A path or, when it starts with `States.`, an intrinsic function.
fn dynamic_problem(value: &str) -> Option<String> {
    if value.starts_with(INTRINSIC_PREFIX) {
        intrinsic_problem(value)
    } else {
        path_problem(value)
    }
}

/// Check the paths, reference paths and `.$` templates of a JSONPath state.
pub(super) fn jsonpath_fields(
    map: &Map<String, Value>,
    at: &str,
    state: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let mut report = |location: String, problem: Option<String>| {
        if let Some(problem) = problem {
            out.push(Diagnostic::schema(location, state, problem));
        }
    };
    for key in PATH_FIELDS.iter().chain(PATH_OR_INTRINSIC_FIELDS) {
        match map.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::String(path)) => {
                let problem = if PATH_OR_INTRINSIC_FIELDS.contains(key) {
                    dynamic_problem(path)
                } else {
                    path_problem(path)
                };
                report(format!("{at}/{key}"), problem);
            }
            Some(other) => report(
                format!("{at}/{key}"),
                Some(format!("{key} must be a JSONPath string, not {other}")),
            ),
        }
    }
    result_path(map, at, &mut report);
    for key in TEMPLATE_FIELDS {
        if let Some(template) = map.get(*key) {
            check_template(template, &format!("{at}/{key}"), &mut report);
        }
    }
    for (i, rule) in indexed(map, "Catch") {
        if let Value::Object(rule) = rule {
            result_path(rule, &format!("{at}/Catch/{i}"), &mut report);
            if let Some(assign) = rule.get("Assign") {
                check_template(assign, &format!("{at}/Catch/{i}/Assign"), &mut report);
            }
        }
    }
    for (i, rule) in indexed(map, "Choices") {
        choice_paths(rule, &format!("{at}/Choices/{i}"), &mut report);
    }
}

/// `ResultPath`: a reference path (names and indices only) or `null`.
fn result_path(
    map: &Map<String, Value>,
    at: &str,
    report: &mut impl FnMut(String, Option<String>),
) {
    match map.get("ResultPath") {
        None | Some(Value::Null) => {}
        Some(Value::String(path)) => {
            if paths::parse_definite(path).is_none() {
                report(
                    format!("{at}/ResultPath"),
                    Some(format!(
                        "'{}' is not a valid reference path: ResultPath may only use names and indices",
                        clip(path)
                    )),
                );
            }
        }
        Some(other) => report(
            format!("{at}/ResultPath"),
            Some(format!("ResultPath must be a string or null, not {other}")),
        ),
    }
}

fn indexed<'a>(map: &'a Map<String, Value>, key: &str) -> Vec<(usize, &'a Value)> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().enumerate().collect())
        .unwrap_or_default()
}

/// `Variable` and `...Path` operands of a choice rule and its nested rules.
fn choice_paths(rule: &Value, at: &str, report: &mut impl FnMut(String, Option<String>)) {
    let Value::Object(map) = rule else {
        return;
    };
    for (key, value) in map {
        let is_path = key == "Variable" || key.ends_with("Path") && key != "Path";
        if let (true, Value::String(path)) = (is_path, value) {
            report(format!("{at}/{}", token(key)), path_problem(path));
        }
    }
    if let Some(assign) = map.get("Assign") {
        check_template(assign, &format!("{at}/Assign"), report);
    }
    for key in ["And", "Or"] {
        for (i, inner) in indexed(map, key) {
            choice_paths(inner, &format!("{at}/{key}/{i}"), report);
        }
    }
    if let Some(inner) = map.get("Not") {
        choice_paths(inner, &format!("{at}/Not"), report);
    }
}

/// Every `"key.$": "<path or intrinsic>"` inside a payload template.
fn check_template(value: &Value, at: &str, report: &mut impl FnMut(String, Option<String>)) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{at}/{}", token(key));
                if key.ends_with(".$") {
                    match item {
                        Value::String(expression) => report(here, dynamic_problem(expression)),
                        other => report(
                            here,
                            Some(format!(
                                "The value for the field '{key}' must be a string that contains a JSONPath, not {other}"
                            )),
                        ),
                    }
                } else {
                    check_template(item, &here, report);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_template(item, &format!("{at}/{i}"), report);
            }
        }
        _ => {}
    }
}

/// Parse every `{% %}` string of a JSONata state (its nested machines aside).
pub(super) fn jsonata_fields(
    map: &Map<String, Value>,
    at: &str,
    state: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    for (key, value) in map {
        if matches!(key.as_str(), "Branches" | "ItemProcessor" | "Iterator") {
            continue;
        }
        expressions(value, &format!("{at}/{}", token(key)), state, out);
    }
}

fn expressions(value: &Value, at: &str, state: Option<&str>, out: &mut Vec<Diagnostic>) {
    match value {
        Value::String(_) => {
            if let Some(expression) = jsonata::expression_text(value)
                && let Err(e) = jsonata::parser::parse(expression)
            {
                // A warning: the engine accepts the definition and the state
                // fails with States.QueryEvaluationError when it runs.
                out.push(Diagnostic {
                    severity: Severity::Warning,
                    ..Diagnostic::schema(
                        at,
                        state,
                        format!(
                            "The JSONata expression '{}' is invalid: {e}; the state will fail with States.QueryEvaluationError",
                            clip(expression)
                        ),
                    )
                });
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                expressions(item, &format!("{at}/{}", token(key)), state, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                expressions(item, &format!("{at}/{i}"), state, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_input_context_and_variables_are_accepted() {
        for path in [
            "$",
            "$.a.b[0]",
            "$['a b']",
            "$$.Execution.Input",
            "$var.field",
            "$.items[*].id",
            "$.a[?(@.b > 1)]",
        ] {
            assert_eq!(path_problem(path), None, "{path}");
        }
    }

    #[test]
    fn broken_paths_and_intrinsics_are_reported() {
        assert!(path_problem("a.b").is_some());
        assert!(path_problem("$.a[").is_some());
        assert!(dynamic_problem("States.Format('x'").is_some());
        assert!(dynamic_problem("States.Format('{}', $.a)").is_none());
    }
}
