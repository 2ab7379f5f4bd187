//! `States.ArrayPartition`: split an array into chunks of a given size.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature, integer};

/// `States.ArrayPartition`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.ArrayPartition",
    params: &[ArgType::Array, ArgType::Integer],
    optional: 0,
    rest: None,
};

/// Run `States.ArrayPartition`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let items = args
        .first()
        .and_then(|a| a.value.as_array())
        .ok_or("expected an array")?;
    let size = integer(args.get(1))?;
    let size = usize::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("chunk size {size} must be positive"))?;
    Ok(Value::Array(
        items
            .chunks(size)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn last_chunk_may_be_short() {
        assert_eq!(
            call(&args(&[json!([0, 1, 2]), json!(2)])),
            Ok(json!([[0, 1], [2]]))
        );
        assert_eq!(call(&args(&[json!([]), json!(3)])), Ok(json!([])));
        assert!(call(&args(&[json!([1]), json!(0)])).is_err());
    }
}
