//! `States.Base64Decode`: decode Base64 into a UTF-8 string.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature, text};

/// `States.Base64Decode`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.Base64Decode",
    params: &[ArgType::String],
    optional: 0,
    rest: None,
};

/// Run `States.Base64Decode`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text(args.first())?)
        .map_err(|e| format!("invalid Base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded data is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn decodes_and_rejects_garbage() {
        assert_eq!(
            call(&args(&[json!("RGF0YSB0byBlbmNvZGU=")])),
            Ok(json!("Data to encode"))
        );
        assert!(call(&args(&[json!("%%%")])).is_err());
    }
}
