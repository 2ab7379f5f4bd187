//! Gregorian calendar arithmetic that cannot fail: month lengths and weekdays.

/// Whether `year` has a 29 February.
pub(crate) fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1-12) of `year`; 0 for a month that does not exist.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Day of the week in AWS's numbering: 1 = Sunday … 7 = Saturday.
pub(crate) fn weekday(year: i32, month: u32, day: u32) -> u32 {
    // Sakamoto's method; yields 0 = Sunday.
    const OFFSETS: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let offset = OFFSETS[(month.clamp(1, 12) - 1) as usize];
    let y = i64::from(year) - i64::from(month < 3);
    let w = (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + offset + i64::from(day))
        .rem_euclid(7);
    // `w` is in 0..7, so the cast is lossless.
    w as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::{days_in_month, weekday};

    #[test]
    fn weekday_uses_aws_numbering_with_sunday_as_one() {
        let cases = [
            ((1970, 1, 1), 5),   // Thursday
            ((2000, 2, 29), 3),  // Tuesday
            ((2026, 11, 30), 2), // Monday
            ((2100, 3, 1), 2),   // Monday; 2100 is not a leap year
            ((2199, 12, 31), 3), // Tuesday
        ];
        for ((y, m, d), want) in cases {
            assert_eq!(weekday(y, m, d), want, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn february_has_29_days_only_in_leap_years() {
        let cases = [(2024, 29), (2025, 28), (2000, 29), (2100, 28)];
        for (year, want) in cases {
            assert_eq!(days_in_month(year, 2), want, "{year}");
        }
    }
}
