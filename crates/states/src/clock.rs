//! The wall clock for history timestamps, read often and cheaply.
//!
//! An execution reads the time for nearly every event. `Utc::now()` turns
//! the seconds since 1970 into a calendar date each time (chrono's
//! `from_num_days_from_ce_opt`, most of its cost); the date changes once a
//! day, so each thread keeps the last day's date and only works out the
//! time of day.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

const SECONDS_PER_DAY: u64 = 86_400;

thread_local! {
    /// The last day read on this thread: days since 1970 and its date.
    static LAST_DAY: Cell<Option<(u64, NaiveDate)>> = const { Cell::new(None) };
}

/// The current time, as `Utc::now()` gives it.
pub(crate) fn now() -> DateTime<Utc> {
    let Ok(since_epoch) = SystemTime::now().duration_since(UNIX_EPOCH) else {
        // A clock set before 1970: chrono handles it.
        return Utc::now();
    };
    let seconds = since_epoch.as_secs();
    let day = seconds / SECONDS_PER_DAY;
    let date = match LAST_DAY.get() {
        Some((last, date)) if last == day => Some(date),
        _ => {
            let date = DateTime::from_timestamp(day_start(day), 0).map(|t| t.date_naive());
            if let Some(date) = date {
                LAST_DAY.set(Some((day, date)));
            }
            date
        }
    };
    // Seconds of a day fit in u32; nanoseconds are below 10^9.
    let seconds_of_day = u32::try_from(seconds % SECONDS_PER_DAY).unwrap_or(0);
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt(seconds_of_day, since_epoch.subsec_nanos());
    match (date, time) {
        (Some(date), Some(time)) => NaiveDateTime::new(date, time).and_utc(),
        _ => Utc::now(),
    }
}

/// The Unix time at the start of `day` (days since 1970).
fn day_start(day: u64) -> i64 {
    i64::try_from(day * SECONDS_PER_DAY).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_same_time_as_chrono() {
        for _ in 0..3 {
            let before = Utc::now();
            let ours = now();
            let after = Utc::now();
            assert!(before <= ours && ours <= after, "{before} {ours} {after}");
        }
    }

    #[test]
    fn a_cached_day_that_is_not_today_is_replaced() {
        let yesterday = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() / SECONDS_PER_DAY - 1)
            .unwrap_or_default();
        LAST_DAY.set(Some((yesterday, NaiveDate::MIN)));
        let before = Utc::now();
        let ours = now();
        assert!(ours >= before && ours.date_naive() != NaiveDate::MIN);
    }
}
