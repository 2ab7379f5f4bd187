//! Functions Step Functions adds to JSONata.

use serde_json::Value;

use super::{arg, array_arg, number_arg, string_arg};
use crate::intrinsics::registry::{self, Arg};
use crate::jsonata::value::Caller;
use crate::jsonata::value::Val;

/// Reuse an intrinsic function's implementation (same semantics as `States.*`).
fn intrinsic(name: &str, args: &[Val]) -> Result<Val, String> {
    let args: Vec<Arg> = args
        .iter()
        .filter_map(Val::json)
        .map(|v| Arg {
            value: v.clone(),
            raw: None,
        })
        .collect();
    registry::call(name, &args).map(Val::Json)
}

/// `$partition(array, size)`.
pub(super) fn partition(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let items = array_arg(&args, 0);
    let size = number_arg("partition", &args, 1)?;
    intrinsic(
        "States.ArrayPartition",
        &[Val::Json(Value::Array(items)), Val::number(size)?],
    )
}

/// `$range(start, end, step)`: a sequence, so a single number is returned as itself.
pub(super) fn range(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    match intrinsic("States.ArrayRange", &args)? {
        Val::Json(Value::Array(items)) => Ok(Val::from_sequence(items)),
        other => Ok(other),
    }
}

/// `$hash(data, algorithm)`.
pub(super) fn hash(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    string_arg("hash", &args, 0)?;
    intrinsic("States.Hash", &args)
}

/// `$random([seed])`: a number in [0, 1).
pub(super) fn random(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    use rand::{Rng, SeedableRng};
    let n: f64 = match arg(&args, 0) {
        Some(_) => {
            rand::rngs::StdRng::seed_from_u64(number_arg("random", &args, 0)? as u64).random()
        }
        None => rand::rng().random(),
    };
    Val::number(n)
}

/// `$uuid()`.
pub(super) fn uuid(_: &mut dyn Caller, _args: Vec<Val>) -> Result<Val, String> {
    Ok(Val::Json(Value::String(::uuid::Uuid::new_v4().to_string())))
}

/// `$parse(text)`: JSON text to a value.
pub(super) fn parse(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let text = string_arg("parse", &args, 0)?;
    serde_json::from_str(text)
        .map(Val::Json)
        .map_err(|e| format!("Unable to parse JSON: {e}"))
}
