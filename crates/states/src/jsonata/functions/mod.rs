//! Built-in JSONata functions, including the ones Step Functions adds
//! (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`).

mod aws;
mod collection;
mod higher;
mod numeric;
mod text;
mod time;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

use super::value::Caller;
use super::value::Val;
use crate::fnv::FnvBuild;

type Builtin = fn(&mut dyn Caller, Vec<Val>) -> Result<Val, String>;

/// Every built-in, by name without `$`.
const BUILTINS: &[(&str, Builtin)] = &[
    ("string", text::string),
    ("length", text::length),
    ("substring", text::substring),
    ("substringBefore", text::substring_before),
    ("substringAfter", text::substring_after),
    ("uppercase", text::uppercase),
    ("lowercase", text::lowercase),
    ("trim", text::trim),
    ("contains", text::contains),
    ("split", text::split),
    ("join", text::join),
    ("replace", text::replace),
    ("sort", higher::sort),
    ("reduce", higher::reduce),
    ("each", higher::each),
    ("now", time::now),
    ("millis", time::millis),
    ("toMillis", time::to_millis),
    ("fromMillis", time::from_millis),
    ("number", numeric::number),
    ("abs", numeric::abs),
    ("floor", numeric::floor),
    ("ceil", numeric::ceil),
    ("round", numeric::round),
    ("power", numeric::power),
    ("sqrt", numeric::sqrt),
    ("sum", numeric::sum),
    ("max", numeric::max),
    ("min", numeric::min),
    ("average", numeric::average),
    ("boolean", collection::boolean),
    ("not", collection::not),
    ("exists", collection::exists),
    ("count", collection::count),
    ("append", collection::append),
    ("reverse", collection::reverse),
    ("distinct", collection::distinct),
    ("keys", collection::keys),
    ("lookup", collection::lookup),
    ("merge", collection::merge),
    ("type", collection::type_of),
    ("map", collection::map),
    ("filter", collection::filter),
    ("partition", aws::partition),
    ("range", aws::range),
    ("hash", aws::hash),
    ("random", aws::random),
    ("uuid", aws::uuid),
    ("parse", aws::parse),
];

/// [`BUILTINS`] by name: a name is looked up on every call.
static BY_NAME: LazyLock<HashMap<&'static str, Builtin, FnvBuild>> =
    LazyLock::new(|| BUILTINS.iter().copied().collect());

/// The built-in called `name`, if any.
pub(crate) fn builtin(name: &str) -> Option<&'static str> {
    BY_NAME.get_key_value(name).map(|(name, _)| *name)
}

/// Call the built-in `name`.
pub(crate) fn call(evaluator: &mut dyn Caller, name: &str, args: Vec<Val>) -> Result<Val, String> {
    let body = BY_NAME
        .get(name)
        .ok_or_else(|| format!("unknown function ${name}"))?;
    body(evaluator, args)
}

/// Argument `i` as JSON, or `None` when absent or undefined.
pub(super) fn arg(args: &[Val], i: usize) -> Option<&Value> {
    args.get(i).and_then(Val::json)
}

/// Argument `i` as a string.
pub(super) fn string_arg<'a>(name: &str, args: &'a [Val], i: usize) -> Result<&'a str, String> {
    arg(args, i)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Argument {} of function ${name} must be a string", i + 1))
}

/// Argument `i` as a number.
pub(super) fn number_arg(name: &str, args: &[Val], i: usize) -> Result<f64, String> {
    arg(args, i)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("Argument {} of function ${name} must be a number", i + 1))
}

/// Argument `i` as an array (a single value counts as a one-item array).
pub(super) fn array_arg(args: &[Val], i: usize) -> Vec<Value> {
    match arg(args, i) {
        Some(Value::Array(items)) => items.clone(),
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    }
}
