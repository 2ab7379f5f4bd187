//! Valid expressions parse, and display back to their canonical text.

use rez_schedule::{RateUnit, ScheduleExpression};

use crate::helpers::TestResult;

#[test]
fn valid_expressions_display_as_written_or_in_canonical_form() -> TestResult {
    let cases = [
        ("cron(0 12 * * ? *)", "cron(0 12 * * ? *)"),
        (
            "cron(15 10 ? * 6L 2026-2030)",
            "cron(15 10 ? * 6L 2026-2030)",
        ),
        (
            "cron(0/15 8-17 ? * MON-FRI *)",
            "cron(0/15 8-17 ? * MON-FRI *)",
        ),
        ("cron(*/5 * L * ? *)", "cron(*/5 * L * ? *)"),
        ("cron(0 9 LW * ? *)", "cron(0 9 LW * ? *)"),
        ("cron(0 9 15W * ? *)", "cron(0 9 15W * ? *)"),
        ("cron(0 9 ? * 3#2 *)", "cron(0 9 ? * 3#2 *)"),
        ("cron(0 9 ? * FRI#5 *)", "cron(0 9 ? * FRI#5 *)"),
        ("cron(0 9 ? * L *)", "cron(0 9 ? * L *)"),
        ("cron(0 9 1 JAN,jul ? */4)", "cron(0 9 1 JAN,JUL ? */4)"),
        ("cron(0  9\t1 * ? *)", "cron(0 9 1 * ? *)"),
        (
            "cron(05 09 1-10/3 * ? 1970-2199/7)",
            "cron(5 9 1-10/3 * ? 1970-2199/7)",
        ),
        ("cron(0 0 15w * ? *)", "cron(0 0 15W * ? *)"),
        ("cron(0 0 ? * 6l *)", "cron(0 0 ? * 6L *)"),
        ("rate(1 minute)", "rate(1 minute)"),
        ("rate(5 minutes)", "rate(5 minutes)"),
        ("rate(1 hour)", "rate(1 hour)"),
        ("rate(12 hours)", "rate(12 hours)"),
        ("rate(1 day)", "rate(1 day)"),
        ("rate(7 days)", "rate(7 days)"),
        ("at(2026-12-01T10:00:00)", "at(2026-12-01T10:00:00)"),
        ("at(2024-02-29T23:59:59)", "at(2024-02-29T23:59:59)"),
    ];
    for (input, canonical) in cases {
        let parsed: ScheduleExpression = input.parse()?;
        assert_eq!(parsed.to_string(), canonical, "display of {input}");
        let reparsed: ScheduleExpression = canonical.parse()?;
        assert_eq!(reparsed, parsed, "reparse of {canonical}");
    }
    Ok(())
}

#[test]
fn rate_exposes_its_value_unit_and_period() -> TestResult {
    let ScheduleExpression::Rate(rate) = "rate(90 minutes)".parse()? else {
        return Err("not a rate".into());
    };
    assert_eq!((rate.value(), rate.unit()), (90, RateUnit::Minutes));
    assert_eq!(rate.period(), chrono::TimeDelta::minutes(90));
    assert!(rez_schedule::RateExpression::new(0, RateUnit::Days).is_err());
    Ok(())
}
