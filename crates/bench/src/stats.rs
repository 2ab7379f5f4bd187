//! Latency histograms, percentiles and medians.

use std::time::Duration;

use hdrhistogram::Histogram;

/// A latency distribution in microseconds (1 µs to 10 min, 3 significant digits).
pub(crate) struct Latencies {
    histogram: Histogram<u64>,
}

impl Latencies {
    /// An empty distribution.
    pub(crate) fn new() -> anyhow::Result<Self> {
        Ok(Self {
            histogram: Histogram::new_with_bounds(1, 600_000_000, 3)?,
        })
    }

    /// Records one latency (clamped to the histogram's range).
    pub(crate) fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.histogram
            .saturating_record(micros.clamp(1, 600_000_000));
    }

    /// How many were recorded.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        self.histogram.len()
    }

    /// Adds another distribution's values.
    pub(crate) fn add(&mut self, other: &Latencies) -> anyhow::Result<()> {
        self.histogram.add(&other.histogram)?;
        Ok(())
    }

    /// p50, p90, p99 and max, in milliseconds.
    pub(crate) fn summary(&self) -> Summary {
        let ms = |micros: u64| micros as f64 / 1000.0;
        Summary {
            p50: ms(self.histogram.value_at_quantile(0.50)),
            p90: ms(self.histogram.value_at_quantile(0.90)),
            p99: ms(self.histogram.value_at_quantile(0.99)),
            max: ms(self.histogram.max()),
        }
    }
}

/// Percentiles of one distribution, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Summary {
    /// Median.
    pub(crate) p50: f64,
    /// 90th percentile.
    pub(crate) p90: f64,
    /// 99th percentile.
    pub(crate) p99: f64,
    /// Largest.
    pub(crate) max: f64,
}

impl Summary {
    /// The field-wise median of several runs' summaries.
    pub(crate) fn median_of(runs: &[Summary]) -> Summary {
        let pick = |f: fn(&Summary) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
        Summary {
            p50: pick(|s| s.p50),
            p90: pick(|s| s.p90),
            p99: pick(|s| s.p99),
            max: pick(|s| s.max),
        }
    }

    /// `p50 / p90 / p99 / max` in ms, for a table cell.
    pub(crate) fn cell(&self) -> String {
        format!(
            "{:.2} / {:.2} / {:.2} / {:.2}",
            self.p50, self.p90, self.p99, self.max
        )
    }
}

/// The median (the mean of the two middle values for an even count); 0 for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn percentiles_of_one_to_a_thousand_ms() {
        let mut latencies = Latencies::new().unwrap();
        for ms in 1..=1000 {
            latencies.record(Duration::from_millis(ms));
        }
        let summary = latencies.summary();
        assert_eq!(latencies.len(), 1000);
        assert!((summary.p50 - 500.0).abs() < 1.0, "{summary:?}");
        assert!((summary.p99 - 990.0).abs() < 1.0, "{summary:?}");
        assert!((summary.max - 1000.0).abs() < 1.0, "{summary:?}");
    }
}
