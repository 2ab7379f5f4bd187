//! The span of creation days the metrics count.
//!
//! Metrics count the messages created in the last [`METRICS_WINDOW_DAYS`]
//! UTC days, today included, rather than every stored message. The window is
//! shorter than [`RETENTION_DAYS`], so no message inside it has been deleted
//! by retention (the local sweep) or by DynamoDB's TTL: both homes report the
//! same figures for the same history, however far behind a deletion runs.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::message::RETENTION_DAYS;

/// How many UTC days of creation the metrics count, today included.
pub const METRICS_WINDOW_DAYS: u32 = 30;

const _: () = assert!(
    (METRICS_WINDOW_DAYS as i64) < RETENTION_DAYS,
    "the metrics window must end before retention deletes anything in it"
);

/// The days a metrics read counts: from [`MetricsWindow::first_day`] to the
/// day of the `now` it was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsWindow {
    first_day: NaiveDate,
}

impl MetricsWindow {
    /// The window of [`METRICS_WINDOW_DAYS`] days ending with `now`'s UTC day.
    pub fn ending(now: DateTime<Utc>) -> Self {
        let first_day = now.date_naive() - TimeDelta::days(i64::from(METRICS_WINDOW_DAYS) - 1);
        Self { first_day }
    }

    /// The first UTC day counted.
    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// The first instant counted: midnight UTC of [`Self::first_day`].
    pub fn since(&self) -> DateTime<Utc> {
        self.first_day.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// Whether a message created at `created` is counted.
    pub fn contains(&self, created: DateTime<Utc>) -> bool {
        created >= self.since()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_window_is_thirty_utc_days_ending_today() {
        let window = MetricsWindow::ending(at("2026-12-07T00:30:00Z"));
        assert_eq!(window.first_day().to_string(), "2026-11-08");
        assert_eq!(window.since(), at("2026-11-08T00:00:00Z"));
    }

    #[test]
    fn a_message_counts_from_the_first_instant_of_the_first_day() {
        let window = MetricsWindow::ending(at("2026-12-07T23:59:59Z"));
        assert!(window.contains(at("2026-11-08T00:00:00Z")));
        assert!(window.contains(at("2026-12-07T23:59:59Z")));
        assert!(!window.contains(at("2026-11-07T23:59:59.999Z")));
    }
}
