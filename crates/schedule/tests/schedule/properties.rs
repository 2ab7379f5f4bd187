//! Property-style check without a fuzzer: for generated valid cron expressions,
//! successive `next_after` results strictly increase, each one matches the
//! expression, and each one equals what a naive day-by-day oracle finds.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc, Weekday};
use rez_schedule::{CronExpression, ScheduleExpression};

use crate::helpers::{TestResult, utc};

const EXPRESSIONS: usize = 400;
const STEPS: usize = 8;
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: u32, high: u32) -> u32 {
        low + (self.next() % u64::from(high - low + 1)) as u32
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.range(1, 100) <= percent
    }
}

/// How the generated day constraint behaves, restated independently of the crate.
#[derive(Debug)]
enum Days {
    OfMonth(BTreeSet<u32>),
    Last,
    LastWeekday,
    Nearest(u32),
    OfWeek(BTreeSet<u32>),
    LastOf(u32),
    Nth(u32, u32),
}

/// A generated expression: its text and the value sets it stands for.
struct Generated {
    text: String,
    minutes: BTreeSet<u32>,
    hours: BTreeSet<u32>,
    days: Days,
    months: BTreeSet<u32>,
    years: BTreeSet<u32>,
}

/// A list field: items of value, range and increment forms, with names where allowed.
fn list(rng: &mut Rng, min: u32, max: u32, names: &[&str], steps: bool) -> (String, BTreeSet<u32>) {
    let show = |rng: &mut Rng, v: u32| match names.get((v - min) as usize) {
        Some(name) if rng.chance(50) => (*name).to_owned(),
        _ => v.to_string(),
    };
    if rng.chance(25) {
        return ("*".to_owned(), (min..=max).collect());
    }
    let mut texts = Vec::new();
    let mut set = BTreeSet::new();
    for _ in 0..rng.range(1, 3) {
        let a = rng.range(min, max);
        let b = rng.range(a, max);
        let step = rng.range(1, (max - min + 1).min(15));
        match rng.range(0, if steps { 4 } else { 1 }) {
            0 => {
                texts.push(show(rng, a));
                set.insert(a);
            }
            1 => {
                texts.push(format!("{}-{}", show(rng, a), show(rng, b)));
                set.extend(a..=b);
            }
            2 => {
                texts.push(format!("{a}/{step}"));
                set.extend((a..=max).step_by(step as usize));
            }
            3 => {
                texts.push(format!("{a}-{b}/{step}"));
                set.extend((a..=b).step_by(step as usize));
            }
            _ => {
                texts.push(format!("*/{step}"));
                set.extend((min..=max).step_by(step as usize));
            }
        }
    }
    (texts.join(","), set)
}

fn generate(rng: &mut Rng) -> Generated {
    let (minute_text, minutes) = list(rng, 0, 59, &[], true);
    let (hour_text, hours) = list(rng, 0, 23, &[], true);
    let (month_text, months) = list(rng, 1, 12, &MONTHS, true);
    let (year_text, years) = match rng.range(0, 9) {
        0 => {
            let a = rng.range(2015, 2035);
            let b = rng.range(a, 2040);
            (format!("{a}-{b}"), (a..=b).collect())
        }
        1 => {
            let a = rng.range(2015, 2030);
            let n = rng.range(1, 6);
            (format!("{a}/{n}"), (a..=2199).step_by(n as usize).collect())
        }
        _ => ("*".to_owned(), (1970..=2199).collect()),
    };
    let weekday = |rng: &mut Rng| {
        let d = rng.range(1, 7);
        let text = if rng.chance(50) {
            DAYS[(d - 1) as usize].to_owned()
        } else {
            d.to_string()
        };
        (d, text)
    };
    let (dom_text, dow_text, days) = match rng.range(0, 9) {
        0..=2 => {
            let (text, set) = list(rng, 1, 31, &[], true);
            (text, "?".to_owned(), Days::OfMonth(set))
        }
        3 => ("L".to_owned(), "?".to_owned(), Days::Last),
        4 => ("LW".to_owned(), "?".to_owned(), Days::LastWeekday),
        5 => {
            let n = rng.range(1, 31);
            (format!("{n}W"), "?".to_owned(), Days::Nearest(n))
        }
        6 => {
            let (text, set) = list(rng, 1, 7, &DAYS, false);
            ("?".to_owned(), text, Days::OfWeek(set))
        }
        7 => {
            let (d, text) = weekday(rng);
            ("?".to_owned(), format!("{text}L"), Days::LastOf(d))
        }
        _ => {
            let (d, text) = weekday(rng);
            let k = rng.range(1, 5);
            ("?".to_owned(), format!("{text}#{k}"), Days::Nth(d, k))
        }
    };
    Generated {
        text: format!(
            "cron({minute_text} {hour_text} {dom_text} {month_text} {dow_text} {year_text})"
        ),
        minutes,
        hours,
        days,
        months,
        years,
    }
}

fn aws_weekday(date: NaiveDate) -> u32 {
    date.weekday().num_days_from_sunday() + 1
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Whether `date` satisfies the day constraint, from the definitions.
fn day_matches(days: &Days, date: NaiveDate) -> bool {
    let same_month = |d: Option<NaiveDate>| d.is_some_and(|d| d.month() == date.month());
    let last = |d: NaiveDate| !same_month(d.succ_opt());
    match days {
        Days::OfMonth(set) => set.contains(&date.day()),
        Days::Last => last(date),
        Days::LastWeekday => {
            // A weekday with no later weekday in the month.
            is_weekday(date)
                && (1..=3).all(|n| {
                    let later = date.checked_add_signed(TimeDelta::days(n));
                    !same_month(later) || later.is_some_and(|l| !is_weekday(l))
                })
        }
        Days::Nearest(n) => {
            // The Monday-Friday of this month closest to day n (always unique).
            let distance = |d: NaiveDate| d.day().abs_diff(*n);
            let month_days = (1..=31).filter_map(|d| date.with_day(d));
            let best = month_days.filter(|d| is_weekday(*d)).map(distance).min();
            date.with_day(*n).is_some() && is_weekday(date) && Some(distance(date)) == best
        }
        Days::OfWeek(set) => set.contains(&aws_weekday(date)),
        Days::LastOf(d) => {
            aws_weekday(date) == *d && !same_month(date.checked_add_signed(TimeDelta::days(7)))
        }
        Days::Nth(d, k) => aws_weekday(date) == *d && (date.day() - 1) / 7 + 1 == *k,
    }
}

/// The first matching minute strictly after `after`, found day by day.
fn oracle(generated: &Generated, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let start = after.naive_utc();
    let mut date = start.date().max(NaiveDate::from_ymd_opt(1970, 1, 1)?);
    while date.year() <= 2199 {
        let fits = generated.years.contains(&(date.year() as u32))
            && generated.months.contains(&date.month())
            && day_matches(&generated.days, date);
        if fits {
            for &h in &generated.hours {
                for &m in &generated.minutes {
                    let t = date.and_hms_opt(h, m, 0)?;
                    if t > start {
                        return Some(t.and_utc());
                    }
                }
            }
        }
        date = date.succ_opt()?;
    }
    None
}

#[test]
fn generated_crons_fire_in_increasing_order_at_matching_times() -> TestResult {
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let anchor = utc("1970-01-01T00:00:00Z")?;
    let earliest = utc("2020-01-01T00:00:00Z")?.timestamp();
    let (mut fires, mut exhausted) = (0, 0);
    for _ in 0..EXPRESSIONS {
        let generated = generate(&mut rng);
        let schedule: ScheduleExpression = generated
            .text
            .parse()
            .map_err(|e| format!("{}: {e}", generated.text))?;
        let ScheduleExpression::Cron(cron) = &schedule else {
            return Err(format!("{} did not parse as cron", generated.text).into());
        };
        assert_eq!(
            schedule.to_string().parse::<ScheduleExpression>()?,
            schedule,
            "{}",
            generated.text
        );
        let offset = i64::try_from(rng.next() % (10 * 366 * 86_400))?;
        let mut after = DateTime::from_timestamp(earliest + offset, 0).ok_or("timestamp")?;
        for _ in 0..STEPS {
            let got = schedule.next_after(after, anchor);
            assert_eq!(
                got,
                oracle(&generated, after),
                "{} after {after}",
                generated.text
            );
            let Some(next) = got else {
                exhausted += 1;
                break;
            };
            fires += 1;
            check_fire(cron, after, next, &generated.text);
            after = next;
        }
    }
    // Guard against a generator that only produces trivial cases.
    assert!(
        fires > EXPRESSIONS * STEPS / 2 && exhausted > 0,
        "{fires} fires, {exhausted} exhausted"
    );
    Ok(())
}

fn check_fire(cron: &CronExpression, after: DateTime<Utc>, next: DateTime<Utc>, text: &str) {
    assert!(next > after, "{text}: {next} is not after {after}");
    assert!(cron.matches(next), "{text}: {next} does not match");
    assert_eq!(
        (next.second(), next.nanosecond()),
        (0, 0),
        "{text}: {next} is not on a minute"
    );
}

#[test]
fn mutated_text_never_panics_and_whatever_parses_round_trips() -> TestResult {
    const ALPHABET: &[u8] = b"0123456789*/,-?LW# ()abcdefghijklmnopqrstuvwxyzJANFEBMONSAT:T.+";
    const SEEDS: [&str; 6] = [
        "cron(0/15 8-17 ? * MON-FRI 2026-2030)",
        "cron(0 9 15W * ? *)",
        "cron(0 9 ? * 6L *)",
        "cron(0 9 ? * 3#2 *)",
        "rate(5 minutes)",
        "at(2026-12-01T10:00:00)",
    ];
    let mut rng = Rng(0xBAD_1DEA_5EED_0002);
    let after = utc("2026-06-15T12:34:56Z")?;
    let mut parsed = 0;
    for _ in 0..20_000 {
        let mut bytes = SEEDS[rng.range(0, 5) as usize].as_bytes().to_vec();
        for _ in 0..rng.range(1, 3) {
            let at = rng.range(0, u32::try_from(bytes.len())?) as usize;
            let byte = ALPHABET[rng.range(0, u32::try_from(ALPHABET.len() - 1)?) as usize];
            match rng.range(0, 2) {
                0 if at < bytes.len() => bytes[at] = byte,
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, byte),
            }
        }
        let text = String::from_utf8(bytes)?;
        let Ok(schedule) = text.parse::<ScheduleExpression>() else {
            continue;
        };
        parsed += 1;
        assert_eq!(
            schedule.to_string().parse::<ScheduleExpression>()?,
            schedule,
            "{text}"
        );
        if let Some(next) = schedule.next_after(after, after) {
            assert!(next > after, "{text}: {next}");
        }
    }
    assert!(parsed > 100, "only {parsed} mutants parsed");
    Ok(())
}
