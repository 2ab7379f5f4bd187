//! Finding the next matching minute by skipping whole years, months, days and
//! hours that cannot match, so every search is bounded by the year range
//! (at most 230 years × 12 months) and never walks minute by minute.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::Compiled;

/// The first matching minute at or after `start` (whose seconds are ignored).
pub(crate) fn first_at_or_after(cron: &Compiled, start: NaiveDateTime) -> Option<NaiveDateTime> {
    let year_min = i32::try_from(super::CronField::Year.min()).ok()?;
    let (y0, mo0, d0, h0, mi0) = if start.year() < year_min {
        (year_min, 1, 1, 0, 0)
    } else {
        (
            start.year(),
            start.month(),
            start.day(),
            start.hour(),
            start.minute(),
        )
    };
    let y0_u = u32::try_from(y0).ok()?;
    let mut year = cron.years.next_from(y0_u)?;
    loop {
        let first_year = year == y0_u;
        let y = i32::try_from(year).ok()?;
        let mut month = cron.months.next_from(if first_year { mo0 } else { 1 });
        while let Some(mo) = month {
            let first_month = first_year && mo == mo0;
            let days = cron.day.days(y, mo);
            let mut day = next_bit(days, if first_month { d0 } else { 1 });
            while let Some(d) = day {
                let first_day = first_month && d == d0;
                let mut hour = cron.hours.next_from(if first_day { h0 } else { 0 });
                while let Some(h) = hour {
                    let first_hour = first_day && h == h0;
                    if let Some(mi) = cron.minutes.next_from(if first_hour { mi0 } else { 0 }) {
                        return NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, 0);
                    }
                    hour = cron.hours.next_from(h + 1);
                }
                day = next_bit(days, d + 1);
            }
            month = cron.months.next_from(mo + 1);
        }
        year = cron.years.next_from(year + 1)?;
    }
}

/// The lowest set bit of `mask` at position `>= from` (positions 0-31).
fn next_bit(mask: u32, from: u32) -> Option<u32> {
    let rest = mask.checked_shr(from)?.checked_shl(from)?;
    (rest != 0).then(|| rest.trailing_zeros())
}
