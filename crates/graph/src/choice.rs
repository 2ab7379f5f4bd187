//! Short texts drawn on edges and shown as tooltips: a Choice rule as a
//! condition, a Catch clause as its errors, a Retry clause as one line.

use serde_json::{Map, Value};

/// Labels longer than this many characters are cut, with the full text kept
/// as the tooltip.
const LABEL_CHARS: usize = 32;

/// A Choice rule as `(label, full text)`, e.g. `$.message.status == "completed"`.
pub(crate) fn rule_label(rule: &Map<String, Value>) -> (String, String) {
    let text = condition(rule);
    (shorten(&text), text)
}

/// A Catch clause as `(label, full text)`: its `ErrorEquals`, joined.
pub(crate) fn catch_label(catcher: &Map<String, Value>) -> (String, String) {
    let errors = error_names(catcher);
    (shorten(&errors), format!("Catch {errors}"))
}

/// A Retry clause as one line: `Ntfy.RateLimited: 3 attempts, 5 s, ×2`.
pub(crate) fn retry_summary(retrier: &Map<String, Value>) -> String {
    let number = |field: &str, default: f64| {
        retrier
            .get(field)
            .and_then(Value::as_f64)
            .unwrap_or(default)
    };
    format!(
        "{}: {} attempts, {} s, ×{}",
        error_names(retrier),
        number("MaxAttempts", 3.0),
        number("IntervalSeconds", 1.0),
        number("BackoffRate", 2.0),
    )
}

fn error_names(clause: &Map<String, Value>) -> String {
    match clause.get("ErrorEquals").and_then(Value::as_array) {
        Some(names) => names
            .iter()
            .map(|name| name.as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "?".to_owned(),
    }
}

/// A Choice rule (or one of its nested conditions) as text.
fn condition(rule: &Map<String, Value>) -> String {
    if let Some(jsonata) = rule.get("Condition").and_then(Value::as_str) {
        return jsonata.to_owned();
    }
    for (field, joiner) in [("And", " && "), ("Or", " || ")] {
        if let Some(parts) = rule.get(field).and_then(Value::as_array) {
            let parts: Vec<String> = parts
                .iter()
                .filter_map(Value::as_object)
                .map(|part| format!("({})", condition(part)))
                .collect();
            return parts.join(joiner);
        }
    }
    if let Some(inner) = rule.get("Not").and_then(Value::as_object) {
        return format!("!({})", condition(inner));
    }
    let variable = rule.get("Variable").and_then(Value::as_str).unwrap_or("?");
    for (operator, value) in rule {
        if let Some(text) = comparison(variable, operator, value) {
            return text;
        }
    }
    variable.to_owned()
}

fn comparison(variable: &str, operator: &str, value: &Value) -> Option<String> {
    if let Some(test) = operator.strip_prefix("Is") {
        let negated = value.as_bool() == Some(false);
        let what = match test {
            "Null" => "null",
            "Present" => "present",
            "Numeric" => "numeric",
            "String" => "a string",
            "Boolean" => "a boolean",
            "Timestamp" => "a timestamp",
            _ => return None,
        };
        let not = if negated { "not " } else { "" };
        return Some(format!("{variable} is {not}{what}"));
    }
    let (base, is_path) = match operator.strip_suffix("Path") {
        Some(base) => (base, true),
        None => (operator, false),
    };
    let symbol = [
        ("GreaterThanEquals", ">="),
        ("LessThanEquals", "<="),
        ("GreaterThan", ">"),
        ("LessThan", "<"),
        ("Equals", "=="),
        ("Matches", "matches"),
    ]
    .into_iter()
    .find_map(|(suffix, symbol)| {
        let family = base.strip_suffix(suffix)?;
        ["String", "Numeric", "Boolean", "Timestamp"]
            .contains(&family)
            .then_some(symbol)
    })?;
    let operand = match value {
        Value::String(path) if is_path => path.clone(),
        other => other.to_string(),
    };
    Some(format!("{variable} {symbol} {operand}"))
}

/// Cuts `text` to [`LABEL_CHARS`] characters, ending with `…` when cut.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_string_comparison_reads_as_an_equation() {
        let (label, _) = rule_label(&rule(json!({
            "Variable": "$.status", "StringEquals": "completed", "Next": "Done"
        })));
        assert_eq!(label, r#"$.status == "completed""#);
    }

    #[test]
    fn path_comparisons_and_tests_and_combinators() {
        let text = condition(&rule(json!({
            "And": [
                {"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.min"},
                {"Not": {"Variable": "$.x", "IsPresent": true}},
                {"Variable": "$.y", "IsNull": false}
            ]
        })));
        assert_eq!(
            text,
            "($.n >= $.min) && (!($.x is present)) && ($.y is not null)"
        );
    }

    #[test]
    fn jsonata_conditions_are_shown_as_written() {
        let (label, title) = rule_label(&rule(json!({"Condition": "{% $states.input.ok %}"})));
        assert_eq!(label, "{% $states.input.ok %}");
        assert_eq!(title, label);
    }

    #[test]
    fn long_labels_are_cut_and_the_tooltip_keeps_everything() {
        let (label, title) = catch_label(&rule(json!({
            "ErrorEquals": ["Ntfy.ServerError", "Ntfy.Unreachable", "States.Timeout"],
            "Next": "X"
        })));
        assert_eq!(label.chars().count(), LABEL_CHARS);
        assert!(label.ends_with('…'));
        assert_eq!(
            title,
            "Catch Ntfy.ServerError, Ntfy.Unreachable, States.Timeout"
        );
    }

    #[test]
    fn a_retrier_is_one_line() {
        let line = retry_summary(&rule(json!({
            "ErrorEquals": ["Ntfy.RateLimited"], "IntervalSeconds": 5, "MaxAttempts": 3
        })));
        assert_eq!(line, "Ntfy.RateLimited: 3 attempts, 5 s, ×2");
    }
}
