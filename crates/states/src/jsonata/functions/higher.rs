//! Functions that take a function: `$sort`, `$reduce`, `$each`.

use std::cmp::Ordering;

use serde_json::Value;

use super::{arg, array_arg};
use crate::jsonata::value::Caller;
use crate::jsonata::value::Val;

/// `$sort(array[, function($a, $b)])`: the function returns true when `$a`
/// belongs after `$b`; without it numbers or strings sort ascending.
pub(super) fn sort(evaluator: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    if arg(&args, 0).is_none() {
        return Ok(Val::Undefined);
    }
    let mut items = array_arg(&args, 0);
    match args.get(1) {
        Some(function @ (Val::Lambda(_) | Val::Builtin(_))) => {
            // Insertion sort keeps the comparator's errors and stays stable.
            let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                let mut at = sorted.len();
                while at > 0 {
                    let previous = sorted.get(at - 1).cloned().unwrap_or(Value::Null);
                    if evaluator
                        .call(function, vec![Val::Json(previous), Val::Json(item.clone())])?
                        .truthy()
                    {
                        at -= 1;
                    } else {
                        break;
                    }
                }
                sorted.insert(at, item);
            }
            Ok(Val::Json(Value::Array(sorted)))
        }
        _ => {
            let all_numbers = items.iter().all(Value::is_number);
            let all_strings = items.iter().all(Value::is_string);
            if !all_numbers && !all_strings {
                return Err(
                    "$sort needs an array of numbers or of strings, or a comparator function"
                        .into(),
                );
            }
            items.sort_by(|a, b| match (a, b) {
                (Value::Number(x), Value::Number(y)) => x
                    .as_f64()
                    .partial_cmp(&y.as_f64())
                    .unwrap_or(Ordering::Equal),
                (Value::String(x), Value::String(y)) => x.cmp(y),
                _ => Ordering::Equal,
            });
            Ok(Val::Json(Value::Array(items)))
        }
    }
}

/// `$reduce(array, function($acc, $value)[, init])`.
pub(super) fn reduce(evaluator: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let function = args.get(1).cloned().unwrap_or(Val::Undefined);
    let mut items = array_arg(&args, 0).into_iter();
    let mut acc = match args.get(2) {
        Some(init) => init.clone(),
        None => items.next().map_or(Val::Undefined, Val::Json),
    };
    for item in items {
        acc = evaluator.call(&function, vec![acc, Val::Json(item)])?;
    }
    Ok(acc)
}

/// `$each(object, function($value, $key))`.
pub(super) fn each(evaluator: &mut dyn Caller, args: Vec<Val>) -> Result<Val, String> {
    let Some(Value::Object(map)) = arg(&args, 0).cloned() else {
        return Ok(Val::Undefined);
    };
    let function = args.get(1).cloned().unwrap_or(Val::Undefined);
    let mut out = Vec::new();
    for (key, value) in map {
        if let Val::Json(v) = evaluator.call(
            &function,
            vec![Val::Json(value), Val::Json(Value::String(key))],
        )? {
            out.push(v);
        }
    }
    Ok(Val::from_sequence_keep_array(out))
}
