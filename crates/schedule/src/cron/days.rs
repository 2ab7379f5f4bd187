//! Which days of a given month match the day-of-month / day-of-week pair.

use super::CronField;
use super::calendar::{days_in_month, weekday};
use super::spec::Spec;
use super::value_set::ValueSet;

/// Saturday in AWS's day-of-week numbering.
const SATURDAY: u32 = 7;
/// Sunday in AWS's day-of-week numbering.
const SUNDAY: u32 = 1;

/// The compiled day constraint: exactly one of the two day fields, the other being `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DayRule {
    /// Days of the month from a list (days past the month's end never match).
    DaysOfMonth(ValueSet),
    /// `L`.
    LastDay,
    /// `LW`.
    LastWeekday,
    /// `nW`.
    NearestWeekday(u32),
    /// Days of the week from a list, 1 = Sunday.
    DaysOfWeek(ValueSet),
    /// `dL`.
    LastOfMonth(u32),
    /// `d#k`.
    Nth(u32, u32),
}

impl DayRule {
    /// Compiles the non-`?` field; `None` if the spec cannot appear in `field`.
    pub(crate) fn from_spec(field: CronField, spec: &Spec) -> Option<Self> {
        Some(match spec {
            Spec::Any => return None,
            Spec::List(_) => {
                let set = spec.value_set(field);
                match field {
                    CronField::DayOfWeek => DayRule::DaysOfWeek(set),
                    _ => DayRule::DaysOfMonth(set),
                }
            }
            Spec::LastDayOfMonth => DayRule::LastDay,
            Spec::LastWeekdayOfMonth => DayRule::LastWeekday,
            Spec::NearestWeekday(day) => DayRule::NearestWeekday(*day),
            Spec::LastDayOfWeek => {
                let mut set = ValueSet::new(1);
                set.insert(SATURDAY);
                DayRule::DaysOfWeek(set)
            }
            Spec::LastOfMonth(day) => DayRule::LastOfMonth(day.value),
            Spec::Nth(day, k) => DayRule::Nth(day.value, *k),
        })
    }

    /// The matching days of `month` in `year`, as a bit mask (bit `d` = day `d`).
    pub(crate) fn days(&self, year: i32, month: u32) -> u32 {
        let last = days_in_month(year, month);
        if last == 0 {
            return 0;
        }
        let bit = |day: u32| {
            if (1..=last).contains(&day) {
                1u32 << day
            } else {
                0
            }
        };
        let all = |keep: &dyn Fn(u32) -> bool| {
            (1..=last)
                .filter(|&d| keep(d))
                .map(bit)
                .fold(0, |m, b| m | b)
        };
        match self {
            DayRule::DaysOfMonth(set) => all(&|d| set.contains(d)),
            DayRule::LastDay => bit(last),
            DayRule::LastWeekday => match weekday(year, month, last) {
                SATURDAY => bit(last - 1),
                SUNDAY => bit(last - 2),
                _ => bit(last),
            },
            DayRule::NearestWeekday(day) => bit(nearest_weekday(year, month, *day, last)),
            DayRule::DaysOfWeek(set) => all(&|d| set.contains(weekday(year, month, d))),
            DayRule::LastOfMonth(wd) => {
                let back = (weekday(year, month, last) + 7 - wd) % 7;
                bit(last - back)
            }
            DayRule::Nth(wd, k) => {
                let first = 1 + (wd + 7 - weekday(year, month, 1)) % 7;
                bit(first + 7 * k.saturating_sub(1))
            }
        }
    }
}

/// The Monday-Friday day nearest `day`, never crossing into another month;
/// 0 (no day) when the month has no day `day`.
fn nearest_weekday(year: i32, month: u32, day: u32, last: u32) -> u32 {
    if day > last {
        return 0;
    }
    match weekday(year, month, day) {
        SATURDAY if day == 1 => 3,
        SATURDAY => day - 1,
        SUNDAY if day == last => day - 2,
        SUNDAY => day + 1,
        _ => day,
    }
}
