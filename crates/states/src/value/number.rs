//! [`Number`]: a JSON number in the three forms serde_json keeps.

use std::fmt;

/// A JSON number. Like `serde_json::Number`, a non-negative integer is
/// `PosInt`, a negative one `NegInt`, anything else (a fraction or an
/// exponent in the text) `Float`, and `1` is not equal to `1.0`; unlike it,
/// it is `Copy`, so nodes holding one are too.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer ≥ 0.
    PosInt(u64),
    /// An integer < 0.
    NegInt(i64),
    /// A finite float.
    Float(f64),
}

impl Number {
    /// `value` in its canonical form (`PosInt` when it is ≥ 0).
    pub fn from_i64(value: i64) -> Number {
        match u64::try_from(value) {
            Ok(positive) => Number::PosInt(positive),
            Err(_) => Number::NegInt(value),
        }
    }

    /// `value` as a float number, or `None` when it is NaN or infinite
    /// (JSON has no text for those).
    pub fn from_f64(value: f64) -> Option<Number> {
        value.is_finite().then_some(Number::Float(value))
    }

    /// The number as an `f64` (large integers lose precision, as in serde_json).
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(self) -> f64 {
        match self {
            Number::PosInt(n) => n as f64,
            Number::NegInt(n) => n as f64,
            Number::Float(f) => f,
        }
    }

    /// The number as an `i64`, when it is an integer that fits.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::PosInt(n) => i64::try_from(n).ok(),
            Number::NegInt(n) => Some(n),
            Number::Float(_) => None,
        }
    }

    /// The number as a `u64`, when it is a non-negative integer.
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Number::PosInt(n) => Some(n),
            _ => None,
        }
    }
}

impl From<&serde_json::Number> for Number {
    fn from(number: &serde_json::Number) -> Self {
        if let Some(n) = number.as_u64() {
            Number::PosInt(n)
        } else if let Some(n) = number.as_i64() {
            Number::NegInt(n)
        } else {
            // serde_json's numbers are finite; 0.0 is never reached.
            Number::Float(number.as_f64().unwrap_or(0.0))
        }
    }
}

impl From<Number> for serde_json::Number {
    fn from(number: Number) -> Self {
        match number {
            Number::PosInt(n) => n.into(),
            Number::NegInt(n) => n.into(),
            // A `Number::Float` is finite (see `from_f64`); 0 is never reached.
            Number::Float(f) => serde_json::Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }
}

impl fmt::Display for Number {
    /// The text serde_json writes: `itoa` for integers, the shortest text
    /// that reads back the same for floats.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::PosInt(n) => write!(f, "{n}"),
            Number::NegInt(n) => write!(f, "{n}"),
            Number::Float(_) => write!(f, "{}", serde_json::Number::from(*self)),
        }
    }
}
