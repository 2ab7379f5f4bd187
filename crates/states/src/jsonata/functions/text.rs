//! String functions.

use serde_json::Value;

use super::{arg, number_arg, string_arg};
use crate::jsonata::value::Caller;
use crate::jsonata::value::{Val, stringify};

fn text(s: String) -> Result<Val, String> {
    Ok(Val::Json(Value::String(s)))
}

pub(super) fn string(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    match arg(&args, 0) {
        Some(v) => text(stringify(v)),
        None => Ok(Val::Undefined),
    }
}

pub(super) fn length(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    Val::number(string_arg("length", &args, 0)?.chars().count() as f64)
}

pub(super) fn substring(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let chars: Vec<char> = string_arg("substring", &args, 0)?.chars().collect();
    let len = chars.len() as i64;
    let start = number_arg("substring", &args, 1)? as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start.min(len)
    };
    let end = match arg(&args, 2) {
        Some(_) => (start + (number_arg("substring", &args, 2)? as i64).max(0)).min(len),
        None => len,
    };
    let slice = usize::try_from(start)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(s, e)| chars.get(s..e));
    text(slice.unwrap_or_default().iter().collect())
}

pub(super) fn substring_before(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let (s, chars) = (
        string_arg("substringBefore", &args, 0)?,
        string_arg("substringBefore", &args, 1)?,
    );
    text(
        s.split_once(chars)
            .map_or(s, |(before, _)| before)
            .to_string(),
    )
}

pub(super) fn substring_after(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let (s, chars) = (
        string_arg("substringAfter", &args, 0)?,
        string_arg("substringAfter", &args, 1)?,
    );
    text(
        s.split_once(chars)
            .map_or(s, |(_, after)| after)
            .to_string(),
    )
}

pub(super) fn uppercase(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    text(string_arg("uppercase", &args, 0)?.to_uppercase())
}

pub(super) fn lowercase(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    text(string_arg("lowercase", &args, 0)?.to_lowercase())
}

pub(super) fn trim(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    text(
        string_arg("trim", &args, 0)?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

pub(super) fn contains(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let Some(s) = arg(&args, 0) else {
        return Ok(Val::Undefined);
    };
    let s = s
        .as_str()
        .ok_or("Argument 1 of function $contains must be a string")?;
    let found = match args.get(1) {
        Some(Val::Regex(re)) => re.is_match(s),
        Some(Val::Json(Value::String(p))) => s.contains(p.as_str()),
        _ => {
            return Err(
                "Argument 2 of function $contains must be a string or a regular expression".into(),
            );
        }
    };
    Ok(Val::Json(Value::Bool(found)))
}

pub(super) fn split(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let s = string_arg("split", &args, 0)?;
    let parts: Vec<Value> = match args.get(1) {
        Some(Val::Regex(re)) => re.split(s).map(|p| Value::String(p.to_string())).collect(),
        Some(Val::Json(Value::String(sep))) if sep.is_empty() => {
            s.chars().map(|c| Value::String(c.to_string())).collect()
        }
        Some(Val::Json(Value::String(sep))) => s
            .split(sep.as_str())
            .map(|p| Value::String(p.to_string()))
            .collect(),
        _ => {
            return Err(
                "Argument 2 of function $split must be a string or a regular expression".into(),
            );
        }
    };
    Ok(Val::Json(Value::Array(parts)))
}

pub(super) fn join(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let items = super::array_arg(&args, 0);
    let separator = match arg(&args, 1) {
        Some(v) => v
            .as_str()
            .ok_or("Argument 2 of function $join must be a string")?,
        None => "",
    };
    let parts: Result<Vec<&str>, String> = items
        .iter()
        .map(|v| {
            v.as_str().ok_or_else(|| {
                "Argument 1 of function $join must be an array of strings".to_string()
            })
        })
        .collect();
    text(parts?.join(separator))
}

/// `$replace(str, pattern, replacement[, limit])`; the pattern may be a regex.
pub(super) fn replace(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    let s = string_arg("replace", &args, 0)?;
    let replacement = string_arg("replace", &args, 2)?;
    let limit = match arg(&args, 3) {
        Some(_) => Some(number_arg("replace", &args, 3)?.max(0.0) as usize),
        None => None,
    };
    let out = match args.get(1) {
        Some(Val::Regex(re)) => re
            .replacen(s, limit.unwrap_or(0), regex::NoExpand(replacement))
            .into_owned(),
        Some(Val::Json(Value::String(p))) if !p.is_empty() => match limit {
            Some(n) => s.replacen(p.as_str(), replacement, n),
            None => s.replace(p.as_str(), replacement),
        },
        _ => return Err(
            "Argument 2 of function $replace must be a non-empty string or a regular expression"
                .into(),
        ),
    };
    text(out)
}
