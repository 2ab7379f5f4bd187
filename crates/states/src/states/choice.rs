//! `Choice`: pick the `Next` state from the first matching rule.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::definition::{ChoiceState, Comparison, Condition, Operand};
use crate::errors::{STATES_NO_CHOICE_MATCHED, StatesError};
use crate::executor::attempt::{Attempt, Outcome};
use crate::executor::env::Env;
use crate::executor::io;
use crate::paths;
use crate::value::{Arena, NodeId};

pub(super) fn run<'d>(
    choice: &'d ChoiceState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> Result<Outcome<'d>, StatesError> {
    if attempt.jsonata {
        return run_jsonata(choice, arena, input, attempt);
    }
    let ctx = &attempt.env();
    let effective = io::apply_input_path(arena, choice.common.input_path.as_ref(), input, ctx)?;
    let mut chosen = None;
    for rule in &choice.choices {
        if evaluate(&rule.condition, arena, effective, ctx)? {
            chosen = rule
                .next
                .as_deref()
                .map(|next| (next, rule.assign.as_ref()));
            break;
        }
    }
    // A matching rule assigns its own variables; the state's Assign goes with Default.
    let chosen = chosen.or_else(|| {
        choice
            .default
            .as_deref()
            .map(|next| (next, choice.common.assign.as_ref()))
    });
    let Some((next, assign)) = chosen else {
        return Err(StatesError::new(
            STATES_NO_CHOICE_MATCHED,
            Some(format!("No Matches! for state '{}'", attempt.name)),
        ));
    };
    let assigned = io::assign(arena, assign, effective, ctx)?;
    let output = io::apply_output_path(arena, choice.common.output_path.as_ref(), effective, ctx)?;
    Ok(Outcome::next(next, output).with_assigned(assigned))
}

/// Choice in a JSONata state: rules have a `Condition`, and the chosen
/// rule (or the state, for `Default`) may set `Output` and `Assign`.
fn run_jsonata<'d>(
    choice: &'d ChoiceState,
    arena: &mut Arena,
    input: NodeId,
    attempt: &Attempt<'_>,
) -> Result<Outcome<'d>, StatesError> {
    let states = attempt.ja_states_in(input);
    for rule in &choice.choices {
        let Condition::Jsonata(condition) = &rule.condition else {
            return Err(StatesError::runtime(
                "a JSONata Choice rule needs a Condition",
            ));
        };
        let holds = match attempt.ja_compiled(arena, condition, "Condition", &states)? {
            Value::Bool(b) => b,
            other => {
                return Err(StatesError::prefixed(
                    crate::errors::STATES_QUERY_EVALUATION_ERROR,
                    format!("The Condition must evaluate to a boolean, but was {other}"),
                ));
            }
        };
        if let (true, Some(next)) = (holds, &rule.next) {
            let assigned = attempt.ja_assign(arena, rule.assign.as_ref(), &states)?;
            let output = attempt.ja_output_in(arena, rule.output.as_ref(), input, &states)?;
            return Ok(Outcome::next(next, output).with_assigned(assigned));
        }
    }
    let Some(next) = &choice.default else {
        return Err(StatesError::new(
            STATES_NO_CHOICE_MATCHED,
            Some(format!("No Matches! for state '{}'", attempt.name)),
        ));
    };
    let assigned = attempt.ja_assign(arena, choice.common.assign.as_ref(), &states)?;
    let output = attempt.ja_output_in(arena, choice.common.output.as_ref(), input, &states)?;
    Ok(Outcome::next(next, output).with_assigned(assigned))
}

/// Evaluate a condition against the effective input (a value of `arena`).
pub(crate) fn evaluate(
    condition: &Condition,
    arena: &mut Arena,
    input: NodeId,
    ctx: &Env<'_>,
) -> Result<bool, StatesError> {
    match condition {
        Condition::And(parts) => {
            for part in parts {
                if !evaluate(part, arena, input, ctx)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(parts) => {
            for part in parts {
                if evaluate(part, arena, input, ctx)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(inner) => Ok(!evaluate(inner, arena, input, ctx)?),
        Condition::Compare(comparison) => compare(comparison, arena, input, ctx),
        Condition::Jsonata(_) => Err(StatesError::runtime(
            "JSONata Condition is not supported by this engine",
        )),
    }
}

/// One comparison. The variable (and a path operand) are read in the arena
/// and only the value found is converted for the comparison: usually a
/// scalar.
fn compare(
    c: &Comparison,
    arena: &mut Arena,
    input: NodeId,
    ctx: &Env<'_>,
) -> Result<bool, StatesError> {
    let variable = match &c.variable_path {
        Some(parsed) => paths::arena::select(arena, &c.variable, parsed, input).ok(),
        None => io::read(arena, &c.variable, input, ctx).ok(),
    };
    let variable = variable.map(|found| arena.get(found).to_value());
    let expected = match &c.operand {
        Operand::Literal(v) => v.clone(),
        Operand::Path(p) => {
            let found = io::read(arena, p, input, ctx)?;
            arena.get(found).to_value()
        }
    };
    let flag = expected.as_bool();
    let Some(value) = variable else {
        return match c.operator.as_str() {
            "IsPresent" => Ok(flag == Some(false)),
            op if op.starts_with("Is") => Ok(false),
            _ => Err(StatesError::runtime(format!(
                "Invalid path '{}': The choice state's condition path references an invalid value.",
                c.variable
            ))),
        };
    };
    let op = c.operator.as_str();
    let is = |holds: bool| Ok(flag == Some(holds));
    match op {
        "IsPresent" => is(true),
        "IsNull" => is(value.is_null()),
        "IsNumeric" => is(value.is_number()),
        "IsString" => is(value.is_string()),
        "IsBoolean" => is(value.is_boolean()),
        "IsTimestamp" => is(value.as_str().and_then(parse_timestamp).is_some()),
        "BooleanEquals" => Ok(value.is_boolean() && expected.is_boolean() && value == expected),
        "StringMatches" => Ok(match (value.as_str(), expected.as_str()) {
            (Some(text), Some(pattern)) => wildcard_match(pattern, text),
            _ => false,
        }),
        _ => Ok(ordering(op, &value, &expected).is_some_and(|ord| relation_holds(op, ord))),
    }
}

fn ordering(op: &str, value: &Value, expected: &Value) -> Option<std::cmp::Ordering> {
    if op.starts_with("String") {
        Some(value.as_str()?.cmp(expected.as_str()?))
    } else if op.starts_with("Numeric") {
        if !value.is_number() {
            return None;
        }
        value.as_f64()?.partial_cmp(&expected.as_f64()?)
    } else if op.starts_with("Timestamp") {
        Some(parse_timestamp(value.as_str()?)?.cmp(&parse_timestamp(expected.as_str()?)?))
    } else {
        None
    }
}

fn relation_holds(op: &str, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    if op.ends_with("LessThanEquals") {
        ord != Greater
    } else if op.ends_with("GreaterThanEquals") {
        ord != Less
    } else if op.ends_with("LessThan") {
        ord == Less
    } else if op.ends_with("GreaterThan") {
        ord == Greater
    } else {
        ord == Equal
    }
}

/// Parse an ISO-8601 extended offset date-time (`2016-03-14T01:59:00Z`).
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    if text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    DateTime::parse_from_rfc3339(text).ok()
}

/// `StringMatches`: `*` matches any run of characters, `\*` a literal star
/// and `\\` a literal backslash.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    enum Token {
        Char(char),
        Star,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => tokens.push(Token::Char(chars.next().unwrap_or('\\'))),
            '*' => tokens.push(Token::Star),
            c => tokens.push(Token::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Classic greedy matcher with backtracking to the last star.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if Some(c) == text.get(t) => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|tok| matches!(tok, Token::Star)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::ChoiceRule;
    use serde_json::json;

    fn holds(rule: Value, input: Value) -> Result<bool, StatesError> {
        let rule = ChoiceRule::try_from(rule).map_err(StatesError::runtime)?;
        let variables = crate::executor::env::Variables::new();
        let context = crate::context::LazyContext::ready(json!({}));
        let mut arena = Arena::new();
        let input = arena.import(&input);
        evaluate(
            &rule.condition,
            &mut arena,
            input,
            &Env::new(&context, &variables),
        )
    }

    #[test]
    fn comparison_operators_are_type_strict() -> Result<(), StatesError> {
        let cases = [
            (
                json!({"Variable": "$.v", "NumericEquals": 1, "Next": "X"}),
                json!({"v": 1.0}),
                true,
            ),
            (
                json!({"Variable": "$.v", "NumericEquals": 1, "Next": "X"}),
                json!({"v": "1"}),
                false,
            ),
            (
                json!({"Variable": "$.v", "StringLessThan": "b", "Next": "X"}),
                json!({"v": "a"}),
                true,
            ),
            (
                json!({"Variable": "$.v", "BooleanEquals": false, "Next": "X"}),
                json!({"v": 0}),
                false,
            ),
            (
                json!({"Variable": "$.v", "NumericGreaterThanEqualsPath": "$.w", "Next": "X"}),
                json!({"v": 2, "w": 2}),
                true,
            ),
            (
                json!({"Variable": "$.v", "TimestampLessThan": "2020-01-01T00:00:00Z", "Next": "X"}),
                json!({"v": "2019-12-31T23:00:00-02:00"}),
                false,
            ),
            (
                json!({"Variable": "$.v", "IsNull": true, "Next": "X"}),
                json!({"v": null}),
                true,
            ),
            (
                json!({"Variable": "$.v", "IsPresent": false, "Next": "X"}),
                json!({}),
                true,
            ),
            (
                json!({"Not": {"Variable": "$.v", "IsString": true}, "Next": "X"}),
                json!({"v": 3}),
                true,
            ),
            (
                json!({"Or": [{"Variable": "$.v", "IsString": true}, {"Variable": "$.v", "IsNumeric": true}], "Next": "X"}),
                json!({"v": 3}),
                true,
            ),
        ];
        for (rule, input, expected) in cases {
            assert_eq!(holds(rule.clone(), input)?, expected, "{rule}");
        }
        Ok(())
    }

    // Decision: a `...Path` operator whose comparison path reads a value of
    // the wrong type does not match (no error). AWS documents no failure for
    // it, and the AWS-recorded corpus shows a type mismatch inside a `...Path`
    // comparison is no match (choice_operators/numeric_equals_path_20:
    // `"Variable": ""` against a number, and boolean_equals_path_00..31).
    // The peers disagree with each other: aws-local-stepfunctions raises
    // States.Runtime (src/stateMachine/stateActions/ChoiceStateAction.ts),
    // LocalStack answers false for NumericEqualsPath (state_choice/comparison/
    // operator/implementations/numeric.py).
    #[test]
    fn a_path_operand_of_the_wrong_type_does_not_match() -> Result<(), StatesError> {
        let cases = [
            (
                json!({"Variable": "$.v", "NumericEqualsPath": "$.w", "Next": "X"}),
                json!({"v": 1, "w": "1"}),
            ),
            (
                json!({"Variable": "$.v", "NumericLessThanPath": "$.w", "Next": "X"}),
                json!({"v": 1, "w": "9"}),
            ),
            (
                json!({"Variable": "$.v", "StringEqualsPath": "$.w", "Next": "X"}),
                json!({"v": "1", "w": 1}),
            ),
            (
                json!({"Variable": "$.v", "BooleanEqualsPath": "$.w", "Next": "X"}),
                json!({"v": true, "w": "true"}),
            ),
            (
                json!({"Variable": "$.v", "TimestampEqualsPath": "$.w", "Next": "X"}),
                json!({"v": "2020-01-01T00:00:00Z", "w": 5}),
            ),
        ];
        for (rule, input) in cases {
            assert!(!holds(rule.clone(), input)?, "{rule}");
        }
        Ok(())
    }

    #[test]
    fn string_matches_supports_wildcards_and_escapes() {
        assert!(wildcard_match("log-*.txt", "log-2020.txt"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("a*b", "ac"));
        assert!(wildcard_match(r"a\*b", "a*b"));
        assert!(!wildcard_match(r"a\*b", "axb"));
    }

    #[test]
    fn timestamps_need_the_t_separator_and_an_offset() {
        assert!(parse_timestamp("2016-03-14T01:59:00Z").is_some());
        assert!(parse_timestamp("2016-03-14 01:59:00Z").is_none());
        assert!(parse_timestamp("2016-03-14T01:59:00").is_none());
    }
}
