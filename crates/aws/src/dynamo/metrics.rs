//! Metrics without scanning: counters kept beside the messages, per day.
//!
//! Every create and every transition adds the change it makes to a counters
//! item (`ADD`, in the same transaction as the message write, so the counts
//! never drift from the messages). A message is counted in the item of its
//! creation day (`counters#<shard>`, sort key `YYYY-MM-DD`), so a metrics
//! read sums the days of a [`MetricsWindow`](rez_core::ports::MetricsWindow):
//! one `Query` per shard (see `counters.rs`), whatever the table's size. The
//! window ends before DynamoDB's TTL deletes any of its messages, so the TTL
//! never leaves a counter that no message stands behind; each day's items
//! expire [`RETENTION_DAYS`] after the day, like its messages.
//!
//! The counters mirror the reference store's definitions: messages per
//! status, stage and type; `finished`, `attempts` and the attempts histogram
//! over messages in a final status; and a latency histogram over delivered
//! messages.
//!
//! # Latency precision
//!
//! Latencies go into fixed logarithmic buckets, four per doubling: bucket
//! `b ≥ 1` holds `[2^((b-1)/4), 2^(b/4))` ms, bucket 0 everything under 1 ms.
//! A percentile is the nearest-rank bucket's geometric midpoint, so p50, p90,
//! p99 and max are each within ±9.1 % (2^(1/8)) of the true value, rounded
//! to whole milliseconds. Latencies beyond ~40 days share the last bucket.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use chrono::{NaiveDate, TimeDelta};
use rez_core::message::RETENTION_DAYS;
use rez_core::ports::{LatencySummary, Metrics};
use rez_core::{Message, MessageId, Status, StoreError};

use super::items::{CREATED_DATE, ID, Item, get_i64, n, s};

/// How many counters items share the writes (fewer transaction conflicts).
pub(crate) const COUNTER_SHARDS: u32 = 4;
/// Buckets per doubling of latency.
const BUCKETS_PER_DOUBLING: f64 = 4.0;
/// The last bucket (≈ 2^31.75 ms ≈ 40 days and beyond).
const MAX_BUCKET: u32 = 127;

/// The TTL attribute (the same as the messages').
const TTL: &str = "ttl";
const TOTAL: &str = "total";
const FINISHED: &str = "finished";
const ATTEMPTS: &str = "attempts";
const STATUS_PREFIX: &str = "status_";
const STAGE_PREFIX: &str = "stage_";
const TYPE_PREFIX: &str = "type_";
const LATENCY_PREFIX: &str = "latency_b";
const ATTEMPTS_HISTOGRAM_PREFIX: &str = "attempts_n";

/// The id of counters shard `shard` (its days are the sort keys).
pub(crate) fn counters_id(shard: u32) -> String {
    format!("counters#{shard}")
}

/// The sort key of the counters of the messages created on `day`.
pub(crate) fn counters_day(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// When the counters item of `day` expires: [`RETENTION_DAYS`] after the
/// day ends, when the last of its messages has.
fn counters_ttl(day: NaiveDate) -> i64 {
    let end = (day + TimeDelta::days(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    end.timestamp() + RETENTION_DAYS * 24 * 3600
}

/// The shard a message's changes are counted in (from its id's random tail).
pub(crate) fn shard_for(id: &MessageId) -> u32 {
    let tail = id.as_str().bytes().last().unwrap_or(b'0');
    u32::from(tail) % COUNTER_SHARDS
}

/// The histogram bucket of a latency in milliseconds.
pub(crate) fn bucket(ms: i64) -> u32 {
    if ms < 1 {
        return 0;
    }
    let b = ((ms as f64).log2() * BUCKETS_PER_DOUBLING).floor() + 1.0;
    (b as u32).min(MAX_BUCKET)
}

/// The value a bucket stands for: its geometric midpoint, in milliseconds.
pub(crate) fn bucket_estimate(bucket: u32) -> i64 {
    if bucket == 0 {
        return 0;
    }
    (2f64.powf((f64::from(bucket) - 0.5) / BUCKETS_PER_DOUBLING)).round() as i64
}

/// Counter changes: attribute name → amount to add.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Delta(BTreeMap<String, i64>);

impl Delta {
    /// What storing `message` adds.
    pub(crate) fn created(message: &Message) -> Self {
        let mut delta = Delta::default();
        delta.add(TOTAL.to_owned(), 1);
        delta.count(message, 1);
        delta
    }

    /// What changing `old` into `new` adds.
    pub(crate) fn changed(old: &Message, new: &Message) -> Self {
        let mut delta = Delta::default();
        delta.count(old, -1);
        delta.count(new, 1);
        delta.0.retain(|_, v| *v != 0);
        delta
    }

    fn add(&mut self, name: String, amount: i64) {
        *self.0.entry(name).or_default() += amount;
    }

    /// Adds (`sign` 1) or removes (`sign` -1) one message's contributions.
    fn count(&mut self, m: &Message, sign: i64) {
        self.add(format!("{STATUS_PREFIX}{}", m.status), sign);
        self.add(format!("{STAGE_PREFIX}{}", m.stage), sign);
        self.add(format!("{TYPE_PREFIX}{}", m.message_type), sign);
        if m.status.is_final() {
            self.add(FINISHED.to_owned(), sign);
            self.add(ATTEMPTS.to_owned(), sign * i64::from(m.delivery_attempts));
            self.add(
                format!("{ATTEMPTS_HISTOGRAM_PREFIX}{}", m.delivery_attempts),
                sign,
            );
        }
        if let Some(ms) = m.delivery_latency_ms() {
            self.add(format!("{LATENCY_PREFIX}{}", bucket(ms)), sign);
        }
    }

    /// Whether nothing changes.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The transaction step applying this delta to the counters of `shard`
    /// for the messages created on `day`.
    pub(crate) fn update(
        &self,
        table: &str,
        shard: u32,
        day: NaiveDate,
    ) -> Result<Update, StoreError> {
        let mut expression = Vec::new();
        let mut names = HashMap::from([("#ttl".to_owned(), TTL.to_owned())]);
        let mut values = HashMap::from([(":ttl".to_owned(), n(counters_ttl(day)))]);
        for (i, (name, amount)) in self.0.iter().enumerate() {
            expression.push(format!("#c{i} :c{i}"));
            names.insert(format!("#c{i}"), name.clone());
            values.insert(format!(":c{i}"), n(amount));
        }
        Update::builder()
            .table_name(table)
            .key(ID, s(counters_id(shard)))
            .key(CREATED_DATE, s(counters_day(day)))
            .update_expression(format!("ADD {} SET #ttl = :ttl", expression.join(", ")))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(|e| StoreError::Unavailable(format!("building the counters update: {e}")))
    }
}

/// The metrics the counters items add up to.
pub(crate) fn metrics_from_counters(items: &[Item]) -> Result<Metrics, StoreError> {
    let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
    for item in items {
        // Every number is a count, except the item's expiry.
        let counts = item
            .iter()
            .filter(|(name, value)| matches!(value, AttributeValue::N(_)) && *name != TTL);
        for (name, _) in counts {
            let amount = get_i64(item, name)
                .map_err(|e| StoreError::Corrupt(format!("counters item: {e}")))?;
            *sums.entry(name.as_str()).or_default() += amount;
        }
    }
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut metrics = Metrics {
        total: count(sums.get(TOTAL).copied().unwrap_or(0)),
        ..Metrics::default()
    };
    let mut histogram = BTreeMap::new();
    for (name, value) in &sums {
        if *value <= 0 {
            continue;
        }
        if let Some(status) = name.strip_prefix(STATUS_PREFIX) {
            metrics.by_status.insert(status.to_owned(), count(*value));
        } else if let Some(stage) = name.strip_prefix(STAGE_PREFIX) {
            metrics.by_stage.insert(stage.to_owned(), count(*value));
        } else if let Some(kind) = name.strip_prefix(TYPE_PREFIX) {
            metrics
                .by_message_type
                .insert(kind.to_owned(), count(*value));
        } else if let Some(attempts) = name.strip_prefix(ATTEMPTS_HISTOGRAM_PREFIX) {
            metrics
                .attempts_histogram
                .insert(attempts.to_owned(), count(*value));
        } else if let Some(b) = name.strip_prefix(LATENCY_PREFIX) {
            let b: u32 = b
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("counters item: bad bucket {name}")))?;
            histogram.insert(b, count(*value));
        }
    }
    let finished = sums.get(FINISHED).copied().unwrap_or(0);
    if finished > 0 {
        let completed = metrics
            .by_status
            .get(Status::Completed.as_str())
            .copied()
            .unwrap_or(0);
        let attempts = sums.get(ATTEMPTS).copied().unwrap_or(0);
        metrics.success_rate = Some(completed as f64 / finished as f64);
        metrics.mean_delivery_attempts = Some(attempts as f64 / finished as f64);
    }
    metrics.delivery_latency_ms = latency_summary(&histogram);
    Ok(metrics)
}

/// Nearest-rank percentiles over a bucket histogram (bucket → count).
pub(crate) fn latency_summary(histogram: &BTreeMap<u32, u64>) -> LatencySummary {
    let total: u64 = histogram.values().sum();
    if total == 0 {
        return LatencySummary::default();
    }
    let pick = |p: f64| -> Option<i64> {
        let rank = ((p * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        histogram.iter().find_map(|(b, c)| {
            seen += c;
            (seen >= rank).then(|| bucket_estimate(*b))
        })
    };
    LatencySummary {
        count: total,
        p50: pick(0.50),
        p90: pick(0.90),
        p99: pick(0.99),
        max: histogram.keys().next_back().map(|b| bucket_estimate(*b)),
    }
}

#[cfg(test)]
mod tests;
