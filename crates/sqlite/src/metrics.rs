//! Counts, rates and delivery latency over the messages created in a
//! [`MetricsWindow`].
//!
//! The figures follow the port's definitions, as the in-memory reference
//! store computes them: success rate is completed / (completed + failed),
//! mean attempts is over finished (completed or failed) messages, and latency
//! percentiles use the nearest-rank method over delivered messages.

use std::collections::BTreeMap;

use rez_core::ports::{
    HourlyCounts, HourlySeries, LatencySummary, Metrics, MetricsWindow, StoreError,
};
use rez_core::{Status, time};
use rusqlite::Connection;

use super::database::get_u64;
use super::error::store_error;

/// Computes [`Metrics`] over the messages created in `window`, in one read
/// transaction.
pub(crate) fn compute(conn: &mut Connection, window: MetricsWindow) -> Result<Metrics, StoreError> {
    let since = time::format(window.since());
    let tx = conn.transaction().map_err(store_error)?;
    let by_status = counts(&tx, "status", &since)?;
    let by_stage = counts(&tx, "stage", &since)?;
    let by_message_type = counts(&tx, "message_type", &since)?;
    let total = by_status.values().sum();
    let (finished, attempts): (u64, u64) = tx
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(delivery_attempts), 0) FROM messages \
             WHERE status IN (?1, ?2) AND created_date >= ?3",
            [Status::Completed.as_str(), Status::Failed.as_str(), &since],
            |row| Ok((get_u64(row, 0)?, get_u64(row, 1)?)),
        )
        .map_err(store_error)?;
    let completed = by_status
        .get(Status::Completed.as_str())
        .copied()
        .unwrap_or(0);
    let latencies = latencies(&tx, &since)?;
    let attempts_histogram = attempts_histogram(&tx, &since)?;
    tx.finish().map_err(store_error)?;
    Ok(Metrics {
        total,
        by_status,
        by_stage,
        by_message_type,
        success_rate: ratio(completed, finished),
        delivery_latency_ms: LatencySummary::from_samples(latencies),
        mean_delivery_attempts: ratio(attempts, finished),
        attempts_histogram,
    })
}

/// Finished messages created since `since` by their delivery attempts.
fn attempts_histogram(conn: &Connection, since: &str) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT delivery_attempts, COUNT(*) FROM messages WHERE status IN (?1, ?2) \
             AND created_date >= ?3 GROUP BY delivery_attempts",
        )
        .map_err(store_error)?;
    let rows = stmt
        .query_map(
            [Status::Completed.as_str(), Status::Failed.as_str(), since],
            |row| Ok((get_u64(row, 0)?.to_string(), get_u64(row, 1)?)),
        )
        .map_err(store_error)?;
    rows.collect::<Result<_, _>>().map_err(store_error)
}

/// Counts the messages created since `series.since()` into it, per status
/// from the `(status, created_date)` index, grouped by hour in SQL.
pub(crate) fn hourly(
    conn: &mut Connection,
    mut series: HourlySeries,
) -> Result<Vec<HourlyCounts>, StoreError> {
    let since = time::format(series.since());
    let mut stmt = conn
        .prepare_cached(
            "SELECT substr(created_date, 1, 13), COUNT(*) FROM messages \
             WHERE status = ?1 AND created_date >= ?2 GROUP BY 1",
        )
        .map_err(store_error)?;
    for status in Status::ALL {
        let rows = stmt
            .query_map(rusqlite::params![status.as_str(), since], |row| {
                Ok((row.get::<_, String>(0)?, get_u64(row, 1)?))
            })
            .map_err(store_error)?;
        for row in rows {
            let (hour, count) = row.map_err(store_error)?;
            let start = time::parse(&format!("{hour}:00:00Z"))
                .map_err(|e| StoreError::Corrupt(format!("created_date hour {hour}: {e}")))?;
            series.add(start, status.as_str(), count);
        }
    }
    Ok(series.into_buckets())
}

/// Messages created since `since` per value of `column` (a fixed column
/// name, never user input).
fn counts(
    conn: &Connection,
    column: &str,
    since: &str,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {column}, COUNT(*) FROM messages WHERE created_date >= ?1 GROUP BY {column}"
        ))
        .map_err(store_error)?;
    let rows = stmt
        .query_map([since], |row| Ok((row.get(0)?, get_u64(row, 1)?)))
        .map_err(store_error)?;
    rows.collect::<Result<_, _>>().map_err(store_error)
}

/// Milliseconds from acceptance to delivery of every delivered message
/// created since `since`.
fn latencies(conn: &Connection, since: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, created_date, delivered_at FROM messages \
             WHERE delivered_at IS NOT NULL AND created_date >= ?1",
        )
        .map_err(store_error)?;
    let mut rows = stmt.query([since]).map_err(store_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(store_error)? {
        let id: String = row.get(0).map_err(store_error)?;
        let created: String = row.get(1).map_err(store_error)?;
        let delivered: String = row.get(2).map_err(store_error)?;
        let parse = |text: &str, column: &str| {
            time::parse(text)
                .map_err(|e| StoreError::Corrupt(format!("message {id}: column {column}: {e}")))
        };
        let latency = parse(&delivered, "delivered_at")? - parse(&created, "created_date")?;
        out.push(latency.num_milliseconds());
    }
    Ok(out)
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
