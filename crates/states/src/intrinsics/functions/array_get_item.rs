//! `States.ArrayGetItem`: the item at an index.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature, integer};

/// `States.ArrayGetItem`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.ArrayGetItem",
    params: &[ArgType::Array, ArgType::Integer],
    optional: 0,
    rest: None,
};

/// Run `States.ArrayGetItem`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let items = args
        .first()
        .and_then(|a| a.value.as_array())
        .ok_or("expected an array")?;
    let index = integer(args.get(1))?;
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| {
            format!(
                "index {index} is out of bounds for an array of length {}",
                items.len()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn reads_in_bounds_and_rejects_out_of_bounds() {
        assert_eq!(call(&args(&[json!([1, 2, 3]), json!(1)])), Ok(json!(2)));
        assert!(call(&args(&[json!([1]), json!(5)])).is_err());
        assert!(call(&args(&[json!([1]), json!(-1)])).is_err());
    }
}
