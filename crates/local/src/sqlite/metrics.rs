//! Counts, rates and delivery latency over the stored messages.
//!
//! The figures follow the port's definitions, as the in-memory reference
//! store computes them: success rate is completed / (completed + failed),
//! mean attempts is over finished (completed or failed) messages, and latency
//! percentiles use the nearest-rank method over delivered messages.

use std::collections::BTreeMap;

use rez_core::ports::{LatencySummary, Metrics, StoreError};
use rez_core::{Status, time};
use rusqlite::Connection;

use super::database::get_u64;
use super::error::store_error;

/// Computes [`Metrics`] over every message, in one read transaction.
pub(crate) fn compute(conn: &mut Connection) -> Result<Metrics, StoreError> {
    let tx = conn.transaction().map_err(store_error)?;
    let by_status = counts(&tx, "status")?;
    let by_stage = counts(&tx, "stage")?;
    let by_message_type = counts(&tx, "message_type")?;
    let total = by_status.values().sum();
    let (finished, attempts): (u64, u64) = tx
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(delivery_attempts), 0) FROM messages \
             WHERE status IN (?1, ?2)",
            [Status::Completed.as_str(), Status::Failed.as_str()],
            |row| Ok((get_u64(row, 0)?, get_u64(row, 1)?)),
        )
        .map_err(store_error)?;
    let completed = by_status
        .get(Status::Completed.as_str())
        .copied()
        .unwrap_or(0);
    let latencies = latencies(&tx)?;
    tx.finish().map_err(store_error)?;
    Ok(Metrics {
        total,
        by_status,
        by_stage,
        by_message_type,
        success_rate: ratio(completed, finished),
        delivery_latency_ms: LatencySummary::from_samples(latencies),
        mean_delivery_attempts: ratio(attempts, finished),
    })
}

/// Messages per value of `column` (a fixed column name, never user input).
fn counts(conn: &Connection, column: &str) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {column}, COUNT(*) FROM messages GROUP BY {column}"
        ))
        .map_err(store_error)?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, get_u64(row, 1)?)))
        .map_err(store_error)?;
    rows.collect::<Result<_, _>>().map_err(store_error)
}

/// Milliseconds from acceptance to delivery of every delivered message.
fn latencies(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, created_date, delivered_at FROM messages WHERE delivered_at IS NOT NULL",
        )
        .map_err(store_error)?;
    let mut rows = stmt.query([]).map_err(store_error)?;
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
