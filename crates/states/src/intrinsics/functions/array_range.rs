//! `States.ArrayRange`: integers from start to end (inclusive) by step, at most 1000.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature, integer};

/// Largest array `States.ArrayRange` may build (AWS Step Functions, "Intrinsic functions").
pub(crate) const MAX_RANGE_ITEMS: usize = 1000;

/// `States.ArrayRange`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.ArrayRange",
    params: &[ArgType::Integer, ArgType::Integer, ArgType::Integer],
    optional: 0,
    rest: None,
};

/// Run `States.ArrayRange`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let (start, end, step) = (
        integer(args.first())?,
        integer(args.get(1))?,
        integer(args.get(2))?,
    );
    if step == 0 {
        return Err("step must not be 0".into());
    }
    let mut out = Vec::new();
    let mut n = start;
    while (step > 0 && n <= end) || (step < 0 && n >= end) {
        if out.len() >= MAX_RANGE_ITEMS {
            return Err(format!("the range has more than {MAX_RANGE_ITEMS} items"));
        }
        out.push(json!(n));
        n = n.checked_add(step).ok_or("range overflow")?;
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn end_is_inclusive_when_reached() {
        assert_eq!(
            call(&args(&[json!(0), json!(9), json!(3)])),
            Ok(json!([0, 3, 6, 9]))
        );
        assert_eq!(
            call(&args(&[json!(0), json!(10), json!(3)])),
            Ok(json!([0, 3, 6, 9]))
        );
        assert!(call(&args(&[json!(0), json!(5000), json!(1)])).is_err());
    }
}
