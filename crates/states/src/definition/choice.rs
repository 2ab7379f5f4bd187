//! Choice rules: parsed from JSON into a typed condition tree.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::QueryTemplate;
use super::template::reads_input;
use crate::history::Name;
use crate::jsonata::JsonataTemplate;
use crate::paths::{self, Parsed};

/// One entry of a Choice state's `Choices` (top level: has `Next`).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "Value")]
pub(crate) struct ChoiceRule {
    pub(crate) condition: Condition,
    pub(crate) next: Option<Name>,
    pub(crate) assign: Option<QueryTemplate>,
    pub(crate) output: Option<JsonataTemplate>,
}

/// A boolean expression over the state input.
#[derive(Debug, Clone)]
pub(crate) enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare(Comparison),
    /// JSONata `Condition` field (a `{% ... %}` string or a boolean).
    Jsonata(JsonataTemplate),
}

/// `Variable` + one comparison operator.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    pub(crate) variable: String,
    /// `variable` parsed, when it reads the state input (not `$$` or a
    /// variable): done once here rather than on every evaluation.
    pub(crate) variable_path: Option<Arc<Parsed>>,
    pub(crate) operator: String,
    pub(crate) operand: Operand,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Literal(Value),
    /// A `...Path` operator: the value is read from the input (or `$$`).
    Path(String),
}

/// Every data-test operator name of the spec, without the `Path` suffix
/// (ASL spec, "Choice Rules").
pub(crate) const COMPARISON_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
    "StringMatches",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
    "BooleanEquals",
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

impl TryFrom<Value> for ChoiceRule {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let Value::Object(map) = value else {
            return Err("a choice rule must be an object".into());
        };
        let next = match map.get("Next") {
            None => None,
            Some(Value::String(s)) => Some(Name::new(s)),
            Some(_) => return Err("Next must be a string".into()),
        };
        Ok(ChoiceRule {
            condition: parse_condition(&map)?,
            next,
            assign: map.get("Assign").cloned().map(QueryTemplate::new),
            output: map.get("Output").cloned().map(JsonataTemplate::new),
        })
    }
}

fn parse_list(value: &Value, name: &str) -> Result<Vec<Condition>, String> {
    let Value::Array(items) = value else {
        return Err(format!("{name} must be a non-empty array"));
    };
    if items.is_empty() {
        return Err(format!("{name} must be a non-empty array"));
    }
    items
        .iter()
        .map(|item| match item {
            Value::Object(m) => parse_condition(m),
            _ => Err(format!("{name} entries must be objects")),
        })
        .collect()
}

fn parse_condition(map: &Map<String, Value>) -> Result<Condition, String> {
    if let Some(condition) = map.get("Condition") {
        return Ok(Condition::Jsonata(JsonataTemplate::new(condition.clone())));
    }
    if let Some(list) = map.get("And") {
        return parse_list(list, "And").map(Condition::And);
    }
    if let Some(list) = map.get("Or") {
        return parse_list(list, "Or").map(Condition::Or);
    }
    if let Some(inner) = map.get("Not") {
        return match inner {
            Value::Object(m) => Ok(Condition::Not(Box::new(parse_condition(m)?))),
            _ => Err("Not must be an object".into()),
        };
    }
    let variable = match map.get("Variable") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => return Err("Variable must be a string".into()),
        None => return Err("a choice rule needs Variable, And, Or, Not or Condition".into()),
    };
    let mut found = None;
    for (key, value) in map {
        let (base, is_path) = match key.strip_suffix("Path") {
            Some(base) if COMPARISON_OPERATORS.contains(&base) => (base, true),
            _ if COMPARISON_OPERATORS.contains(&key.as_str()) => (key.as_str(), false),
            _ => continue,
        };
        if found.is_some() {
            return Err("a choice rule must have exactly one comparison operator".into());
        }
        let operand = if is_path {
            match value {
                Value::String(p) => Operand::Path(p.clone()),
                _ => return Err(format!("{key} must be a path string")),
            }
        } else {
            check_literal(base, value)?;
            Operand::Literal(value.clone())
        };
        found = Some(Comparison {
            variable_path: reads_input(variable.as_str())
                .then(|| Arc::new(paths::parse(variable.as_str()))),
            variable: variable.clone(),
            operator: base.to_string(),
            operand,
        });
    }
    found
        .map(Condition::Compare)
        .ok_or_else(|| "a choice rule needs a comparison operator".to_string())
}

fn check_literal(operator: &str, value: &Value) -> Result<(), String> {
    let ok = if operator.starts_with("String") || operator.starts_with("Timestamp") {
        value.is_string()
    } else if operator.starts_with("Numeric") {
        value.is_number()
    } else {
        value.is_boolean()
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{operator} has an operand of the wrong type"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_path_operators_and_nested_boolean_rules() -> Result<(), String> {
        let rule = ChoiceRule::try_from(json!({
            "And": [
                {"Variable": "$.a", "NumericGreaterThanPath": "$.b"},
                {"Not": {"Variable": "$.c", "IsNull": true}}
            ],
            "Next": "X"
        }))?;
        assert_eq!(rule.next.as_deref(), Some("X"));
        let Condition::And(parts) = rule.condition else {
            return Err("not And".into());
        };
        assert!(
            matches!(&parts[0], Condition::Compare(c) if matches!(c.operand, Operand::Path(_)))
        );
        assert!(matches!(&parts[1], Condition::Not(_)));
        Ok(())
    }

    #[test]
    fn rejects_rules_without_an_operator_or_with_wrong_literal_types() {
        assert!(ChoiceRule::try_from(json!({"Variable": "$.a", "Next": "X"})).is_err());
        assert!(
            ChoiceRule::try_from(json!({"Variable": "$.a", "NumericEquals": "1", "Next": "X"}))
                .is_err()
        );
    }
}
