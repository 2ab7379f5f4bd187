//! `States.ArrayUnique`: the array without duplicates, first occurrences kept.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.ArrayUnique`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.ArrayUnique",
    params: &[ArgType::Array],
    optional: 0,
    rest: None,
};

/// Run `States.ArrayUnique`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let items = args
        .first()
        .and_then(|a| a.value.as_array())
        .ok_or("expected an array")?;
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn keeps_first_occurrences_in_order() {
        assert_eq!(call(&args(&[json!([1, 2, 2, 3, 1])])), Ok(json!([1, 2, 3])));
    }
}
