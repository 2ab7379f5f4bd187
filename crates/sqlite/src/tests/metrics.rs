//! Metrics over a known data set.

use chrono::Duration;
use rez_core::ports::{LatencySummary, MessageStore, MetricsWindow};
use rez_core::{MessageType, Stage, Status};

use super::fixtures::{TestResult, at, message, temp_db};
use crate::SqliteStore;

#[tokio::test]
async fn metrics_count_rate_latency_and_attempts_of_a_known_data_set() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    // (stage, status, type, attempts, delivered after ms)
    let data = [
        (
            Stage::Dev,
            Status::Completed,
            MessageType::Notification,
            1,
            Some(100),
        ),
        (
            Stage::Dev,
            Status::Completed,
            MessageType::Notification,
            2,
            Some(300),
        ),
        (
            Stage::Prod,
            Status::Completed,
            MessageType::Scheduled,
            1,
            Some(200),
        ),
        (
            Stage::Prod,
            Status::Failed,
            MessageType::Notification,
            3,
            None,
        ),
        (Stage::Prod, Status::Queued, MessageType::Scheduled, 0, None),
    ];
    for (i, (stage, status, kind, attempts, delivered)) in data.into_iter().enumerate() {
        let mut m = message(at(i as i64), stage, status, kind);
        m.delivery_attempts = attempts;
        m.delivered_at = delivered.map(|ms| m.created_date + Duration::milliseconds(ms));
        store.create(&m, None).await?;
    }

    let metrics = store.metrics(MetricsWindow::ending(at(0))).await?;
    assert_eq!(metrics.total, 5);
    let counts = |pairs: &[(&str, u64)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    assert_eq!(
        metrics.by_status,
        counts(&[("completed", 3), ("failed", 1), ("queued", 1)])
    );
    assert_eq!(metrics.by_stage, counts(&[("dev", 2), ("prod", 3)]));
    assert_eq!(
        metrics.by_message_type,
        counts(&[("notification", 3), ("scheduled", 2)])
    );
    assert_eq!(metrics.success_rate, Some(0.75));
    assert_eq!(metrics.mean_delivery_attempts, Some(1.75));
    assert_eq!(
        metrics.attempts_histogram,
        counts(&[("1", 2), ("2", 1), ("3", 1)])
    );
    assert_eq!(
        metrics.delivery_latency_ms,
        LatencySummary {
            count: 3,
            p50: Some(200),
            p90: Some(300),
            p99: Some(300),
            max: Some(300)
        }
    );
    Ok(())
}

#[tokio::test]
async fn hourly_counts_group_messages_by_creation_hour_and_current_status() -> TestResult {
    use rez_core::ports::HourlySeries;
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    // at(0) is 12:00:00; the series ends with the 13:00 hour.
    let data = [
        (-3600 * 3 - 1, Status::Completed), // 08:59:59: before the window
        (-3600 * 3, Status::Completed),     // 09:00
        (-1, Status::Failed),               // 11:59:59
        (0, Status::Completed),             // 12:00
        (59 * 60, Status::Completed),       // 12:59
        (3600 + 5, Status::Queued),         // 13:00:05
    ];
    for (seconds, status) in data {
        let m = message(at(seconds), Stage::Dev, status, MessageType::Notification);
        store.create(&m, None).await?;
    }
    let buckets = store
        .hourly_counts(HourlySeries::new(at(3600 + 30), 5))
        .await?;
    let starts: Vec<String> = buckets.iter().map(|b| b.start.to_rfc3339()).collect();
    assert_eq!(starts[0], "2026-11-30T09:00:00+00:00");
    assert_eq!(starts[4], "2026-11-30T13:00:00+00:00");
    let count = |i: usize, status: &str| buckets[i].counts[status];
    assert_eq!(count(0, "completed"), 1);
    assert_eq!(count(2, "failed"), 1);
    assert_eq!(count(3, "completed"), 2);
    assert_eq!(count(4, "queued"), 1);
    let total: u64 = buckets.iter().flat_map(|b| b.counts.values()).sum();
    assert_eq!(total, 5);
    Ok(())
}

#[tokio::test]
async fn metrics_of_an_empty_store_have_no_rates() -> TestResult {
    let (_dir, db) = temp_db()?;
    let metrics = SqliteStore::new(db)
        .metrics(MetricsWindow::ending(at(0)))
        .await?;
    assert_eq!(metrics.total, 0);
    assert!(metrics.by_status.is_empty());
    assert_eq!(
        (metrics.success_rate, metrics.mean_delivery_attempts),
        (None, None)
    );
    assert_eq!(metrics.delivery_latency_ms, LatencySummary::default());
    Ok(())
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let s = LatencySummary::from_samples((1..=100).rev().collect());
    assert_eq!(
        (s.count, s.p50, s.p90, s.p99, s.max),
        (100, Some(50), Some(90), Some(99), Some(100))
    );
    let one = LatencySummary::from_samples(vec![7]);
    assert_eq!((one.p50, one.p99, one.max), (Some(7), Some(7), Some(7)));
}

#[tokio::test]
async fn metrics_count_only_the_messages_created_in_the_window() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let window = MetricsWindow::ending(at(0));
    let before = window.since() - Duration::milliseconds(1);
    let first = window.since();
    for (created, status, attempts) in [
        (before, Status::Completed, 2),
        (first, Status::Completed, 1),
        (at(0), Status::Failed, 3),
    ] {
        let mut m = message(created, Stage::Dev, status, MessageType::Notification);
        m.delivery_attempts = attempts;
        m.delivered_at =
            (status == Status::Completed).then(|| created + Duration::milliseconds(50));
        store.create(&m, None).await?;
    }
    let metrics = store.metrics(window).await?;
    assert_eq!(metrics.total, 2);
    assert_eq!(metrics.by_status.get("completed"), Some(&1));
    assert_eq!(metrics.by_status.get("failed"), Some(&1));
    assert_eq!(metrics.mean_delivery_attempts, Some(2.0));
    assert_eq!(metrics.delivery_latency_ms.count, 1);
    assert_eq!(metrics.attempts_histogram.get("2"), None);
    Ok(())
}
