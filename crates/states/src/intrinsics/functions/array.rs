//! `States.Array`: an array of its arguments.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.Array`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.Array",
    params: &[],
    optional: 0,
    rest: Some(ArgType::Any),
};

/// Run `States.Array`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    Ok(Value::Array(args.iter().map(|a| a.value.clone()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn collects_arguments_in_order() {
        assert_eq!(
            call(&args(&[json!(1), json!(null), json!("a")])),
            Ok(json!([1, null, "a"]))
        );
        assert_eq!(call(&[]), Ok(json!([])));
    }
}
