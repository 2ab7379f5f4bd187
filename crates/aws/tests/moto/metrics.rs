//! Metrics from the counters items agree with the reference store's.

use rez_core::memory::MemoryStore;
use rez_core::ports::{HourlySeries, MessageStore, MetricsWindow, StatusChange};
use rez_core::{Message, MessageType, Stage, Status};

use crate::helpers::{TestResult, message_at, new_store};

/// One step of a message's life: the new status, when (ms after creation), attempts.
type Step = (Status, i64, u32);

/// Runs the same life on both stores.
async fn live(stores: &[&dyn MessageStore], m: &Message, steps: &[Step]) -> TestResult {
    for store in stores {
        store.create(m, None).await?;
    }
    let mut from = Status::Created;
    for (to, after_ms, attempts) in steps {
        let mut change = StatusChange::new(
            m.id.clone(),
            &[from],
            *to,
            m.created_date + chrono::Duration::milliseconds(*after_ms),
        );
        change.delivery_attempts = Some(*attempts);
        if *to == Status::Completed {
            change.delivered_at = Some(change.at);
        }
        if *to == Status::Processing && from == Status::Failed {
            change.increment_retry_count = true;
        }
        for store in stores {
            store.transition(&change).await?;
        }
        from = *to;
    }
    Ok(())
}

#[tokio::test]
async fn metrics_after_a_series_of_transitions_match_the_reference_store() -> TestResult {
    let (dynamo, _) = new_store(Stage::Dev).await;
    let memory = MemoryStore::new();
    let stores: [&dyn MessageStore; 2] = [&dynamo, &memory];
    use Status::*;
    let lives: Vec<(MessageType, Vec<Step>)> = vec![
        (MessageType::Notification, vec![]),
        (MessageType::Notification, vec![(Queued, 1, 0)]),
        (
            MessageType::Scheduled,
            vec![(Queued, 1, 0), (Processing, 5, 0)],
        ),
        (
            MessageType::Notification,
            vec![(Queued, 1, 0), (Processing, 5, 0), (Completed, 120, 1)],
        ),
        (
            MessageType::Notification,
            vec![(Queued, 1, 0), (Processing, 5, 0), (Completed, 950, 2)],
        ),
        (
            MessageType::Scheduled,
            vec![(Queued, 1, 0), (Processing, 5, 0), (Completed, 3_300, 3)],
        ),
        (
            MessageType::Notification,
            vec![(Queued, 1, 0), (Processing, 5, 0), (Failed, 40, 3)],
        ),
        // Failed, taken up again, then delivered: the failure's counts move.
        (
            MessageType::Notification,
            vec![
                (Queued, 1, 0),
                (Processing, 5, 0),
                (Failed, 40, 3),
                (Processing, 60_000, 0),
                (Completed, 61_000, 1),
            ],
        ),
    ];
    let mut last_created = None;
    for (i, (kind, steps)) in lives.iter().enumerate() {
        let m = message_at(i as i64 * 1000, Stage::Dev, *kind);
        last_created = Some(m.created_date);
        live(&stores, &m, steps).await?;
    }
    let window = MetricsWindow::ending(last_created.unwrap());
    let got = dynamo.metrics(window).await?;
    let want = memory.metrics(window).await?;
    assert_eq!(got.total, want.total);
    assert_eq!(got.by_status, want.by_status);
    assert_eq!(got.by_stage, want.by_stage);
    assert_eq!(got.by_message_type, want.by_message_type);
    assert_eq!(got.success_rate, want.success_rate);
    assert_eq!(got.mean_delivery_attempts, want.mean_delivery_attempts);
    assert_eq!(got.attempts_histogram, want.attempts_histogram);
    assert_eq!(got.attempts_histogram.values().sum::<u64>(), 5);
    // Hourly counts come from the status index and agree with the reference.
    let now = last_created.unwrap() + chrono::Duration::hours(2);
    let series = || HourlySeries::new(now, 24);
    let hourly = dynamo.hourly_counts(series()).await?;
    assert_eq!(hourly, memory.hourly_counts(series()).await?);
    let counted: u64 = hourly.iter().flat_map(|b| b.counts.values()).sum();
    assert_eq!(counted, lives.len() as u64);
    let (g, w) = (&got.delivery_latency_ms, &want.delivery_latency_ms);
    assert_eq!(g.count, w.count);
    for (name, g, w) in [
        ("p50", g.p50, w.p50),
        ("p90", g.p90, w.p90),
        ("p99", g.p99, w.p99),
        ("max", g.max, w.max),
    ] {
        let (g, w) = (g.unwrap() as f64, w.unwrap() as f64);
        assert!((g - w).abs() <= w * 0.091 + 1.0, "{name}: {g} vs {w}");
    }
    Ok(())
}

#[tokio::test]
async fn an_empty_table_has_empty_metrics() -> TestResult {
    let (dynamo, _) = new_store(Stage::Prod).await;
    let window = MetricsWindow::ending(chrono::Utc::now());
    assert_eq!(
        dynamo.metrics(window).await?,
        MemoryStore::new().metrics(window).await?
    );
    Ok(())
}

#[tokio::test]
async fn metrics_count_the_days_of_the_window_as_the_reference_store_does() -> TestResult {
    let (dynamo, _) = new_store(Stage::Dev).await;
    let memory = MemoryStore::new();
    let stores: [&dyn MessageStore; 2] = [&dynamo, &memory];
    use Status::*;
    let day = 24 * 3_600_000;
    let delivered = vec![(Queued, 1, 0), (Processing, 5, 0), (Completed, 300, 1)];
    // Messages created 40, 30, 29 and 0 days before the last, on one
    // side of the window's first day or the other.
    let mut last = None;
    for days_before in [40, 30, 29, 0] {
        let m = message_at(-days_before * day, Stage::Dev, MessageType::Notification);
        live(&stores, &m, &delivered).await?;
        last = last.max(Some(m.created_date));
    }
    let window = MetricsWindow::ending(last.unwrap());
    let got = dynamo.metrics(window).await?;
    let want = memory.metrics(window).await?;
    // The latencies are bucketed (within 9.1 %, tested above): compare the rest.
    assert_eq!(
        got.delivery_latency_ms.count,
        want.delivery_latency_ms.count
    );
    let unbucketed = |m: &rez_core::ports::Metrics| rez_core::ports::Metrics {
        delivery_latency_ms: Default::default(),
        ..m.clone()
    };
    assert_eq!(unbucketed(&got), unbucketed(&want));
    assert_eq!(
        got.total, 2,
        "the days 40 and 30 before are outside the window"
    );
    assert_eq!(got.by_status.get("completed"), Some(&2));
    // A day later, the message of 29 days before is outside too.
    let next = MetricsWindow::ending(last.unwrap() + chrono::Duration::days(1));
    assert_eq!(dynamo.metrics(next).await?.total, 1);
    assert_eq!(memory.metrics(next).await?.total, 1);
    Ok(())
}
