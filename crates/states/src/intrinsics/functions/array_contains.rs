//! `States.ArrayContains`: whether an array holds a value (deep equality).

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.ArrayContains`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.ArrayContains",
    params: &[ArgType::Array, ArgType::Any],
    optional: 0,
    rest: None,
};

/// Run `States.ArrayContains`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let items = args
        .first()
        .and_then(|a| a.value.as_array())
        .ok_or("expected an array")?;
    let needle = args.get(1).map(|a| &a.value).ok_or("missing value")?;
    Ok(json!(items.contains(needle)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn compares_deeply() {
        assert_eq!(
            call(&args(&[json!([[1, 2], 3]), json!([1, 2])])),
            Ok(json!(true))
        );
        assert_eq!(call(&args(&[json!([]), json!(null)])), Ok(json!(false)));
    }
}
