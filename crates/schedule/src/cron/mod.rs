//! `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC
//! or in a time zone.
//!
//! | file | holds |
//! |---|---|
//! | `field.rs` | the six fields and what each accepts |
//! | `parse.rs` | one field's text → [`spec::Spec`] |
//! | `spec.rs` | the parsed field, its display and its value set |
//! | `days.rs` | day-of-month / day-of-week rules → matching days of a month |
//! | `calendar.rs` | month lengths, weekdays |
//! | `value_set.rs` | bit set with "next member" |
//! | `next.rs` | the field-skipping search |

mod calendar;
mod days;
mod field;
mod next;
mod parse;
mod spec;
mod value_set;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};

use self::days::DayRule;
pub use self::field::CronField;
use self::spec::Spec;
use self::value_set::ValueSet;
use crate::error::ScheduleError;

/// A parsed `cron(...)` expression.
///
/// Fields follow EventBridge, not Unix cron: six of them, the last being the
/// year (1970-2199); day-of-week runs 1-7 with 1 = Sunday; exactly one of
/// day-of-month and day-of-week is `?`. Supported forms: values, names
/// (`JAN`-`DEC`, `SUN`-`SAT`, any case), `a-b`, lists `a,b`, increments
/// `a/n`, `a-b/n`, `*/n` (not in day-of-week, as AWS documents), `L` and
/// `LW` and `nW` in day-of-month, `L` (alone: Saturday, the last day of
/// the week), `dL` and `d#k` (`k` 1-5) in day-of-week. The
/// special forms (`?`, `L`, `W`, `#`) must stand alone in their field, and
/// ranges may not wrap around (`FRI-MON` is rejected).
///
/// `nW` means the Monday-Friday nearest day `n` without leaving the month
/// (`1W` on a Saturday is Monday the 3rd); in a month that has no day `n`
/// (`31W` in April) it does not fire, just as plain `31` does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpression(Box<Compiled>);

/// The fields as written (for display) and compiled (for matching). Boxed in
/// [`CronExpression`] to keep [`crate::ScheduleExpression`] small.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Compiled {
    specs: [Spec; 6],
    minutes: ValueSet,
    hours: ValueSet,
    day: DayRule,
    months: ValueSet,
    years: ValueSet,
}

impl CronExpression {
    /// The first fire time strictly after `after` and not before `anchor`
    /// (a schedule never fires before it starts), or `None` if there is none
    /// up to the end of 2199.
    pub fn next_after(&self, after: DateTime<Utc>, anchor: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_after_in(&Utc, after, anchor)
    }

    /// [`next_after`](Self::next_after) with the fields read as wall-clock
    /// time in `zone`, as EventBridge Scheduler reads a cron schedule with a
    /// `ScheduleExpressionTimezone`. Across a daylight saving change it does
    /// what EventBridge documents: a wall-clock time the clocks skip over in
    /// spring does not fire, and one they repeat in autumn fires once, at its
    /// first occurrence
    /// (<https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst>).
    pub fn next_after_in<Z: TimeZone>(
        &self,
        zone: &Z,
        after: DateTime<Utc>,
        anchor: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let from = if anchor > after {
            ceil_to_minute(anchor)?
        } else {
            floor_to_minute(after)?.checked_add_signed(chrono::TimeDelta::minutes(1))?
        };
        // Offsets with seconds (historic local mean times) fall to the minute.
        let mut local_from = floor_naive_to_minute(from.with_timezone(zone).naive_local())?;
        for _ in 0..MAX_SKIPPED_LOCAL_TIMES {
            let local = next::first_at_or_after(&self.0, local_from)?;
            let fire = match zone.from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t),
                // The repeated hour: only its first pass fires.
                LocalResult::Ambiguous(first, _) => Some(first),
                // The skipped hour: that time never happens.
                LocalResult::None => None,
            }
            .map(|t| t.with_timezone(&Utc));
            if let Some(fire) = fire.filter(|t| *t >= from) {
                return Some(fire);
            }
            local_from = local.checked_add_signed(chrono::TimeDelta::minutes(1))?;
        }
        None
    }

    /// Whether the expression fires at `at` (which must fall on a whole minute).
    pub fn matches(&self, at: DateTime<Utc>) -> bool {
        let cron = &self.0;
        let (Ok(year), month, day) = (u32::try_from(at.year()), at.month(), at.day()) else {
            return false;
        };
        at.second() == 0
            && at.nanosecond() == 0
            && cron.minutes.contains(at.minute())
            && cron.hours.contains(at.hour())
            && cron.months.contains(month)
            && cron.years.contains(year)
            && cron.day.days(at.year(), month) & (1 << day) != 0
    }

    /// Parses the six fields (the text between `cron(` and `)`).
    fn from_fields(text: &str) -> Result<Self, ScheduleError> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [mi, h, dom, mo, dow, y] = parts[..] else {
            return Err(ScheduleError::CronFieldCount { found: parts.len() });
        };
        let texts = [mi, h, dom, mo, dow, y];
        let [s0, s1, s2, s3, s4, s5] =
            CronField::ALL.map(|field| parse::parse_field(field, texts[field.position() - 1]));
        let specs = [s0?, s1?, s2?, s3?, s4?, s5?];
        let day = match (&specs[2], &specs[4]) {
            (Spec::Any, other) if *other != Spec::Any => {
                DayRule::from_spec(CronField::DayOfWeek, other)
            }
            (other, Spec::Any) if *other != Spec::Any => {
                DayRule::from_spec(CronField::DayOfMonth, other)
            }
            _ => None,
        }
        .ok_or_else(|| ScheduleError::CronDayConflict {
            day_of_month: dom.to_owned(),
            day_of_week: dow.to_owned(),
        })?;
        let set = |field: CronField| specs[field.position() - 1].value_set(field);
        let (minutes, hours) = (set(CronField::Minutes), set(CronField::Hours));
        let (months, years) = (set(CronField::Month), set(CronField::Year));
        Ok(Self(Box::new(Compiled {
            minutes,
            hours,
            day,
            months,
            years,
            specs,
        })))
    }
}

impl FromStr for CronExpression {
    type Err = ScheduleError;

    /// Parses `cron(minutes hours day-of-month month day-of-week year)`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_fields(crate::unwrap_call(s, "cron")?)
    }
}

impl fmt::Display for CronExpression {
    /// `cron(...)` with single spaces, names in upper case; parses back to an equal value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [mi, h, dom, mo, dow, y] = &self.0.specs;
        write!(f, "cron({mi} {h} {dom} {mo} {dow} {y})")
    }
}

/// Local times one search may pass over that do not fire (skipped by a
/// clock change, or the second pass of a repeated hour) before it gives up:
/// a cron that matches only inside skipped hours (`cron(30 2 8 3 ? *)` in
/// New York) meets one a year, 230 up to 2199; a cron firing every minute
/// meets at most 60 in a row.
const MAX_SKIPPED_LOCAL_TIMES: usize = 100_000;

fn floor_naive_to_minute(t: NaiveDateTime) -> Option<NaiveDateTime> {
    t.with_second(0)?.with_nanosecond(0)
}

fn floor_to_minute(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0)
}

fn ceil_to_minute(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let floor = floor_to_minute(t)?;
    if floor == t {
        Some(floor)
    } else {
        floor.checked_add_signed(chrono::TimeDelta::minutes(1))
    }
}
