//! `States.Base64Encode`: Base64 of a string (standard alphabet, padded), of
//! at most 10,000 characters.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature, text, within_input_limit};

/// `States.Base64Encode`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.Base64Encode",
    params: &[ArgType::String],
    optional: 0,
    rest: None,
};

/// Run `States.Base64Encode`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    use base64::Engine;
    Ok(json!(
        base64::engine::general_purpose::STANDARD.encode(within_input_limit(text(args.first())?)?)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn encodes_utf8_text() {
        assert_eq!(
            call(&args(&[json!("Data to encode")])),
            Ok(json!("RGF0YSB0byBlbmNvZGU="))
        );
    }

    // AWS Step Functions, "Intrinsic functions for JSONPath states",
    // States.Base64Encode: "The input string can't exceed 10,000 characters";
    // aws-local-stepfunctions (src/stateMachine/intrinsicFunctions/
    // StatesBase64Encode.ts) and LocalStack (asl/component/intrinsic/function/
    // statesfunction/encoding_decoding/base_64_encode.py) refuse longer input.
    #[test]
    fn refuses_more_than_10000_characters() {
        assert!(call(&args(&[json!("a".repeat(10_000))])).is_ok());
        assert!(call(&args(&[json!("a".repeat(10_001))])).is_err());
        // Characters are UTF-16 units: 10,000 two-byte letters pass, 5,001
        // emoji (two units each) do not.
        assert!(call(&args(&[json!("é".repeat(10_000))])).is_ok());
        assert!(call(&args(&[json!("😀".repeat(5_001))])).is_err());
    }
}
