//! Date/time functions: `$now`, `$millis`, `$toMillis`, `$fromMillis` (ISO 8601, UTC).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::{arg, number_arg, string_arg};
use crate::jsonata::value::Caller;
use crate::jsonata::value::Val;

fn iso(time: DateTime<Utc>) -> Val {
    Val::Json(Value::String(
        time.to_rfc3339_opts(SecondsFormat::Millis, true),
    ))
}

/// `$now()`: the current time as ISO 8601.
pub(super) fn now(_: &mut dyn Caller, _args: Vec<Val>) -> Result<Val, String> {
    Ok(iso(Utc::now()))
}

/// `$millis()`: milliseconds since the Unix epoch.
pub(super) fn millis(_: &mut dyn Caller, _args: Vec<Val>) -> Result<Val, String> {
    Val::number(Utc::now().timestamp_millis() as f64)
}

/// `$toMillis(timestamp)`.
pub(super) fn to_millis(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    let text = string_arg("toMillis", &args, 0)?;
    let time = DateTime::parse_from_rfc3339(text)
        .map_err(|_| format!("The timestamp '{text}' is not ISO 8601"))?;
    Val::number(time.timestamp_millis() as f64)
}

/// `$fromMillis(number)`.
pub(super) fn from_millis(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    let n = number_arg("fromMillis", &args, 0)?;
    DateTime::from_timestamp_millis(n as i64)
        .map(iso)
        .ok_or_else(|| format!("{n} is out of the date range"))
}
