//! Every malformed expression is rejected with a message that says what and where.

use rez_schedule::ScheduleExpression;

use crate::helpers::TestResult;

#[test]
fn invalid_expressions_are_rejected_with_precise_messages() -> TestResult {
    #[rustfmt::skip]
    let cases = [
        // Kind and parentheses.
        ("", "'' is not a schedule expression: expected cron(...), rate(...) or at(...)"),
        ("every 5 minutes", "'every 5 minutes' is not a schedule expression: expected cron(...), rate(...) or at(...)"),
        ("CRON(0 12 * * ? *)", "'CRON(0 12 * * ? *)' is not a schedule expression: expected cron(...), rate(...) or at(...)"),
        (" cron(0 12 * * ? *)", "' cron(0 12 * * ? *)' is not a schedule expression: expected cron(...), rate(...) or at(...)"),
        ("cron(0 12 * * ? *", "'cron(0 12 * * ? *' is missing its closing ')'"),
        ("rate(5 minutes", "'rate(5 minutes' is missing its closing ')'"),
        // Cron field count.
        ("cron()", "cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), found 0"),
        ("cron(0 12 * * ?)", "cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), found 5"),
        ("cron(0 0 12 * * ? *)", "cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), found 7"),
        // Ranges of plain values.
        ("cron(60 12 * * ? *)", "cron field 1 (minutes): '60' is out of range 0-59"),
        ("cron(0 24 * * ? *)", "cron field 2 (hours): '24' is out of range 0-23"),
        ("cron(0 12 0 * ? *)", "cron field 3 (day-of-month): '0' is out of range 1-31"),
        ("cron(0 12 32 * ? *)", "cron field 3 (day-of-month): '32' is out of range 1-31"),
        ("cron(0 12 1 13 ? *)", "cron field 4 (month): '13' is out of range 1-12"),
        ("cron(0 12 ? * 8 *)", "cron field 5 (day-of-week): '8' is out of range 1-7"),
        ("cron(0 12 ? * 0 *)", "cron field 5 (day-of-week): '0' is out of range 1-7"),
        ("cron(0 12 * * ? 1969)", "cron field 6 (year): '1969' is out of range 1970-2199"),
        ("cron(0 12 * * ? 2200)", "cron field 6 (year): '2200' is out of range 1970-2199"),
        ("cron(99999999999 12 * * ? *)", "cron field 1 (minutes): '99999999999' is out of range 0-59"),
        ("cron(0 1-30 * * ? *)", "cron field 2 (hours): '30' is out of range 0-23"),
        // Values that are not values.
        ("cron(x 12 * * ? *)", "cron field 1 (minutes): 'x' is not a number"),
        ("cron(-1 12 * * ? *)", "cron field 1 (minutes): '-1' is not a number"),
        ("cron(0 12 1 JANUARY ? *)", "cron field 4 (month): 'JANUARY' is not a number or a month name (JAN-DEC)"),
        ("cron(0 12 ? * MONDAY *)", "cron field 5 (day-of-week): 'MONDAY' is not a number or a day name (SUN-SAT)"),
        ("cron(0 12 ? JAN MON-FUN *)", "cron field 5 (day-of-week): 'FUN' is not a number or a day name (SUN-SAT)"),
        ("cron(0 12 MON * ? *)", "cron field 3 (day-of-month): 'MON' is not a number"),
        // Wildcards a field does not accept.
        ("cron(? 12 * * ? *)", "cron field 1 (minutes): '?' uses '?', which this field does not accept (allowed: , - * /)"),
        ("cron(L 12 * * ? *)", "cron field 1 (minutes): 'L' uses 'L', which this field does not accept (allowed: , - * /)"),
        ("cron(0 12 * 6L ? *)", "cron field 4 (month): '6L' uses 'L', which this field does not accept (allowed: , - * /)"),
        ("cron(0 12 3#2 * ? *)", "cron field 3 (day-of-month): '3#2' uses '#', which this field does not accept (allowed: , - * ? / L W)"),
        ("cron(0 12 ? * */2 *)", "cron field 5 (day-of-week): '*/2' uses '/', which this field does not accept (allowed: , - * ? L #)"),
        ("cron(0 12 ? * 2W *)", "cron field 5 (day-of-week): '2W' uses 'W', which this field does not accept (allowed: , - * ? L #)"),
        // Ranges, increments, lists.
        ("cron(30-10 12 * * ? *)", "cron field 1 (minutes): '30-10' is a range whose start is after its end"),
        ("cron(0 12 ? * FRI-MON *)", "cron field 5 (day-of-week): 'FRI-MON' is a range whose start is after its end"),
        ("cron(*/0 12 * * ? *)", "cron field 1 (minutes): '*/0' has an increment out of range 1-60"),
        ("cron(0/61 12 * * ? *)", "cron field 1 (minutes): '0/61' has an increment out of range 1-60"),
        ("cron(0/ 12 * * ? *)", "cron field 1 (minutes): '0/' has an increment out of range 1-60"),
        ("cron(1-/5 12 * * ? *)", "cron field 1 (minutes): '1-/5' is not a number"),
        ("cron(1,,2 12 * * ? *)", "cron field 1 (minutes): '1,,2' has an empty list item"),
        ("cron(1, 12 * * ? *)", "cron field 1 (minutes): '1,' has an empty list item"),
        // Special day forms.
        ("cron(0 12 L,15 * ? *)", "cron field 3 (day-of-month): 'L' must be the only item in this field"),
        ("cron(0 12 1,15W * ? *)", "cron field 3 (day-of-month): '15W' must be the only item in this field"),
        ("cron(0 12 32W * ? *)", "cron field 3 (day-of-month): '32' is out of range 1-31"),
        ("cron(0 12 ? * 3#1,6#3 *)", "cron field 5 (day-of-week): '3#1' must be the only item in this field"),
        ("cron(0 12 ? * 3#6 *)", "cron field 5 (day-of-week): '3#6' asks for an occurrence out of range 1-5"),
        ("cron(0 12 ? * 3#0 *)", "cron field 5 (day-of-week): '3#0' asks for an occurrence out of range 1-5"),
        ("cron(0 12 ? * 8#1 *)", "cron field 5 (day-of-week): '8' is out of range 1-7"),
        ("cron(0 12 ? * 9L *)", "cron field 5 (day-of-week): '9' is out of range 1-7"),
        ("cron(0 12 ? * MON,? *)", "cron field 5 (day-of-week): '?' must be the only item in this field"),
        // Day-of-month versus day-of-week.
        ("cron(0 12 * * * *)", "cron day-of-month '*' and day-of-week '*': exactly one of the two must be '?'"),
        ("cron(0 12 ? * ? *)", "cron day-of-month '?' and day-of-week '?': exactly one of the two must be '?'"),
        ("cron(0 12 15 * MON *)", "cron day-of-month '15' and day-of-week 'MON': exactly one of the two must be '?'"),
        // Rate.
        ("rate()", "rate expression 'rate()' must be 'rate(value unit)', e.g. rate(5 minutes)"),
        ("rate(5)", "rate expression 'rate(5)' must be 'rate(value unit)', e.g. rate(5 minutes)"),
        ("rate(5 minutes extra)", "rate expression 'rate(5 minutes extra)' must be 'rate(value unit)', e.g. rate(5 minutes)"),
        ("rate(0 minutes)", "rate value '0' must be a whole number from 1 to 4294967295"),
        ("rate(-5 minutes)", "rate value '-5' must be a whole number from 1 to 4294967295"),
        ("rate(+5 minutes)", "rate value '+5' must be a whole number from 1 to 4294967295"),
        ("rate(1.5 hours)", "rate value '1.5' must be a whole number from 1 to 4294967295"),
        ("rate(4294967296 days)", "rate value '4294967296' must be a whole number from 1 to 4294967295"),
        ("rate(5 weeks)", "rate unit 'weeks' must be one of minute, minutes, hour, hours, day, days"),
        ("rate(5 Minutes)", "rate unit 'Minutes' must be one of minute, minutes, hour, hours, day, days"),
        ("rate(30 seconds)", "rate unit 'seconds' must be one of minute, minutes, hour, hours, day, days"),
        ("rate(1 minutes)", "rate(1 minutes): a value of 1 takes the unit 'minute'"),
        ("rate(1 hours)", "rate(1 hours): a value of 1 takes the unit 'hour'"),
        ("rate(5 hour)", "rate(5 hour): a value of 5 takes the unit 'hours'"),
        ("rate(2 day)", "rate(2 day): a value of 2 takes the unit 'days'"),
        // At.
        ("at()", "at expression 'at()' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(2026-12-01)", "at expression 'at(2026-12-01)' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(2026-12-01 10:00:00)", "at expression 'at(2026-12-01 10:00:00)' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(2026-12-01T10:00)", "at expression 'at(2026-12-01T10:00)' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(2026-12-01T10:00:00Z)", "at expression 'at(2026-12-01T10:00:00Z)' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(2026-12-01T10:00:00.5)", "at expression 'at(2026-12-01T10:00:00.5)' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(+2026-12-01T10:00:0)", "at expression 'at(+2026-12-01T10:00:0)' must be at(yyyy-mm-ddThh:mm:ss)"),
        ("at(2026-02-30T10:00:00)", "at expression 'at(2026-02-30T10:00:00)' is not a real date and time"),
        ("at(2025-02-29T10:00:00)", "at expression 'at(2025-02-29T10:00:00)' is not a real date and time"),
        ("at(2026-12-01T24:00:00)", "at expression 'at(2026-12-01T24:00:00)' is not a real date and time"),
        ("at(2026-12-01T10:00:60)", "at expression 'at(2026-12-01T10:00:60)' is not a real date and time"),
        ("at(2026-13-01T10:00:00)", "at expression 'at(2026-13-01T10:00:00)' is not a real date and time"),
    ];
    let mut failures = Vec::new();
    for (input, want) in cases {
        match input.parse::<ScheduleExpression>() {
            Ok(parsed) => failures.push(format!(
                "{input:?}: parsed as {parsed}, want error {want:?}"
            )),
            Err(err) if err.to_string() != want => {
                failures.push(format!("{input:?}:\n   got  {err}\n   want {want}"));
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
