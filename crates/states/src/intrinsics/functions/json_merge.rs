//! `States.JsonMerge`: shallow merge of two objects; keys of the second win.

use serde_json::Value;

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.JsonMerge`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.JsonMerge",
    params: &[ArgType::Object, ArgType::Object, ArgType::Boolean],
    optional: 0,
    rest: None,
};

/// Run `States.JsonMerge`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    if args.get(2).and_then(|a| a.value.as_bool()) == Some(true) {
        return Err("deep merging is not supported; the third argument must be false".into());
    }
    let mut merged = args
        .first()
        .and_then(|a| a.value.as_object())
        .cloned()
        .ok_or("expected an object")?;
    for (key, value) in args
        .get(1)
        .and_then(|a| a.value.as_object())
        .into_iter()
        .flatten()
    {
        merged.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(merged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn second_object_wins_shallowly() {
        let merged = call(&args(&[
            json!({"a": {"x": 1}, "b": 2}),
            json!({"a": {"y": 2}, "c": 3}),
            json!(false),
        ]));
        assert_eq!(merged, Ok(json!({"a": {"y": 2}, "b": 2, "c": 3})));
        assert!(call(&args(&[json!({}), json!({}), json!(true)])).is_err());
    }
}
