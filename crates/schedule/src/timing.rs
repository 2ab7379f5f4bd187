//! A schedule's timing: its expression, the time zone it is read in, and the
//! window it fires within, as EventBridge Scheduler's `ScheduleExpression`,
//! `ScheduleExpressionTimezone`, `StartDate` and `EndDate` give it.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::{ScheduleError, ScheduleExpression, at};

/// When a schedule fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    expression: ScheduleExpression,
    zone: Tz,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
}

impl Timing {
    /// The timing of `expression` read in `zone`, from `start` (the schedule's
    /// start date, or when it was created: a rate fires then and every period
    /// after, nothing fires before it) and before `end`.
    ///
    /// # Errors
    /// [`ScheduleError::EndNotAfterStart`], and
    /// [`ScheduleError::AtSkippedInZone`] for an `at` time that the zone's
    /// clocks skip.
    pub fn new(
        expression: ScheduleExpression,
        zone: Tz,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Result<Self, ScheduleError> {
        if let Some(end) = end.filter(|end| *end <= start) {
            return Err(ScheduleError::EndNotAfterStart {
                start: start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                end: end.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            });
        }
        if let ScheduleExpression::At(time) = &expression
            && at::instant_in(*time, &zone).is_none()
        {
            return Err(ScheduleError::AtSkippedInZone {
                expression: expression.to_string(),
                zone: zone.name().to_owned(),
            });
        }
        Ok(Self {
            expression,
            zone,
            start,
            end,
        })
    }

    /// The expression.
    pub fn expression(&self) -> &ScheduleExpression {
        &self.expression
    }

    /// The zone the expression is read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The first fire time strictly after `after`, or `None` when the
    /// schedule has fired for the last time (an `at` past, the end date
    /// reached). EventBridge's `EndDate` is the time before which a schedule
    /// may fire, so a fire exactly at `end` does not happen.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.expression
            .next_after_in(&self.zone, after, self.start)
            .filter(|fire| self.end.is_none_or(|end| *fire < end))
    }

    /// Up to `count` fire times after `after`, in order.
    pub fn next_fire_times(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        std::iter::successors(self.next_after(after), |last| self.next_after(*last))
            .take(count)
            .collect()
    }
}

/// The zone an IANA name (`Europe/Berlin`, `America/New_York`, `UTC`) names,
/// as written: EventBridge Scheduler takes the names of the tz database.
///
/// # Errors
/// [`ScheduleError::UnknownTimeZone`].
pub fn time_zone(name: &str) -> Result<Tz, ScheduleError> {
    name.parse().map_err(|_| ScheduleError::UnknownTimeZone {
        name: name.to_owned(),
    })
}
