//! The six cron fields and what each one accepts, as documented for EventBridge:
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html>.

use std::fmt;

/// Month names accepted in the month field, JAN = 1.
const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Day names accepted in the day-of-week field, SUN = 1 (unlike Unix cron, where SUN = 0).
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One of the six fields of a cron expression, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// Field 1, 0-59.
    Minutes,
    /// Field 2, 0-23.
    Hours,
    /// Field 3, 1-31; also `?`, `L`, `LW`, `nW`.
    DayOfMonth,
    /// Field 4, 1-12 or JAN-DEC.
    Month,
    /// Field 5, 1-7 or SUN-SAT (1 = Sunday); also `?`, `L`, `nL`, `n#k`.
    DayOfWeek,
    /// Field 6, 1970-2199.
    Year,
}

impl CronField {
    /// All fields in the order they are written.
    pub const ALL: [CronField; 6] = [
        CronField::Minutes,
        CronField::Hours,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
        CronField::Year,
    ];

    /// 1-based position in the expression.
    pub fn position(self) -> usize {
        match self {
            CronField::Minutes => 1,
            CronField::Hours => 2,
            CronField::DayOfMonth => 3,
            CronField::Month => 4,
            CronField::DayOfWeek => 5,
            CronField::Year => 6,
        }
    }

    /// The name AWS's documentation uses, e.g. `day-of-week`.
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minutes => "minutes",
            CronField::Hours => "hours",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
            CronField::Year => "year",
        }
    }

    /// Smallest value the field accepts.
    pub fn min(self) -> u32 {
        match self {
            CronField::Minutes | CronField::Hours => 0,
            CronField::DayOfMonth | CronField::Month | CronField::DayOfWeek => 1,
            CronField::Year => 1970,
        }
    }

    /// Largest value the field accepts.
    pub fn max(self) -> u32 {
        match self {
            CronField::Minutes => 59,
            CronField::Hours => 23,
            CronField::DayOfMonth => 31,
            CronField::Month => 12,
            CronField::DayOfWeek => 7,
            CronField::Year => 2199,
        }
    }

    /// The special characters the field accepts, as listed in AWS's table.
    pub fn wildcards(self) -> &'static str {
        match self {
            CronField::DayOfMonth => ", - * ? / L W",
            CronField::DayOfWeek => ", - * ? L #",
            _ => ", - * /",
        }
    }

    /// Whether `c` is one of [`CronField::wildcards`].
    pub(crate) fn allows(self, c: char) -> bool {
        self.wildcards().contains(c)
    }

    /// Names standing for values, first name = [`CronField::min`].
    pub(crate) fn names(self) -> &'static [&'static str] {
        match self {
            CronField::Month => &MONTH_NAMES,
            CronField::DayOfWeek => &DAY_NAMES,
            _ => &[],
        }
    }

    /// What a single value in this field may be, for error messages.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            CronField::Month => "a number or a month name (JAN-DEC)",
            CronField::DayOfWeek => "a number or a day name (SUN-SAT)",
            _ => "a number",
        }
    }
}

impl fmt::Display for CronField {
    /// `field 5 (day-of-week)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field {} ({})", self.position(), self.name())
    }
}
