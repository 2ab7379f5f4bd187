//! The one error type of this crate: what was wrong with a schedule expression, and where.

use crate::cron::CronField;

/// Why a schedule expression could not be parsed.
///
/// Every message names the offending text and, for cron, the field (by position
/// and name) it was found in, e.g.
/// `cron field 5 (day-of-week): '8' is out of range 1-7`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The text does not start with `cron(`, `rate(` or `at(`.
    #[error(
        "'{expression}' is not a schedule expression: expected cron(...), rate(...) or at(...)"
    )]
    UnknownKind {
        /// The whole expression as given.
        expression: String,
    },
    /// The expression starts with a known kind but does not end with `)`.
    #[error("'{expression}' is missing its closing ')'")]
    Unclosed {
        /// The whole expression as given.
        expression: String,
    },
    /// A cron expression did not have exactly six whitespace-separated fields.
    #[error(
        "cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), found {found}"
    )]
    CronFieldCount {
        /// How many fields were found.
        found: usize,
    },
    /// One item of one cron field is invalid.
    #[error("cron {field}: '{token}' {problem}")]
    CronField {
        /// The field the problem is in.
        field: CronField,
        /// The offending part of the field's text.
        token: String,
        /// What is wrong with `token`.
        problem: FieldProblem,
    },
    /// Day-of-month and day-of-week were both `?`, or neither was.
    #[error(
        "cron day-of-month '{day_of_month}' and day-of-week '{day_of_week}': exactly one of the two must be '?'"
    )]
    CronDayConflict {
        /// The day-of-month field's text.
        day_of_month: String,
        /// The day-of-week field's text.
        day_of_week: String,
    },
    /// A rate expression is not `rate(value unit)`.
    #[error("rate expression '{expression}' must be 'rate(value unit)', e.g. rate(5 minutes)")]
    RateSyntax {
        /// The whole expression as given.
        expression: String,
    },
    /// A rate value is not a whole number from 1 to `u32::MAX`.
    #[error("rate value '{value}' must be a whole number from 1 to 4294967295")]
    RateValue {
        /// The value as written.
        value: String,
    },
    /// A rate unit is not one of the six accepted spellings.
    #[error("rate unit '{unit}' must be one of minute, minutes, hour, hours, day, days")]
    RateUnit {
        /// The unit as written.
        unit: String,
    },
    /// A rate of 1 used a plural unit, or a larger rate a singular one.
    #[error("rate({value} {unit}): a value of {value} takes the unit '{expected}'")]
    RateUnitNumber {
        /// The rate value.
        value: u32,
        /// The unit as written.
        unit: String,
        /// The spelling AWS requires for this value.
        expected: &'static str,
    },
    /// An at expression is not `at(yyyy-mm-ddThh:mm:ss)`.
    #[error("at expression '{expression}' must be at(yyyy-mm-ddThh:mm:ss)")]
    AtSyntax {
        /// The whole expression as given.
        expression: String,
    },
    /// An at expression has the right shape but names no real instant (e.g. 30 February).
    #[error("at expression '{expression}' is not a real date and time")]
    AtInvalidDate {
        /// The whole expression as given.
        expression: String,
    },
    /// An at expression names a wall-clock time that the clocks of its zone
    /// skip (the hour lost to daylight saving time): it would never fire.
    #[error(
        "at expression '{expression}' names a time that does not exist in {zone}: the clocks skip it"
    )]
    AtSkippedInZone {
        /// The whole expression as given.
        expression: String,
        /// The zone's IANA name.
        zone: String,
    },
    /// A time zone that is not an IANA name (`Europe/Berlin`, `UTC`, …).
    #[error("'{name}' is not a time zone: expected an IANA name such as Europe/Berlin or UTC")]
    UnknownTimeZone {
        /// The name as given.
        name: String,
    },
    /// A schedule whose end is not after its start.
    #[error("the end date {end} is not after the start date {start}")]
    EndNotAfterStart {
        /// The start, RFC 3339.
        start: String,
        /// The end, RFC 3339.
        end: String,
    },
}

/// What is wrong with one item of a cron field; see [`ScheduleError::CronField`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldProblem {
    /// A number lies outside the field's allowed values.
    #[error("is out of range {min}-{max}")]
    OutOfRange {
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// The text is neither a number nor one of the field's names.
    #[error("is not {expected}")]
    NotAValue {
        /// What the field accepts, e.g. "a number or a month name (JAN-DEC)".
        expected: &'static str,
    },
    /// The item uses a special character this field does not accept.
    #[error("uses '{wildcard}', which this field does not accept (allowed: {allowed})")]
    WildcardNotAllowed {
        /// The rejected character.
        wildcard: char,
        /// The special characters this field does accept.
        allowed: &'static str,
    },
    /// A range `a-b` with `a > b`.
    #[error("is a range whose start is after its end")]
    BackwardsRange,
    /// An increment `x/n` with `n` of 0 or larger than the field's span.
    #[error("has an increment out of range 1-{max}")]
    IncrementOutOfRange {
        /// Largest allowed increment.
        max: u32,
    },
    /// `n#k` with `k` outside 1-5.
    #[error("asks for an occurrence out of range 1-5")]
    OccurrenceOutOfRange,
    /// `?`, `L`, `LW`, `nW`, `nL` or `n#k` combined with other items in a list.
    #[error("must be the only item in this field")]
    NotAlone,
    /// A list with an empty item, e.g. `1,,2` or a trailing comma.
    #[error("has an empty list item")]
    EmptyItem,
}
