//! Intrinsic functions (`States.Format(...)` and friends).

use serde_json::Value;

use crate::errors::{STATES_INTRINSIC_FAILURE, StatesError};

/// Evaluate an intrinsic function call such as `States.Format('{}', $.a)`.
pub(crate) fn evaluate(
    expression: &str,
    _input: &Value,
    _context: &Value,
) -> Result<Value, StatesError> {
    Err(StatesError::prefixed(
        STATES_INTRINSIC_FAILURE,
        format!("Intrinsic functions are not supported yet: {expression}"),
    ))
}
