//! The registry: every intrinsic function with its declared signature.
//! Arity and argument types are checked here, in one place, before the
//! function runs.

use serde_json::Value;

use super::functions::*;

/// The type an argument must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgType {
    Any,
    String,
    Number,
    /// A number without a fractional part.
    Integer,
    Boolean,
    Array,
    Object,
}

impl ArgType {
    fn accepts(self, value: &Value) -> bool {
        match self {
            ArgType::Any => true,
            ArgType::String => value.is_string(),
            ArgType::Number => value.is_number(),
            ArgType::Integer => {
                value.as_i64().is_some() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            ArgType::Boolean => value.is_boolean(),
            ArgType::Array => value.is_array(),
            ArgType::Object => value.is_object(),
        }
    }
}

/// Name, parameters and arity of one function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signature {
    pub(crate) name: &'static str,
    /// Fixed parameters, in order.
    pub(crate) params: &'static [ArgType],
    /// How many of the trailing fixed parameters may be left out.
    pub(crate) optional: usize,
    /// Type of any further (variadic) arguments; `None`: no more allowed.
    pub(crate) rest: Option<ArgType>,
}

/// An evaluated argument; `raw` is a string literal's text with its escapes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub(crate) value: Value,
    pub(crate) raw: Option<String>,
}

/// A function body: arguments already checked against the signature.
pub(crate) type Body = fn(&[Arg]) -> Result<Value, String>;

/// Every supported function.
pub(crate) const FUNCTIONS: &[(Signature, Body)] = &[
    (format::SIGNATURE, format::call),
    (string_to_json::SIGNATURE, string_to_json::call),
    (json_to_string::SIGNATURE, json_to_string::call),
    (array::SIGNATURE, array::call),
    (array_partition::SIGNATURE, array_partition::call),
    (array_contains::SIGNATURE, array_contains::call),
    (array_range::SIGNATURE, array_range::call),
    (array_get_item::SIGNATURE, array_get_item::call),
    (array_length::SIGNATURE, array_length::call),
    (array_unique::SIGNATURE, array_unique::call),
    (base64_encode::SIGNATURE, base64_encode::call),
    (base64_decode::SIGNATURE, base64_decode::call),
    (hash::SIGNATURE, hash::call),
    (json_merge::SIGNATURE, json_merge::call),
    (math_random::SIGNATURE, math_random::call),
    (math_add::SIGNATURE, math_add::call),
    (string_split::SIGNATURE, string_split::call),
    (uuid::SIGNATURE, uuid::call),
];

/// Whether `name` is a supported intrinsic function.
pub(crate) fn is_known(name: &str) -> bool {
    FUNCTIONS.iter().any(|(s, _)| s.name == name)
}

/// Check `args` against the function's signature and run it.
pub(crate) fn call(name: &str, args: &[Arg]) -> Result<Value, String> {
    let (signature, body) = FUNCTIONS
        .iter()
        .find(|(s, _)| s.name == name)
        .ok_or_else(|| format!("Unsupported intrinsic function: {name}"))?;
    let min = signature.params.len() - signature.optional.min(signature.params.len());
    let max = if signature.rest.is_some() {
        usize::MAX
    } else {
        signature.params.len()
    };
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "{name} expects {expected} arguments but got {}",
            args.len()
        ));
    }
    for (i, arg) in args.iter().enumerate() {
        let expected = signature
            .params
            .get(i)
            .copied()
            .or(signature.rest)
            .unwrap_or(ArgType::Any);
        if !expected.accepts(&arg.value) {
            return Err(format!(
                "{name}: argument {} must be of type {expected:?}, but was {}",
                i + 1,
                arg.value
            ));
        }
    }
    body(args)
}

/// An argument as an `i64` (integers may arrive as `1.0`).
pub(crate) fn integer(arg: Option<&Arg>) -> Result<i64, String> {
    let value = arg.map(|a| &a.value).ok_or("missing argument")?;
    value
        .as_i64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| format!("{value} is not an integer"))
}

/// The most characters `States.Base64Encode`, `States.Base64Decode` and
/// `States.Hash` accept in their input string (AWS Step Functions,
/// "Intrinsic functions for JSONPath states": "The input string can't exceed
/// 10,000 characters"; see `docs/feature-support.md` for each function).
pub(crate) const MAX_INPUT_CHARS: usize = 10_000;

/// `text`, unless it is longer than [`MAX_INPUT_CHARS`]. Characters are
/// counted as UTF-16 code units, as Java's `String.length()` counts them:
/// AWS renders values Java-style elsewhere (corpus
/// `intrinsic_functions/format_2_07`), and aws-local-stepfunctions' checks
/// run against AWS count with JavaScript's `length`, which agrees.
pub(crate) fn within_input_limit(text: &str) -> Result<&str, String> {
    // A UTF-8 string never has more UTF-16 units than bytes.
    if text.len() <= MAX_INPUT_CHARS || text.encode_utf16().count() <= MAX_INPUT_CHARS {
        Ok(text)
    } else {
        Err(format!(
            "the input string has more than {MAX_INPUT_CHARS} characters"
        ))
    }
}

/// An argument's string value.
pub(crate) fn text(arg: Option<&Arg>) -> Result<&str, String> {
    arg.and_then(|a| a.value.as_str())
        .ok_or_else(|| "expected a string argument".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arg(value: Value) -> Arg {
        Arg { value, raw: None }
    }

    #[test]
    fn every_function_name_is_unique_and_in_the_states_namespace() {
        for (i, (s, _)) in FUNCTIONS.iter().enumerate() {
            assert!(s.name.starts_with("States."));
            assert!(
                FUNCTIONS.iter().skip(i + 1).all(|(t, _)| t.name != s.name),
                "{} twice",
                s.name
            );
        }
    }

    #[test]
    fn arity_and_types_are_checked_before_the_call() {
        assert!(call("States.ArrayLength", &[]).is_err());
        assert!(call("States.ArrayLength", &[arg(json!("x"))]).is_err());
        assert_eq!(
            call("States.ArrayLength", &[arg(json!([1, 2]))]),
            Ok(json!(2))
        );
        assert!(call("States.Nope", &[]).is_err());
    }
}
