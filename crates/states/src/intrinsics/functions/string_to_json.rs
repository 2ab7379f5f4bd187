//! `States.StringToJson`: parse JSON text; blank text is null.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature, text};

/// `States.StringToJson`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.StringToJson",
    params: &[ArgType::String],
    optional: 0,
    rest: None,
};

/// Run `States.StringToJson`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let source = text(args.first())?;
    if source.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(source).map_err(|e| format!("invalid JSON text: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn parses_values_and_blank_is_null() {
        assert_eq!(call(&args(&[json!("[1, \"a\"]")])), Ok(json!([1, "a"])));
        assert_eq!(call(&args(&[json!(" ")])), Ok(json!(null)));
        assert!(call(&args(&[json!("{")])).is_err());
    }
}
