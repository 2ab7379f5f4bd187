//! `States.Base64Encode`: Base64 of a string (standard alphabet, padded).

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature, text};

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
        base64::engine::general_purpose::STANDARD.encode(text(args.first())?)
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
}
