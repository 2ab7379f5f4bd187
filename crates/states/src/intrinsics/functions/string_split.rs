//! `States.StringSplit`: split on any of the delimiter characters, dropping empty pieces.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature, text};

/// `States.StringSplit`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.StringSplit",
    params: &[ArgType::String, ArgType::String],
    optional: 0,
    rest: None,
};

/// Run `States.StringSplit`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let (source, delimiters) = (text(args.first())?, text(args.get(1))?);
    let pieces = source
        .split(|c| delimiters.contains(c))
        .filter(|p| !p.is_empty())
        .map(|p| json!(p));
    Ok(Value::Array(pieces.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn every_delimiter_character_splits() {
        assert_eq!(
            call(&args(&[json!("This.is+a,test"), json!(".+,")])),
            Ok(json!(["This", "is", "a", "test"]))
        );
        assert_eq!(
            call(&args(&[json!(", , ,"), json!(",")])),
            Ok(json!([" ", " "]))
        );
    }
}
