//! The AWS JSON 1.0 protocol: `POST /` with `X-Amz-Target:
//! AWSStepFunctions.<Operation>`, a JSON body in AWS's member names, a JSON
//! answer, timestamps as epoch seconds.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::SfnError;

use super::error::CONTENT_TYPE;
/// The header naming the operation.
pub(crate) const TARGET_HEADER: &str = "x-amz-target";
/// What every Step Functions target starts with.
pub(crate) const TARGET_PREFIX: &str = "AWSStepFunctions.";

/// The operations this endpoint serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// Run the state machine and answer when it ends.
    StartSyncExecution,
    /// Start the state machine and answer at once.
    StartExecution,
    /// One execution's status, input and output.
    DescribeExecution,
    /// A page of executions, newest first.
    ListExecutions,
    /// A page of one execution's history events.
    GetExecutionHistory,
    /// The one local state machine.
    ListStateMachines,
    /// The local state machine's definition and settings.
    DescribeStateMachine,
    /// Check a definition with the engine's validation.
    ValidateStateMachineDefinition,
}

impl Operation {
    /// Every operation, by its AWS name.
    pub(crate) const ALL: [(&'static str, Operation); 8] = [
        ("StartSyncExecution", Operation::StartSyncExecution),
        ("StartExecution", Operation::StartExecution),
        ("DescribeExecution", Operation::DescribeExecution),
        ("ListExecutions", Operation::ListExecutions),
        ("GetExecutionHistory", Operation::GetExecutionHistory),
        ("ListStateMachines", Operation::ListStateMachines),
        ("DescribeStateMachine", Operation::DescribeStateMachine),
        (
            "ValidateStateMachineDefinition",
            Operation::ValidateStateMachineDefinition,
        ),
    ];

    /// The operation an `X-Amz-Target` header names.
    ///
    /// # Errors
    /// [`SfnError::UnknownOperation`] when the header is missing, is not a
    /// Step Functions target, or names an operation not served locally.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Operation, SfnError> {
        let target = headers
            .get(TARGET_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                SfnError::UnknownOperation(format!(
                    "no operation named: the request has no X-Amz-Target header \
                     (expected {TARGET_PREFIX}<Operation>)"
                ))
            })?;
        let name = target.strip_prefix(TARGET_PREFIX).unwrap_or_default();
        Operation::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, op)| *op)
            .ok_or_else(|| {
                let served: Vec<&str> = Operation::ALL.iter().map(|(n, _)| *n).collect();
                SfnError::UnknownOperation(format!(
                    "operation {target} is not served by the local endpoint; it serves \
                     {TARGET_PREFIX}{{{}}}",
                    served.join(", ")
                ))
            })
    }

    /// The AWS name, e.g. `StartSyncExecution`.
    pub(crate) fn name(self) -> &'static str {
        Operation::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map(|(n, _)| *n)
            .unwrap_or("Unknown")
    }
}

/// Reads a request body; an empty body is `{}` (what SDKs send for no members).
///
/// Members the endpoint does not know are ignored, as newer SDKs may send them.
///
/// # Errors
/// [`SfnError::Serialization`] when the body is not a JSON object of the right shape.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SfnError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| SfnError::Serialization(format!("the request body cannot be read: {e}")))
}

/// A 200 answer in the protocol's content type.
pub(crate) fn ok<T: Serialize>(body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => {
            let mut response = text.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            response
        }
        Err(e) => SfnError::Internal(format!("writing the answer: {e}")).into_response(),
    }
}

/// A timestamp as the JSON protocol writes it: epoch seconds with milliseconds.
pub(crate) fn epoch_seconds(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

/// A stored (RFC 3339) timestamp as epoch seconds.
///
/// # Errors
/// [`SfnError::Internal`]: the store holds a timestamp it cannot have written.
pub(crate) fn stored_epoch_seconds(text: &str) -> Result<f64, SfnError> {
    rez_core::time::parse(text)
        .map(epoch_seconds)
        .map_err(|e| SfnError::Internal(format!("stored timestamp {text:?}: {e}")))
}

/// `maxResults` checked against `0..=max`; 0 or absent means `default`.
///
/// # Errors
/// [`SfnError::Validation`] outside the range.
pub(crate) fn page_size(max_results: Option<i64>, default: u32, max: u32) -> Result<u32, SfnError> {
    match max_results.unwrap_or(0) {
        0 => Ok(default),
        n if n < 0 => Err(SfnError::constraint(
            "maxResults",
            n,
            "Member must have value greater than or equal to 0",
        )),
        n => u32::try_from(n).ok().filter(|n| *n <= max).ok_or_else(|| {
            SfnError::constraint(
                "maxResults",
                n,
                &format!("Member must have value less than or equal to {max}"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(target: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(t) = target {
            headers.insert(
                TARGET_HEADER,
                HeaderValue::from_str(t).unwrap_or_else(|_| HeaderValue::from_static("")),
            );
        }
        headers
    }

    #[test]
    fn targets_name_the_operation_and_anything_else_is_unknown() {
        assert_eq!(
            Operation::from_headers(&headers(Some("AWSStepFunctions.StartSyncExecution"))),
            Ok(Operation::StartSyncExecution)
        );
        for bad in [
            None,
            Some("AWSStepFunctions.CreateStateMachine"),
            Some("DynamoDB_20120810.GetItem"),
            Some("StartExecution"),
        ] {
            assert!(
                matches!(
                    Operation::from_headers(&headers(bad)),
                    Err(SfnError::UnknownOperation(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn every_operation_round_trips_through_its_name() {
        for (name, op) in Operation::ALL {
            assert_eq!(op.name(), name);
        }
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_bad_json_a_serialization_error() {
        let empty: Result<serde_json::Map<String, serde_json::Value>, _> = decode(b" ");
        assert_eq!(empty, Ok(serde_json::Map::new()));
        let bad: Result<serde_json::Value, _> = decode(b"{nope");
        assert!(matches!(bad, Err(SfnError::Serialization(_))));
    }

    #[test]
    fn page_sizes_default_at_zero_and_refuse_out_of_range() {
        assert_eq!(page_size(None, 100, 1000), Ok(100));
        assert_eq!(page_size(Some(0), 100, 1000), Ok(100));
        assert_eq!(page_size(Some(7), 100, 1000), Ok(7));
        assert!(page_size(Some(1001), 100, 1000).is_err());
        assert!(page_size(Some(-1), 100, 1000).is_err());
    }

    #[test]
    fn timestamps_are_epoch_seconds_with_milliseconds() {
        assert_eq!(
            stored_epoch_seconds("2026-11-30T12:00:00.250000Z"),
            Ok(1_796_040_000.25)
        );
        assert!(stored_epoch_seconds("yesterday").is_err());
    }
}
