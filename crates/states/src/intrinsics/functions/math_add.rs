//! `States.MathAdd`: sum of two numbers, each first rounded half up to an integer (as AWS does).

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.MathAdd`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.MathAdd",
    params: &[ArgType::Number, ArgType::Number],
    optional: 0,
    rest: None,
};

/// Run `States.MathAdd`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let round = |arg: Option<&Arg>| -> Result<i64, String> {
        let value = arg.map(|a| &a.value).ok_or("missing argument")?;
        if let Some(i) = value.as_i64() {
            return Ok(i);
        }
        let f = value.as_f64().ok_or("expected a number")?;
        let rounded = (f + 0.5).floor();
        if rounded.abs() > 9.0e15 {
            Err(format!("{f} is out of range"))
        } else {
            Ok(rounded as i64)
        }
    };
    round(args.first())?
        .checked_add(round(args.get(1))?)
        .map(|n| json!(n))
        .ok_or_else(|| "integer overflow".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn rounds_each_operand_half_up() {
        assert_eq!(call(&args(&[json!(1.49), json!(1.5)])), Ok(json!(3)));
        assert_eq!(call(&args(&[json!(-1.5), json!(-1.51)])), Ok(json!(-3)));
        assert_eq!(call(&args(&[json!(-0.5), json!(0.5)])), Ok(json!(1)));
        assert_eq!(call(&args(&[json!(-9), json!(3)])), Ok(json!(-6)));
    }
}
