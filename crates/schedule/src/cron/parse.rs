//! Parsing one cron field's text into a [`Spec`].

use super::CronField;
use super::spec::{Atom, Base, Item, Spec};
use crate::error::{FieldProblem, ScheduleError};

/// Special characters that may appear inside an item; used to explain why a
/// token is not a value.
const SPECIALS: [char; 6] = ['?', 'L', 'W', '#', '/', '*'];

/// Parses the text of `field`.
///
/// # Errors
/// [`ScheduleError::CronField`] naming the first offending item.
pub(crate) fn parse_field(field: CronField, text: &str) -> Result<Spec, ScheduleError> {
    let raw_items: Vec<&str> = text.split(',').collect();
    let alone = raw_items.len() == 1;
    let mut items = Vec::with_capacity(raw_items.len());
    for raw in raw_items {
        if raw.is_empty() {
            return Err(problem(field, text, FieldProblem::EmptyItem));
        }
        match parse_special(field, raw)? {
            Some(_) if !alone => return Err(problem(field, raw, FieldProblem::NotAlone)),
            Some(spec) => return Ok(spec),
            None => items.push(parse_item(field, raw)?),
        }
    }
    Ok(Spec::List(items))
}

/// `?`, `L`, `LW`, `nW` (day-of-month) and `L`, `dL`, `d#k` (day-of-week).
fn parse_special(field: CronField, raw: &str) -> Result<Option<Spec>, ScheduleError> {
    if raw == "?" {
        return if field.allows('?') {
            Ok(Some(Spec::Any))
        } else {
            Err(not_allowed(field, raw, '?'))
        };
    }
    let upper = raw.to_ascii_uppercase();
    match field {
        CronField::DayOfMonth => {
            if upper == "L" {
                return Ok(Some(Spec::LastDayOfMonth));
            }
            if upper == "LW" {
                return Ok(Some(Spec::LastWeekdayOfMonth));
            }
            if let Some(day) = strip_suffix_ignore_case(raw, 'W')
                && !day.is_empty()
                && day.bytes().all(|b| b.is_ascii_digit())
            {
                let atom = parse_atom(field, day, raw)?;
                return Ok(Some(Spec::NearestWeekday(atom.value)));
            }
        }
        CronField::DayOfWeek => {
            if upper == "L" {
                return Ok(Some(Spec::LastDayOfWeek));
            }
            if let Some((day, nth)) = raw.split_once('#') {
                let atom = parse_atom(field, day, raw)?;
                let k = parse_number(nth)
                    .filter(|k| (1..=5).contains(k))
                    .ok_or_else(|| problem(field, raw, FieldProblem::OccurrenceOutOfRange))?;
                return Ok(Some(Spec::Nth(atom, k)));
            }
            if let Some(day) = strip_suffix_ignore_case(raw, 'L')
                && !day.is_empty()
            {
                return Ok(Some(Spec::LastOfMonth(parse_atom(field, day, raw)?)));
            }
        }
        _ => {}
    }
    Ok(None)
}

/// `*`, `a`, `a-b`, each optionally followed by `/n`.
fn parse_item(field: CronField, raw: &str) -> Result<Item, ScheduleError> {
    let (base_text, step) = match raw.split_once('/') {
        Some(_) if !field.allows('/') => return Err(not_allowed(field, raw, '/')),
        Some((base, step_text)) => {
            let span = field.max() - field.min() + 1;
            let step = parse_number(step_text)
                .filter(|n| (1..=span).contains(n))
                .ok_or_else(|| {
                    problem(field, raw, FieldProblem::IncrementOutOfRange { max: span })
                })?;
            (base, Some(step))
        }
        None => (raw, None),
    };
    let base = if base_text == "*" {
        Base::All
    } else if let Some((low, high)) = base_text.split_once('-') {
        let low = parse_atom(field, low, raw)?;
        let high = parse_atom(field, high, raw)?;
        if low.value > high.value {
            return Err(problem(field, raw, FieldProblem::BackwardsRange));
        }
        Base::Range(low, high)
    } else {
        Base::Value(parse_atom(field, base_text, raw)?)
    };
    Ok(Item { base, step })
}

/// A number or name within the field's range. `item` is the enclosing item,
/// quoted when `text` alone would not say much (e.g. it is empty).
fn parse_atom(field: CronField, text: &str, item: &str) -> Result<Atom, ScheduleError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let range = FieldProblem::OutOfRange {
            min: field.min(),
            max: field.max(),
        };
        return match parse_number(text) {
            Some(value) if (field.min()..=field.max()).contains(&value) => {
                Ok(Atom { value, name: None })
            }
            _ => Err(problem(field, text, range)),
        };
    }
    let named = field
        .names()
        .iter()
        .zip(field.min()..)
        .find(|(name, _)| name.eq_ignore_ascii_case(text));
    if let Some((name, value)) = named {
        return Ok(Atom {
            value,
            name: Some(name),
        });
    }
    if let Some(c) = SPECIALS
        .into_iter()
        .find(|&c| item.contains(c) && !field.allows(c))
    {
        return Err(not_allowed(field, item, c));
    }
    let token = if text.is_empty() { item } else { text };
    Err(problem(
        field,
        token,
        FieldProblem::NotAValue {
            expected: field.expected(),
        },
    ))
}

/// A plain decimal number (no sign); `None` if empty, not digits, or too large.
fn parse_number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn strip_suffix_ignore_case(text: &str, suffix: char) -> Option<&str> {
    text.strip_suffix(suffix)
        .or_else(|| text.strip_suffix(suffix.to_ascii_lowercase()))
}

fn not_allowed(field: CronField, token: &str, wildcard: char) -> ScheduleError {
    problem(
        field,
        token,
        FieldProblem::WildcardNotAllowed {
            wildcard,
            allowed: field.wildcards(),
        },
    )
}

fn problem(field: CronField, token: &str, problem: FieldProblem) -> ScheduleError {
    ScheduleError::CronField {
        field,
        token: token.to_owned(),
        problem,
    }
}
