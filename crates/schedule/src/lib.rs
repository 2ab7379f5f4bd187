//! EventBridge Scheduler expressions (cron, rate, at): parsing and next fire times.
//!
//! The syntax follows AWS's documentation:
//! <https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html>.
//! Cron fields and `at` times are read in UTC, or as wall-clock time in a
//! time zone ([`ScheduleExpression::next_after_in`]); cron has minute
//! precision. [`Timing`] adds what a schedule has beside its expression.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use rez_schedule::ScheduleExpression;
//!
//! let noon: ScheduleExpression = "cron(0 12 * * ? *)".parse()?;
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
//! assert_eq!(
//!     noon.next_after(now, now),
//!     Some(Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()),
//! );
//! assert_eq!(noon.to_string(), "cron(0 12 * * ? *)");
//! # Ok::<(), rez_schedule::ScheduleError>(())
//! ```
//!
//! | module | holds |
//! |---|---|
//! | [`lib.rs`](self) | [`ScheduleExpression`]: dispatch on `cron(`, `rate(`, `at(` |
//! | `error.rs` | [`ScheduleError`], [`FieldProblem`] |
//! | `cron/` | [`CronExpression`]: fields, parsing, day rules, the next-time search |
//! | `rate.rs` | [`RateExpression`], [`RateUnit`] |
//! | `at.rs` | the one-time `at(...)` form |
//! | `timing.rs` | [`Timing`]: an expression with its zone, start and end; [`time_zone`] |

mod at;
mod cron;
mod error;
mod rate;
mod timing;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

pub use crate::cron::{CronExpression, CronField};
pub use crate::error::{FieldProblem, ScheduleError};
pub use crate::rate::{RateExpression, RateUnit};
pub use crate::timing::{Timing, time_zone};
pub use chrono_tz::Tz;

/// A parsed EventBridge Scheduler schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleExpression {
    /// `cron(minutes hours day-of-month month day-of-week year)`.
    Cron(CronExpression),
    /// `rate(value unit)`.
    Rate(RateExpression),
    /// `at(yyyy-mm-ddThh:mm:ss)`, in UTC or the schedule's zone. Displayed to whole seconds, so a
    /// value built with sub-second precision does not round-trip exactly.
    At(NaiveDateTime),
}

impl ScheduleExpression {
    /// The first fire time strictly after `after`. `anchor` is when the
    /// schedule was started: rate schedules fire at `anchor` and every period
    /// after it, cron schedules never fire before it, and `at` ignores it.
    /// `None` when the schedule never fires again (an `at` in the past, or a
    /// cron with no match up to 2199).
    pub fn next_after(&self, after: DateTime<Utc>, anchor: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_after_in(&Utc, after, anchor)
    }

    /// [`next_after`](Self::next_after) with cron fields and `at` times read
    /// as wall-clock time in `zone` (see [`CronExpression::next_after_in`]
    /// for daylight saving changes). A rate counts elapsed time, whatever
    /// the zone: a day is 24 hours even when the clocks change, as
    /// EventBridge Scheduler counts it.
    pub fn next_after_in<Z: TimeZone>(
        &self,
        zone: &Z,
        after: DateTime<Utc>,
        anchor: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self {
            ScheduleExpression::Cron(cron) => cron.next_after_in(zone, after, anchor),
            ScheduleExpression::Rate(rate) => rate.next_after(after, anchor),
            ScheduleExpression::At(at) => at::next_after_in(*at, zone, after),
        }
    }
}

impl FromStr for ScheduleExpression {
    type Err = ScheduleError;

    /// Parses `cron(...)`, `rate(...)` or `at(...)`; the keyword is lower case
    /// and there is no surrounding whitespace.
    ///
    /// # Errors
    /// A [`ScheduleError`] saying what is wrong and where.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("cron(") {
            s.parse().map(ScheduleExpression::Cron)
        } else if s.starts_with("rate(") {
            s.parse().map(ScheduleExpression::Rate)
        } else if s.starts_with("at(") {
            at::parse(s).map(ScheduleExpression::At)
        } else {
            Err(ScheduleError::UnknownKind {
                expression: s.to_owned(),
            })
        }
    }
}

impl fmt::Display for ScheduleExpression {
    /// The canonical text, which parses back to an equal expression.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleExpression::Cron(cron) => write!(f, "{cron}"),
            ScheduleExpression::Rate(rate) => write!(f, "{rate}"),
            ScheduleExpression::At(at) => write!(f, "at({})", at.format(at::FORMAT)),
        }
    }
}

/// The text between `name(` and the final `)`.
fn unwrap_call<'a>(s: &'a str, name: &str) -> Result<&'a str, ScheduleError> {
    let body = s
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('('))
        .ok_or_else(|| ScheduleError::UnknownKind {
            expression: s.to_owned(),
        })?;
    body.strip_suffix(')')
        .ok_or_else(|| ScheduleError::Unclosed {
            expression: s.to_owned(),
        })
}
