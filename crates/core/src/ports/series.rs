//! Messages per hour by status: the series the metrics charts draw.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::Status;

/// The longest series a store is asked for: seven days of hours.
pub const MAX_SERIES_HOURS: u32 = 24 * 7;

/// The messages created in one whole hour, counted by their current status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourlyCounts {
    /// The hour's first instant (RFC 3339, whole hour, UTC).
    pub start: DateTime<Utc>,
    /// Messages created in the hour, per status; every status is present.
    pub counts: BTreeMap<String, u64>,
}

/// An hourly series being counted: `hours` buckets ending with the one that
/// holds `now`, oldest first, every status at zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlySeries {
    first: DateTime<Utc>,
    buckets: Vec<HourlyCounts>,
}

impl HourlySeries {
    /// Empty buckets for the `hours` hours up to and including `now`'s
    /// (`hours` is clamped to 1..=[`MAX_SERIES_HOURS`]).
    pub fn new(now: DateTime<Utc>, hours: u32) -> Self {
        let hours = hours.clamp(1, MAX_SERIES_HOURS);
        let current = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now);
        let first = current - TimeDelta::hours(i64::from(hours) - 1);
        let zero: BTreeMap<String, u64> = Status::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), 0))
            .collect();
        let buckets = (0..hours)
            .map(|i| HourlyCounts {
                start: first + TimeDelta::hours(i64::from(i)),
                counts: zero.clone(),
            })
            .collect();
        Self { first, buckets }
    }

    /// The first instant counted: everything created before it is outside.
    pub fn since(&self) -> DateTime<Utc> {
        self.first
    }

    /// Counts `n` messages created at `created` now in `status`; instants
    /// outside the series are ignored.
    pub fn add(&mut self, created: DateTime<Utc>, status: &str, n: u64) {
        if created < self.first {
            return;
        }
        let index = (created - self.first).num_hours();
        let Ok(index) = usize::try_from(index) else {
            return;
        };
        if let Some(bucket) = self.buckets.get_mut(index) {
            *bucket.counts.entry(status.to_owned()).or_default() += n;
        }
    }

    /// The buckets, oldest first.
    pub fn into_buckets(self) -> Vec<HourlyCounts> {
        self.buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        crate::time::parse(text).unwrap()
    }

    #[test]
    fn buckets_end_with_the_current_hour_and_count_by_status() {
        let mut series = HourlySeries::new(at("2026-11-30T05:42:00Z"), 3);
        assert_eq!(series.since(), at("2026-11-30T03:00:00Z"));
        series.add(at("2026-11-30T02:59:59Z"), "completed", 1); // before: ignored
        series.add(at("2026-11-30T03:00:00Z"), "completed", 2);
        series.add(at("2026-11-30T05:10:00Z"), "failed", 1);
        series.add(at("2026-11-30T06:00:00Z"), "failed", 1); // after: ignored
        let buckets = series.into_buckets();
        assert_eq!(buckets.len(), 3);
        assert_eq!(buckets[0].start, at("2026-11-30T03:00:00Z"));
        assert_eq!(buckets[0].counts["completed"], 2);
        assert_eq!(buckets[1].counts.values().sum::<u64>(), 0);
        assert_eq!(buckets[2].counts["failed"], 1);
        assert_eq!(buckets[2].counts.len(), Status::ALL.len());
    }

    #[test]
    fn hours_are_clamped() {
        let now = at("2026-11-30T05:00:00Z");
        assert_eq!(HourlySeries::new(now, 0).into_buckets().len(), 1);
        assert_eq!(
            HourlySeries::new(now, 10_000).into_buckets().len(),
            MAX_SERIES_HOURS as usize
        );
    }
}
