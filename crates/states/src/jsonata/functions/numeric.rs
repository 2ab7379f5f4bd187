//! Numeric functions.

use serde_json::Value;

use super::{arg, array_arg, number_arg};
use crate::jsonata::value::Caller;
use crate::jsonata::value::Val;

pub(super) fn number(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    match arg(&args, 0) {
        None => Ok(Val::Undefined),
        Some(Value::Number(n)) => Val::number(n.as_f64().unwrap_or(0.0)),
        Some(Value::Bool(b)) => Val::number(if *b { 1.0 } else { 0.0 }),
        Some(Value::String(s)) => {
            let n: f64 = s
                .trim()
                .parse()
                .map_err(|_| format!("Unable to cast value to a number: \"{s}\""))?;
            Val::number(n)
        }
        Some(other) => Err(format!("Unable to cast value to a number: {other}")),
    }
}

fn unary(name: &str, args: &[Val], f: fn(f64) -> f64) -> Result<Val, String> {
    if arg(args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    Val::number(f(number_arg(name, args, 0)?))
}

pub(super) fn abs(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    unary("abs", &args, f64::abs)
}

pub(super) fn floor(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    unary("floor", &args, f64::floor)
}

pub(super) fn ceil(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    unary("ceil", &args, f64::ceil)
}

pub(super) fn sqrt(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    unary("sqrt", &args, f64::sqrt)
}

/// JSONata rounds half to even, at an optional number of decimal places.
pub(super) fn round(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    let n = number_arg("round", &args, 0)?;
    let places = if arg(&args, 1).is_some() {
        number_arg("round", &args, 1)? as i32
    } else {
        0
    };
    let scale = 10f64.powi(places);
    Val::number((n * scale).round_ties_even() / scale)
}

pub(super) fn power(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    Val::number(number_arg("power", &args, 0)?.powf(number_arg("power", &args, 1)?))
}

fn numbers(name: &str, args: &[Val]) -> Result<Vec<f64>, String> {
    array_arg(args, 0)
        .iter()
        .map(|v| {
            v.as_f64().ok_or_else(|| {
                format!("Argument 1 of function ${name} must be an array of numbers")
            })
        })
        .collect()
}

pub(super) fn sum(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    Val::number(numbers("sum", &args)?.iter().sum())
}

pub(super) fn max(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    numbers("max", &args)?
        .into_iter()
        .reduce(f64::max)
        .map_or(Ok(Val::Undefined), Val::number)
}

pub(super) fn min(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    numbers("min", &args)?
        .into_iter()
        .reduce(f64::min)
        .map_or(Ok(Val::Undefined), Val::number)
}

pub(super) fn average(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let values = numbers("average", &args)?;
    if values.is_empty() {
        return Ok(Val::Undefined);
    }
    Val::number(values.iter().sum::<f64>() / values.len() as f64)
}
