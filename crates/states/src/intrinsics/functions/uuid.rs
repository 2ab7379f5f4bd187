//! `States.UUID`: a random version 4 UUID.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, Signature};

/// `States.UUID`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.UUID",
    params: &[],
    optional: 0,
    rest: None,
};

/// Run `States.UUID`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let _ = args;
    Ok(json!(::uuid::Uuid::new_v4().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn produces_a_v4_uuid() {
        let id = call(&[])
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        assert_eq!(
            ::uuid::Uuid::parse_str(&id).map(|u| u.get_version_num()),
            Ok(4)
        );
    }
}
