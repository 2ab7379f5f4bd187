//! Rate schedules count from their anchor; at schedules fire once.

use rez_schedule::ScheduleExpression;

use crate::helpers::{TestResult, maybe_utc, utc};

#[test]
fn rate_fires_at_the_anchor_and_every_period_after_it() -> TestResult {
    // (expression, anchor, after, expected)
    #[rustfmt::skip]
    let cases = [
        ("rate(5 minutes)", "2026-03-01T10:00:00Z", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z"),
        ("rate(5 minutes)", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-01T10:05:00Z"),
        ("rate(5 minutes)", "2026-03-01T10:00:00Z", "2026-03-01T10:07:30Z", "2026-03-01T10:10:00Z"),
        ("rate(5 minutes)", "2026-03-01T10:00:00Z", "2026-03-01T10:09:59.999Z", "2026-03-01T10:10:00Z"),
        ("rate(5 minutes)", "2026-03-01T10:00:30Z", "2026-03-01T10:00:30Z", "2026-03-01T10:05:30Z"),
        ("rate(1 minute)", "2026-03-01T10:00:00.250Z", "2026-03-01T10:00:59Z", "2026-03-01T10:01:00.250Z"),
        ("rate(1 hour)", "2026-03-01T10:17:00Z", "2026-03-02T09:17:00Z", "2026-03-02T10:17:00Z"),
        ("rate(3 hours)", "2026-03-01T00:00:00Z", "2026-03-01T05:59:59Z", "2026-03-01T06:00:00Z"),
        ("rate(1 day)", "2026-01-31T08:00:00Z", "2026-02-28T08:00:00Z", "2026-03-01T08:00:00Z"),
        ("rate(7 days)", "2024-02-22T00:00:00Z", "2024-02-25T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("rate(4294967295 days)", "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    ];
    for (expression, anchor, after, want) in cases {
        let schedule: ScheduleExpression = expression.parse()?;
        let got = schedule.next_after(utc(after)?, utc(anchor)?);
        assert_eq!(
            got,
            Some(utc(want)?),
            "{expression} anchored {anchor} after {after}"
        );
    }
    Ok(())
}

#[test]
fn rate_beyond_representable_time_returns_none() -> TestResult {
    let schedule: ScheduleExpression = "rate(4294967295 days)".parse()?;
    let anchor = utc("2026-01-01T00:00:00Z")?;
    assert_eq!(schedule.next_after(anchor, anchor), None);
    Ok(())
}

#[test]
fn at_fires_once_and_never_again_once_past() -> TestResult {
    let at = "at(2026-12-01T10:00:00)";
    // (after, expected); the anchor plays no part.
    let cases = [
        ("2026-11-30T00:00:00Z", Some("2026-12-01T10:00:00Z")),
        ("2026-12-01T09:59:59.999Z", Some("2026-12-01T10:00:00Z")),
        ("2026-12-01T10:00:00Z", None),
        ("2027-01-01T00:00:00Z", None),
    ];
    let schedule: ScheduleExpression = at.parse()?;
    for (after, want) in cases {
        for anchor in ["2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"] {
            let got = schedule.next_after(utc(after)?, utc(anchor)?);
            assert_eq!(
                got,
                maybe_utc(want)?,
                "{at} after {after} anchored {anchor}"
            );
        }
    }
    Ok(())
}
