//! `States.JsonToString`: compact JSON text of a value.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.JsonToString`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.JsonToString",
    params: &[ArgType::Any],
    optional: 0,
    rest: None,
};

/// Run `States.JsonToString`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    Ok(Value::String(
        args.first()
            .map(|a| a.value.to_string())
            .unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn serialises_compactly() {
        assert_eq!(
            call(&args(&[json!({"a": 1, "b": []})])),
            Ok(json!("{\"a\":1,\"b\":[]}"))
        );
        assert_eq!(call(&args(&[json!("x")])), Ok(json!("\"x\"")));
    }
}
