//! `at(yyyy-mm-ddThh:mm:ss)`: a one-time schedule, in UTC or in a time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::ScheduleError;

/// The format of the timestamp inside `at(...)`, for display.
pub(crate) const FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Parses `at(yyyy-mm-ddThh:mm:ss)`: exactly that shape, a real calendar date
/// and a time with seconds 00-59.
///
/// # Errors
/// [`ScheduleError::AtSyntax`] for the wrong shape, [`ScheduleError::AtInvalidDate`]
/// for e.g. 30 February or hour 24.
pub(crate) fn parse(s: &str) -> Result<NaiveDateTime, ScheduleError> {
    let inner = crate::unwrap_call(s, "at")?;
    let syntax = || ScheduleError::AtSyntax {
        expression: s.to_owned(),
    };
    let bytes = inner.as_bytes();
    let shape_ok = bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(syntax());
    }
    let num = |from: usize, to: usize| inner.get(from..to).and_then(|t| t.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) else {
        return Err(syntax());
    };
    i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
        .and_then(|date| date.and_hms_opt(hour, minute, second))
        .ok_or_else(|| ScheduleError::AtInvalidDate {
            expression: s.to_owned(),
        })
}

/// The fire time, `at` read as wall-clock time in `zone`, if it is strictly
/// after `after`; a one-time schedule ignores its anchor. A time the clocks
/// repeat is its first occurrence; a time they skip never comes (see
/// [`instant_in`]).
pub(crate) fn next_after_in<Z: TimeZone>(
    at: NaiveDateTime,
    zone: &Z,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    instant_in(at, zone).filter(|t| *t > after)
}

/// `at` as wall-clock time in `zone`: its first occurrence where the clocks
/// repeat it, `None` where they skip it.
pub(crate) fn instant_in<Z: TimeZone>(at: NaiveDateTime, zone: &Z) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
