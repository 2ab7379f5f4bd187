//! `rate(value unit)`: a fixed interval counted from the schedule's start.
//!
//! AWS requires the singular unit for a value of 1 and the plural otherwise:
//! `rate(1 hour)` and `rate(5 hours)` are valid, `rate(1 hours)` and
//! `rate(5 hour)` are not
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html>).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::ScheduleError;

/// The unit of a [`RateExpression`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateUnit {
    /// `minute` / `minutes`.
    Minutes,
    /// `hour` / `hours`.
    Hours,
    /// `day` / `days`.
    Days,
}

impl RateUnit {
    /// Length of one unit in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            RateUnit::Minutes => 60,
            RateUnit::Hours => 3_600,
            RateUnit::Days => 86_400,
        }
    }

    /// The spelling AWS requires with `value`: singular for 1, plural otherwise.
    pub fn spelling(self, value: u32) -> &'static str {
        match (self, value == 1) {
            (RateUnit::Minutes, true) => "minute",
            (RateUnit::Minutes, false) => "minutes",
            (RateUnit::Hours, true) => "hour",
            (RateUnit::Hours, false) => "hours",
            (RateUnit::Days, true) => "day",
            (RateUnit::Days, false) => "days",
        }
    }

    /// The unit and whether it was written in the singular.
    fn parse(text: &str) -> Option<(Self, bool)> {
        Some(match text {
            "minute" => (RateUnit::Minutes, true),
            "minutes" => (RateUnit::Minutes, false),
            "hour" => (RateUnit::Hours, true),
            "hours" => (RateUnit::Hours, false),
            "day" => (RateUnit::Days, true),
            "days" => (RateUnit::Days, false),
            _ => return None,
        })
    }
}

/// A parsed `rate(value unit)` expression: fires at the anchor and every
/// `value` units after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateExpression {
    value: u32,
    unit: RateUnit,
}

impl RateExpression {
    /// A rate of `value` units.
    ///
    /// # Errors
    /// [`ScheduleError::RateValue`] if `value` is 0.
    pub fn new(value: u32, unit: RateUnit) -> Result<Self, ScheduleError> {
        if value == 0 {
            return Err(ScheduleError::RateValue {
                value: value.to_string(),
            });
        }
        Ok(Self { value, unit })
    }

    /// The number of units between fires (at least 1).
    pub fn value(&self) -> u32 {
        self.value
    }

    /// The unit.
    pub fn unit(&self) -> RateUnit {
        self.unit
    }

    /// The interval between fires.
    pub fn period(&self) -> TimeDelta {
        TimeDelta::seconds(self.period_seconds())
    }

    /// The first of `anchor`, `anchor + period`, `anchor + 2 × period`, …
    /// strictly after `after`; `None` only past chrono's representable range.
    pub fn next_after(&self, after: DateTime<Utc>, anchor: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if after < anchor {
            return Some(anchor);
        }
        let nanos = |t: DateTime<Utc>| {
            i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
        };
        let period = i128::from(self.period_seconds());
        let elapsed = nanos(after) - nanos(anchor);
        let periods = elapsed / (period * 1_000_000_000) + 1;
        let offset = i64::try_from(periods * period).ok()?;
        anchor.checked_add_signed(TimeDelta::try_seconds(offset)?)
    }

    fn period_seconds(&self) -> i64 {
        i64::from(self.value) * self.unit.seconds()
    }
}

impl FromStr for RateExpression {
    type Err = ScheduleError;

    /// Parses `rate(value unit)`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let inner = crate::unwrap_call(s, "rate")?;
        let parts: Vec<&str> = inner.split_whitespace().collect();
        let [value_text, unit_text] = parts[..] else {
            return Err(ScheduleError::RateSyntax {
                expression: s.to_owned(),
            });
        };
        let value = value_text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| value_text.parse::<u32>().ok())
            .flatten()
            .filter(|v| *v > 0)
            .ok_or_else(|| ScheduleError::RateValue {
                value: value_text.to_owned(),
            })?;
        let (unit, singular) =
            RateUnit::parse(unit_text).ok_or_else(|| ScheduleError::RateUnit {
                unit: unit_text.to_owned(),
            })?;
        if singular != (value == 1) {
            return Err(ScheduleError::RateUnitNumber {
                value,
                unit: unit_text.to_owned(),
                expected: unit.spelling(value),
            });
        }
        Ok(Self { value, unit })
    }
}

impl fmt::Display for RateExpression {
    /// `rate(5 minutes)`, `rate(1 hour)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rate({} {})", self.value, self.unit.spelling(self.value))
    }
}
