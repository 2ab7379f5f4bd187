//! Boolean, array and object functions.

use serde_json::{Map, Value};

use super::{arg, array_arg};
use crate::jsonata::value::Caller;
use crate::jsonata::value::{Val, json_equal, type_name};

fn boolean_value(b: bool) -> Result<Val, String> {
    Ok(Val::Json(Value::Bool(b)))
}

pub(super) fn boolean(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    match args.first() {
        None | Some(Val::Undefined) => Ok(Val::Undefined),
        Some(v) => boolean_value(v.truthy()),
    }
}

pub(super) fn not(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    match args.first() {
        None | Some(Val::Undefined) => Ok(Val::Undefined),
        Some(v) => boolean_value(!v.truthy()),
    }
}

pub(super) fn exists(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    boolean_value(args.first().is_some_and(|v| !v.is_undefined()))
}

pub(super) fn count(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    Val::number(array_arg(&args, 0).len() as f64)
}

pub(super) fn append(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let mut out = array_arg(&args, 0);
    out.extend(array_arg(&args, 1));
    Ok(Val::from_sequence_keep_array(out))
}

pub(super) fn reverse(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    let mut out = array_arg(&args, 0);
    out.reverse();
    Ok(Val::Json(Value::Array(out)))
}

pub(super) fn distinct(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let mut out: Vec<Value> = Vec::new();
    for item in array_arg(&args, 0) {
        if !out.iter().any(|o| json_equal(o, &item)) {
            out.push(item);
        }
    }
    Ok(Val::Json(Value::Array(out)))
}

pub(super) fn keys(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let mut out: Vec<Value> = Vec::new();
    for item in array_arg(&args, 0) {
        if let Value::Object(map) = item {
            for key in map.keys() {
                if !out.iter().any(|k| k.as_str() == Some(key)) {
                    out.push(Value::String(key.clone()));
                }
            }
        }
    }
    Ok(Val::from_sequence(out))
}

pub(super) fn lookup(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let key = super::string_arg("lookup", &args, 1)?;
    let found: Vec<Value> = array_arg(&args, 0)
        .iter()
        .filter_map(|o| o.get(key).cloned())
        .collect();
    Ok(Val::from_sequence(found))
}

pub(super) fn merge(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    // The argument is owned (an array built for this call, usually): its
    // first object becomes the result, the others move into it.
    let items = match args.into_iter().next() {
        Some(Val::Json(Value::Array(items))) => items,
        Some(Val::Json(value)) => vec![value],
        _ => return Ok(Val::Undefined),
    };
    let mut merged: Option<Map<String, Value>> = None;
    for item in items {
        match item {
            Value::Object(map) => match &mut merged {
                None => merged = Some(map),
                Some(merged) => merged.extend(map),
            },
            other => {
                return Err(format!(
                    "Argument 1 of function $merge must be an array of objects, not {}",
                    type_name(&other)
                ));
            }
        }
    }
    Ok(Val::Json(Value::Object(merged.unwrap_or_default())))
}

pub(super) fn type_of(_: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    Ok(match args.first() {
        None | Some(Val::Undefined) => Val::Undefined,
        Some(Val::Json(v)) => Val::Json(Value::String(type_name(v).into())),
        Some(_) => Val::Json(Value::String("function".into())),
    })
}

pub(super) fn map(evaluator: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let function = args.get(1).cloned().unwrap_or(Val::Undefined);
    let mut out = Vec::new();
    for (i, item) in array_arg(&args, 0).into_iter().enumerate() {
        let call_args = vec![Val::Json(item), Val::number(i as f64)?];
        if let Val::Json(v) = evaluator.call(&function, call_args)? {
            out.push(v);
        }
    }
    Ok(Val::from_sequence_keep_array(out))
}

pub(super) fn filter(evaluator: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let function = args.get(1).cloned().unwrap_or(Val::Undefined);
    let mut out = Vec::new();
    for (i, item) in array_arg(&args, 0).into_iter().enumerate() {
        let call_args = vec![Val::Json(item.clone()), Val::number(i as f64)?];
        if evaluator.call(&function, call_args)?.truthy() {
            out.push(item);
        }
    }
    Ok(Val::from_sequence_keep_array(out))
}
