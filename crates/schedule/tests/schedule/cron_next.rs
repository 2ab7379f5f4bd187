//! Next fire times of cron expressions, including the calendar edge cases.

use std::time::{Duration, Instant};

use rez_schedule::ScheduleExpression;

use crate::helpers::{TestResult, maybe_utc, utc};

/// (expression, after, expected next fire). The anchor is far in the past.
#[rustfmt::skip]
const CASES: &[(&str, &str, Option<&str>)] = &[
    // Plain fields; "strictly after" and minute rounding.
    ("cron(0 12 * * ? *)", "2026-03-01T12:00:00Z", Some("2026-03-02T12:00:00Z")),
    ("cron(0 12 * * ? *)", "2026-03-01T11:59:30Z", Some("2026-03-01T12:00:00Z")),
    ("cron(0 12 * * ? *)", "2026-03-01T11:59:59.999Z", Some("2026-03-01T12:00:00Z")),
    ("cron(* * * * ? *)", "2026-03-01T11:59:00Z", Some("2026-03-01T12:00:00Z")),
    ("cron(* * * * ? *)", "2026-12-31T23:59:30Z", Some("2027-01-01T00:00:00Z")),
    ("cron(*/15 * * * ? *)", "2026-03-01T10:07:00Z", Some("2026-03-01T10:15:00Z")),
    ("cron(1/10 * * * ? *)", "2026-03-01T10:31:00Z", Some("2026-03-01T10:41:00Z")),
    ("cron(1/10 * * * ? *)", "2026-03-01T10:51:00Z", Some("2026-03-01T11:01:00Z")),
    ("cron(0 8-10/2 * * ? *)", "2026-03-01T10:00:00Z", Some("2026-03-02T08:00:00Z")),
    ("cron(30 9 1 JAN,JUL ? *)", "2026-01-01T09:30:00Z", Some("2026-07-01T09:30:00Z")),
    ("cron(0 18 ? * MON-FRI *)", "2026-11-27T18:00:00Z", Some("2026-11-30T18:00:00Z")),
    ("cron(0 0 ? * 1 *)", "2026-11-30T00:00:00Z", Some("2026-12-06T00:00:00Z")),
    ("cron(0 6 ? * * *)", "2026-11-30T06:00:00Z", Some("2026-12-01T06:00:00Z")),
    ("cron(0 0 ? * L *)", "2026-11-30T00:00:00Z", Some("2026-12-05T00:00:00Z")),
    ("cron(0 0 31 * ? *)", "2026-03-31T00:00:00Z", Some("2026-05-31T00:00:00Z")),
    // L: last day of the month, in leap and common years.
    ("cron(0 0 L * ? *)", "2024-02-01T00:00:00Z", Some("2024-02-29T00:00:00Z")),
    ("cron(0 0 L * ? *)", "2025-02-01T00:00:00Z", Some("2025-02-28T00:00:00Z")),
    ("cron(0 0 L * ? *)", "2026-04-30T00:00:00Z", Some("2026-05-31T00:00:00Z")),
    ("cron(0 0 L 2 ? *)", "2099-03-01T00:00:00Z", Some("2100-02-28T00:00:00Z")),
    // LW: last weekday; month ends on a Saturday / Sunday / weekday.
    ("cron(0 9 LW * ? *)", "2026-02-01T00:00:00Z", Some("2026-02-27T09:00:00Z")),
    ("cron(0 9 LW * ? *)", "2026-05-01T00:00:00Z", Some("2026-05-29T09:00:00Z")),
    ("cron(0 9 LW * ? *)", "2026-12-01T00:00:00Z", Some("2026-12-31T09:00:00Z")),
    ("cron(0 9 LW * ? *)", "2026-01-30T09:00:00Z", Some("2026-02-27T09:00:00Z")),
    // nW: nearest weekday, never leaving the month.
    ("cron(0 9 15W * ? *)", "2026-01-01T00:00:00Z", Some("2026-01-15T09:00:00Z")),
    ("cron(0 9 15W * ? *)", "2026-02-01T00:00:00Z", Some("2026-02-16T09:00:00Z")),
    ("cron(0 9 15W * ? *)", "2026-08-01T00:00:00Z", Some("2026-08-14T09:00:00Z")),
    ("cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z", Some("2026-08-03T09:00:00Z")),
    ("cron(0 9 1W * ? *)", "2026-01-31T00:00:00Z", Some("2026-02-02T09:00:00Z")),
    ("cron(0 9 31W * ? *)", "2027-01-01T00:00:00Z", Some("2027-01-29T09:00:00Z")),
    ("cron(0 9 30W * ? *)", "2026-02-01T00:00:00Z", Some("2026-03-30T09:00:00Z")),
    ("cron(0 9 31W * ? *)", "2026-04-01T00:00:00Z", Some("2026-05-29T09:00:00Z")),
    // dL: last given weekday of the month.
    ("cron(0 9 ? * 6L *)", "2026-11-01T00:00:00Z", Some("2026-11-27T09:00:00Z")),
    ("cron(0 9 ? * 6L *)", "2026-01-01T00:00:00Z", Some("2026-01-30T09:00:00Z")),
    ("cron(0 9 ? * FRIL *)", "2026-01-30T09:00:00Z", Some("2026-02-27T09:00:00Z")),
    // d#k: k-th given weekday of the month; months without a fifth are skipped.
    ("cron(0 9 ? * 3#2 *)", "2026-12-01T00:00:00Z", Some("2026-12-08T09:00:00Z")),
    ("cron(0 9 ? * 3#2 *)", "2026-12-08T09:00:00Z", Some("2027-01-12T09:00:00Z")),
    ("cron(0 9 ? * 5#5 *)", "2026-01-01T00:00:00Z", Some("2026-01-29T09:00:00Z")),
    ("cron(0 9 ? * 5#5 *)", "2026-01-29T09:00:00Z", Some("2026-04-30T09:00:00Z")),
    // 29 February only in leap years; 2100 is not one.
    ("cron(0 0 29 2 ? *)", "2026-03-01T00:00:00Z", Some("2028-02-29T00:00:00Z")),
    ("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00Z", Some("2104-02-29T00:00:00Z")),
    ("cron(0 0 29 2 ? 2097-2103)", "2096-03-01T00:00:00Z", None),
    // Year ranges and the 1970-2199 bounds.
    ("cron(0 0 1 1 ? 2030-2032)", "2026-06-01T00:00:00Z", Some("2030-01-01T00:00:00Z")),
    ("cron(0 0 1 1 ? 2030-2032)", "2032-01-01T00:00:00Z", None),
    ("cron(0 0 1 1 ? 2030/5)", "2031-01-01T00:00:00Z", Some("2035-01-01T00:00:00Z")),
    ("cron(0 0 * * ? 1970)", "1960-05-05T00:00:00Z", Some("1970-01-01T00:00:00Z")),
    ("cron(59 23 31 12 ? *)", "2199-12-31T23:58:00Z", Some("2199-12-31T23:59:00Z")),
    ("cron(59 23 31 12 ? *)", "2199-12-31T23:59:00Z", None),
    ("cron(* * * * ? *)", "2300-01-01T00:00:00Z", None),
    // Never fires.
    ("cron(0 0 30 2 ? *)", "2026-01-01T00:00:00Z", None),
    ("cron(0 0 31 4,6,9,11 ? *)", "1970-01-01T00:00:00Z", None),
    ("cron(0 0 ? 2 2#5 2026-2027)", "2026-01-01T00:00:00Z", None),
];

#[test]
fn cron_next_fire_times_match_the_calendar() -> TestResult {
    let anchor = utc("1900-01-01T00:00:00Z")?;
    let mut failures = Vec::new();
    for &(expression, after, want) in CASES {
        let schedule: ScheduleExpression = expression.parse()?;
        let got = schedule.next_after(utc(after)?, anchor);
        if got != maybe_utc(want)? {
            failures.push(format!(
                "{expression} after {after}: got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

#[test]
fn cron_never_fires_before_its_anchor() -> TestResult {
    let cases = [
        (
            "cron(0 12 * * ? *)",
            "2026-03-01T12:00:00Z",
            "2026-03-01T12:00:00Z",
        ),
        (
            "cron(0 12 * * ? *)",
            "2026-03-01T12:00:01Z",
            "2026-03-02T12:00:00Z",
        ),
        (
            "cron(* * * * ? *)",
            "2026-03-01T12:00:30Z",
            "2026-03-01T12:01:00Z",
        ),
    ];
    let after = utc("2026-01-01T00:00:00Z")?;
    for (expression, anchor, want) in cases {
        let schedule: ScheduleExpression = expression.parse()?;
        assert_eq!(
            schedule.next_after(after, utc(anchor)?),
            Some(utc(want)?),
            "{expression} from {anchor}"
        );
    }
    Ok(())
}

#[test]
fn impossible_crons_give_up_quickly() -> TestResult {
    let after = utc("1970-01-01T00:00:00Z")?;
    let started = Instant::now();
    for expression in [
        "cron(0 0 30 2 ? *)",
        "cron(* * 31 2,4,6,9,11 ? *)",
        "cron(0 0 ? 2 MON#5 2027)",
    ] {
        let schedule: ScheduleExpression = expression.parse()?;
        assert_eq!(schedule.next_after(after, after), None, "{expression}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    Ok(())
}
