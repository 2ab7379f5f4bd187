//! The parsed form of one cron field, kept as written so that it displays back
//! the same way, and its compilation into sets of matching values.

use std::fmt;

use super::CronField;
use super::value_set::ValueSet;

/// A single value: a number, or a name (`MON`, `JAN`) standing for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Atom {
    pub(crate) value: u32,
    pub(crate) name: Option<&'static str>,
}

/// What an item ranges over before its increment is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    /// `*`: the whole field.
    All,
    /// `a`: one value, or with an increment, `a` to the field's maximum.
    Value(Atom),
    /// `a-b`, inclusive.
    Range(Atom, Atom),
}

/// One comma-separated item: a base with an optional increment `/n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) base: Base,
    pub(crate) step: Option<u32>,
}

/// A whole field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Spec {
    /// `?` (day fields only): no constraint from this field.
    Any,
    /// Comma-separated items.
    List(Vec<Item>),
    /// `L` in day-of-month: the last day of the month.
    LastDayOfMonth,
    /// `LW` in day-of-month: the last weekday (Mon-Fri) of the month.
    LastWeekdayOfMonth,
    /// `nW` in day-of-month: the weekday nearest day `n`, without leaving the month.
    NearestWeekday(u32),
    /// `L` alone in day-of-week: the last day of the week, Saturday.
    LastDayOfWeek,
    /// `dL` in day-of-week: the last day `d` of the month.
    LastOfMonth(Atom),
    /// `d#k` in day-of-week: the `k`-th day `d` of the month.
    Nth(Atom, u32),
}

impl Spec {
    /// The set of values a list allows; empty for the special forms, which
    /// only day fields have and which [`super::days::DayRule`] handles.
    pub(crate) fn value_set(&self, field: CronField) -> ValueSet {
        let mut set = ValueSet::new(field.min());
        let Spec::List(items) = self else {
            return set;
        };
        for item in items {
            let (low, high) = match item.base {
                Base::All => (field.min(), field.max()),
                Base::Value(a) if item.step.is_some() => (a.value, field.max()),
                Base::Value(a) => (a.value, a.value),
                Base::Range(a, b) => (a.value, b.value),
            };
            let step = item.step.unwrap_or(1).max(1);
            let mut v = low;
            while v <= high {
                set.insert(v);
                match v.checked_add(step) {
                    Some(next) => v = next,
                    None => break,
                }
            }
        }
        set
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.value),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.base {
            Base::All => f.write_str("*")?,
            Base::Value(a) => write!(f, "{a}")?,
            Base::Range(a, b) => write!(f, "{a}-{b}")?,
        }
        match self.step {
            Some(step) => write!(f, "/{step}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Any => f.write_str("?"),
            Spec::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
            Spec::LastDayOfMonth | Spec::LastDayOfWeek => f.write_str("L"),
            Spec::LastWeekdayOfMonth => f.write_str("LW"),
            Spec::NearestWeekday(day) => write!(f, "{day}W"),
            Spec::LastOfMonth(day) => write!(f, "{day}L"),
            Spec::Nth(day, k) => write!(f, "{day}#{k}"),
        }
    }
}
