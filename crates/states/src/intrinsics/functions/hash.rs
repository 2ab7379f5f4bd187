//! `States.Hash`: hex digest of a string of at most 10,000 characters with
//! MD5, SHA-1, SHA-256, SHA-384 or SHA-512.

use serde_json::{Value, json};
use sha2::Digest;

use crate::intrinsics::registry::{Arg, ArgType, Signature, text, within_input_limit};

/// `States.Hash`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.Hash",
    params: &[ArgType::String, ArgType::String],
    optional: 0,
    rest: None,
};

/// Run `States.Hash`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let data = within_input_limit(text(args.first())?)?.as_bytes();
    let digest: Vec<u8> = match text(args.get(1))? {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => {
            return Err(format!(
                "unsupported hash algorithm '{other}' (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"
            ));
        }
    };
    Ok(json!(
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(data: &str, algorithm: &str) -> Vec<Arg> {
        vec![
            Arg {
                value: json!(data),
                raw: None,
            },
            Arg {
                value: json!(algorithm),
                raw: None,
            },
        ]
    }

    #[test]
    fn digests_match_known_values() {
        assert_eq!(
            call(&args("input data", "MD5")),
            Ok(json!("812f45842bc6d66ee14572ce20db8e86"))
        );
        assert_eq!(
            call(&args("input data", "SHA-1")),
            Ok(json!("aaff4a450a104cd177d28d18d74485e8cae074b7"))
        );
        assert!(call(&args("x", "CRC32")).is_err());
    }

    // The 10,000-character input limit of the other string intrinsics, as
    // every other implementation applies it to States.Hash:
    // aws-local-stepfunctions (src/stateMachine/intrinsicFunctions/
    // StatesHash.ts) and LocalStack (asl/component/intrinsic/function/
    // statesfunction/hash_calculations/hash_func.py, MAX_INPUT_CHAR_LEN).
    #[test]
    fn refuses_more_than_10000_characters() {
        assert!(call(&args(&"a".repeat(10_000), "SHA-256")).is_ok());
        assert!(call(&args(&"a".repeat(10_001), "SHA-256")).is_err());
    }
}
