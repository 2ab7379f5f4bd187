use super::*;
use crate::dynamo::items::{message_to_item, s};
use chrono::TimeZone;
use rez_core::{MessageType, Notification, Stage};

fn message() -> Message {
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
        .unwrap();
    Message::new(
        at,
        "test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("x"),
    )
}

#[test]
fn buckets_have_four_per_doubling_and_clamp_at_both_ends() {
    let cases = [
        (-5, 0),
        (0, 0),
        (1, 1),
        (2, 5),
        (3, 7),
        (4, 9),
        (1000, 40),
        (1024, 41),
        (i64::MAX, MAX_BUCKET),
    ];
    for (ms, b) in cases {
        assert_eq!(bucket(ms), b, "{ms} ms");
    }
}

#[test]
fn every_estimate_is_within_the_documented_precision() {
    let mut ms = 1i64;
    while ms < 3_000_000_000 {
        let estimate = bucket_estimate(bucket(ms)) as f64;
        let error = (estimate - ms as f64).abs();
        // ±9.1 % plus the rounding to whole milliseconds.
        assert!(
            error <= ms as f64 * 0.0906 + 0.5,
            "{ms} ms estimated {estimate}"
        );
        ms += 1 + ms / 97;
    }
    assert_eq!(bucket_estimate(bucket(0)), 0);
}

#[test]
fn histogram_percentiles_track_the_exact_ones() {
    let samples: Vec<i64> = (1..=500).map(|i| i * i).collect();
    let mut histogram = BTreeMap::new();
    for ms in &samples {
        *histogram.entry(bucket(*ms)).or_default() += 1;
    }
    let estimated = latency_summary(&histogram);
    let exact = LatencySummary::from_samples(samples);
    assert_eq!(estimated.count, exact.count);
    for (e, x) in [
        (estimated.p50, exact.p50),
        (estimated.p90, exact.p90),
        (estimated.p99, exact.p99),
        (estimated.max, exact.max),
    ] {
        let (e, x) = (e.unwrap() as f64, x.unwrap() as f64);
        assert!((e - x).abs() <= x * 0.0906 + 0.5, "{e} vs {x}");
    }
    assert_eq!(latency_summary(&BTreeMap::new()), LatencySummary::default());
}

#[test]
fn a_delta_moves_a_message_from_its_old_counts_to_its_new_ones() {
    let old = message();
    let created = Delta::created(&old);
    let names: Vec<_> = created.0.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["stage_dev", "status_created", "total", "type_notification"]
    );

    let mut new = old.clone();
    new.status = Status::Completed;
    new.delivery_attempts = 2;
    new.delivered_at = Some(old.created_date + chrono::Duration::milliseconds(1000));
    let changed = Delta::changed(&old, &new);
    let expected: BTreeMap<String, i64> = [
        ("attempts", 2),
        ("attempts_n2", 1),
        ("finished", 1),
        ("latency_b40", 1),
        ("status_completed", 1),
        ("status_created", -1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(changed.0, expected);
    assert!(Delta::changed(&new, &new).is_empty());
}

#[test]
fn the_update_adds_every_counter_of_the_creation_day_through_aliases() {
    let m = message();
    let update = Delta::created(&m)
        .update("t", 3, m.created_date.date_naive())
        .unwrap();
    assert_eq!(update.key()["id"], s("counters#3"));
    assert_eq!(update.key()["created_date"], s("2026-11-30"));
    assert_eq!(
        update.update_expression(),
        "ADD #c0 :c0, #c1 :c1, #c2 :c2, #c3 :c3 SET #ttl = :ttl"
    );
    let names = update.expression_attribute_names().unwrap();
    assert_eq!(names["#c2"], "total");
    assert_eq!(names["#ttl"], "ttl");
}

#[test]
fn a_days_counters_expire_when_the_last_message_of_the_day_does() {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let last_of_day = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 23, 59, 59)
        .unwrap();
    let last = Message::new(
        last_of_day,
        "api",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hi"),
    );
    assert_eq!(counters_ttl(day), last.ttl + 1);
}

#[test]
fn the_ttl_of_a_counters_item_is_not_a_count() {
    let mut item = Item::new();
    item.insert("total".into(), AttributeValue::N("2".into()));
    item.insert("ttl".into(), AttributeValue::N("1800000000".into()));
    let metrics = metrics_from_counters(&[item]).unwrap();
    assert_eq!(metrics.total, 2);
    assert!(metrics.by_status.is_empty());
}

#[test]
fn counters_shards_add_up_and_zero_counts_are_left_out() {
    let mut a = message_to_item(&message()).unwrap();
    a.clear();
    for (k, v) in [
        ("total", "3"),
        ("status_completed", "2"),
        ("status_failed", "0"),
        ("finished", "2"),
        ("attempts", "3"),
        ("latency_b40", "2"),
    ] {
        a.insert(k.into(), AttributeValue::N(v.into()));
    }
    a.insert("id".into(), s("counters#0"));
    let mut b = Item::new();
    for (k, v) in [("total", "1"), ("status_queued", "1"), ("stage_dev", "4")] {
        b.insert(k.into(), AttributeValue::N(v.into()));
    }
    let m = metrics_from_counters(&[a, b]).unwrap();
    assert_eq!(m.total, 4);
    assert_eq!(
        m.by_status.into_iter().collect::<Vec<_>>(),
        [("completed".to_owned(), 2), ("queued".to_owned(), 1)]
    );
    assert_eq!(m.by_stage["dev"], 4);
    assert_eq!(m.success_rate, Some(1.0));
    assert_eq!(m.mean_delivery_attempts, Some(1.5));
    assert_eq!(m.delivery_latency_ms.count, 2);
    assert_eq!(m.delivery_latency_ms.p50, Some(bucket_estimate(40)));
}
