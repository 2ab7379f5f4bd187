//! `States.MathRandom`: a random integer in [start, end); an optional seed makes it repeatable.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature, integer};

/// `States.MathRandom`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.MathRandom",
    params: &[ArgType::Integer, ArgType::Integer, ArgType::Integer],
    optional: 1,
    rest: None,
};

/// Run `States.MathRandom`.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    use rand::{Rng, SeedableRng};
    let (start, end) = (integer(args.first())?, integer(args.get(1))?);
    if start >= end {
        return Err(format!("start {start} must be less than end {end}"));
    }
    let n = match args.get(2) {
        Some(seed) => rand::rngs::StdRng::seed_from_u64(integer(Some(seed))?.unsigned_abs())
            .random_range(start..end),
        None => rand::rng().random_range(start..end),
    };
    Ok(json!(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intrinsics::functions::test_args as args;

    #[test]
    fn stays_in_range_and_seed_repeats() {
        let n = call(&args(&[json!(1), json!(10)]))
            .ok()
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        assert!((1..10).contains(&n));
        assert_eq!(
            call(&args(&[json!(0), json!(100), json!(7)])),
            call(&args(&[json!(0), json!(100), json!(7)]))
        );
    }
}
