//! Schedules read in a time zone, across daylight saving changes, as
//! EventBridge Scheduler documents them: a cron time the clocks skip in
//! spring does not fire, one they repeat in autumn fires once, and a rate
//! counts elapsed hours
//! (<https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst>).
//! New York changes on 2026-03-08 (02:00 EST → 03:00 EDT) and 2026-11-01
//! (02:00 EDT → 01:00 EST); Berlin on 2026-03-29 (02:00 CET → 03:00 CEST).

use rez_schedule::{ScheduleError, ScheduleExpression, Timing, time_zone};

use crate::helpers::{TestResult, utc};

/// The first `count` fire times of `expression` in `zone` after `after`,
/// started long before, as RFC 3339 text.
fn fires(
    expression: &str,
    zone: &str,
    after: &str,
    count: usize,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let timing = Timing::new(
        expression.parse()?,
        time_zone(zone)?,
        utc("2020-01-01T00:00:00Z")?,
        None,
    )?;
    Ok(timing
        .next_fire_times(utc(after)?, count)
        .iter()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .collect())
}

#[test]
fn a_cron_time_the_clocks_skip_in_spring_does_not_fire_that_day() -> TestResult {
    assert_eq!(
        fires(
            "cron(30 2 * * ? *)",
            "America/New_York",
            "2026-03-07T08:00:00Z",
            2
        )?,
        ["2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"],
        "02:30 does not exist on 8 March; 02:30 EDT is 06:30 UTC"
    );
    Ok(())
}

#[test]
fn a_cron_time_the_clocks_repeat_in_autumn_fires_once_at_its_first_pass() -> TestResult {
    assert_eq!(
        fires(
            "cron(30 1 * * ? *)",
            "America/New_York",
            "2026-10-31T12:00:00Z",
            2
        )?,
        ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
        "01:30 EDT, not 01:30 EST an hour later, then 01:30 EST the next day"
    );
    assert_eq!(
        fires(
            "cron(0 * * * ? *)",
            "America/New_York",
            "2026-11-01T04:30:00Z",
            3
        )?,
        [
            "2026-11-01T05:00:00Z",
            "2026-11-01T07:00:00Z",
            "2026-11-01T08:00:00Z"
        ],
        "hourly: 01:00 EDT, then 02:00 EST; the repeated 01:00 EST does not fire"
    );
    Ok(())
}

#[test]
fn a_weekday_morning_cron_keeps_its_wall_clock_time_across_the_change() -> TestResult {
    assert_eq!(
        fires(
            "cron(0 8 ? * MON-FRI *)",
            "Europe/Berlin",
            "2026-03-27T00:00:00Z",
            2
        )?,
        ["2026-03-27T07:00:00Z", "2026-03-30T06:00:00Z"],
        "08:00 CET on Friday, 08:00 CEST on Monday"
    );
    Ok(())
}

#[test]
fn a_rate_counts_elapsed_time_whatever_the_zone() -> TestResult {
    let timing = Timing::new(
        "rate(1 day)".parse()?,
        time_zone("America/New_York")?,
        utc("2026-03-07T12:00:00Z")?,
        None,
    )?;
    assert_eq!(
        timing.next_fire_times(utc("2026-03-07T12:00:00Z")?, 2),
        [utc("2026-03-08T12:00:00Z")?, utc("2026-03-09T12:00:00Z")?],
        "24 hours apart, though 8 March has 23 in New York"
    );
    Ok(())
}

#[test]
fn an_at_time_is_read_in_its_zone_and_one_the_clocks_skip_is_refused() -> TestResult {
    assert_eq!(
        fires(
            "at(2026-11-01T01:30:00)",
            "America/New_York",
            "2026-10-01T00:00:00Z",
            5
        )?,
        ["2026-11-01T05:30:00Z"],
        "the first pass of a repeated time, once"
    );
    assert_eq!(
        fires(
            "at(2026-06-01T09:00:00)",
            "Asia/Tokyo",
            "2026-01-01T00:00:00Z",
            5
        )?,
        ["2026-06-01T00:00:00Z"]
    );
    let skipped = Timing::new(
        "at(2026-03-08T02:30:00)".parse()?,
        time_zone("America/New_York")?,
        utc("2026-01-01T00:00:00Z")?,
        None,
    );
    assert!(
        matches!(&skipped, Err(ScheduleError::AtSkippedInZone { zone, .. }) if zone == "America/New_York"),
        "{skipped:?}"
    );
    Ok(())
}

#[test]
fn nothing_fires_at_or_after_the_end_and_the_end_must_follow_the_start() -> TestResult {
    let every_minute: ScheduleExpression = "cron(* * * * ? *)".parse()?;
    let start = utc("2026-01-01T00:00:00Z")?;
    let timing = Timing::new(
        every_minute.clone(),
        time_zone("UTC")?,
        start,
        Some(utc("2026-01-01T00:03:00Z")?),
    )?;
    assert_eq!(
        timing.next_fire_times(utc("2025-12-31T23:59:00Z")?, 10),
        [
            utc("2026-01-01T00:00:00Z")?,
            utc("2026-01-01T00:01:00Z")?,
            utc("2026-01-01T00:02:00Z")?
        ]
    );
    let backwards = Timing::new(every_minute, time_zone("UTC")?, start, Some(start));
    assert!(
        matches!(backwards, Err(ScheduleError::EndNotAfterStart { .. })),
        "{backwards:?}"
    );
    Ok(())
}

#[test]
fn a_zone_is_an_iana_name() -> TestResult {
    assert_eq!(time_zone("Europe/Berlin")?.to_string(), "Europe/Berlin");
    let unknown = time_zone("Mars/Olympus_Mons");
    assert!(
        matches!(&unknown, Err(ScheduleError::UnknownTimeZone { name }) if name == "Mars/Olympus_Mons")
    );
    let message = unknown.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("IANA"), "{message}");
    Ok(())
}

#[test]
fn a_cron_that_matches_only_skipped_times_finds_none_and_stops() -> TestResult {
    // 02:30 on the second Sunday of March exists in no year in New York up
    // to 2099. The years are bounded because chrono-tz keeps the zone on
    // standard time from 2100 (where this cron would fire in 2100).
    assert_eq!(
        fires(
            "cron(30 2 ? 3 1#2 2026-2099)",
            "America/New_York",
            "2026-01-01T00:00:00Z",
            1
        )?,
        Vec::<String>::new()
    );
    Ok(())
}
