//! `States.Base64Decode`: decode Base64 of at most 10,000 characters into a
//! UTF-8 string.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature, text, within_input_limit};

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
        .decode(within_input_limit(text(args.first())?)?)
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

    // The 10,000-character limit AWS documents for its string intrinsics
    // ("Intrinsic functions for JSONPath states"), which both peers apply to
    // States.Base64Decode: aws-local-stepfunctions
    // (src/stateMachine/intrinsicFunctions/StatesBase64Decode.ts) and
    // LocalStack (asl/component/intrinsic/function/statesfunction/
    // encoding_decoding/base_64_decode.py, MAX_INPUT_CHAR_LEN = 10_000).
    #[test]
    fn refuses_more_than_10000_characters() {
        assert!(call(&args(&[json!("QUJD".repeat(2_500))])).is_ok());
        assert!(call(&args(&[json!("QUJD".repeat(2_501))])).is_err());
    }
}
