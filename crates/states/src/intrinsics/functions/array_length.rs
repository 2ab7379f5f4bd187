//! `States.ArrayLength`: the number of items.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.ArrayLength`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.ArrayLength",
    params: &[ArgType::Array],
    optional: 0,
    rest: None,
};

/// Run `States.ArrayLength`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    Ok(json!(
        args.first()
            .and_then(|a| a.value.as_array())
            .map_or(0, Vec::len)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn counts_duplicates_too() {
        assert_eq!(call(&args(&[json!([null, null, 1])])), Ok(json!(3)));
    }
}
