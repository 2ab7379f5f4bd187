//! Field groups shared by several state types, flattened into each variant.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::compiled::present_compiled;
use super::query_template::QueryTemplate;
use super::result_path::ResultTarget;
use super::template::Template;
use crate::history::Name;
use crate::jsonata::JsonataTemplate;

/// Deserialize a field so that an explicit `null` is `Some(Value::Null)`,
/// kept apart from an absent field (`None`). `InputPath: null` and
/// `ResultPath: null` mean something different from leaving them out.
pub(crate) fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Fields every state type accepts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Common {
    #[serde(default)]
    pub(crate) query_language: Option<String>,
    #[serde(default)]
    pub(crate) next: Option<Name>,
    #[serde(default)]
    pub(crate) end: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) input_path: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) output_path: Option<Value>,
    #[serde(default)]
    pub(crate) assign: Option<QueryTemplate>,
    #[serde(default, deserialize_with = "present_compiled")]
    pub(crate) output: Option<JsonataTemplate>,
    #[serde(default, deserialize_with = "present_compiled")]
    pub(crate) arguments: Option<JsonataTemplate>,
}

/// `Parameters`, `ResultSelector` and `ResultPath`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ResultFields {
    #[serde(default, deserialize_with = "present_compiled")]
    pub(crate) parameters: Option<Template>,
    #[serde(default, deserialize_with = "present_compiled")]
    pub(crate) result_selector: Option<Template>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) result_path: Option<Value>,
    /// `result_path` parsed, when it is a path; made when first needed.
    #[serde(skip)]
    result_target: OnceLock<Option<ResultTarget>>,
}

impl ResultFields {
    /// The `ResultPath` to write the result at, when it is a path (not
    /// absent, and not `null`).
    pub(crate) fn result_target(&self) -> Option<&ResultTarget> {
        self.result_target
            .get_or_init(|| match &self.result_path {
                Some(Value::String(path)) => Some(ResultTarget::new(path)),
                _ => None,
            })
            .as_ref()
    }
}

/// `Retry` and `Catch`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ErrorHandling {
    #[serde(default)]
    pub(crate) retry: Vec<Retrier>,
    #[serde(default)]
    pub(crate) catch: Vec<Catcher>,
}

/// Default `IntervalSeconds` of a retrier: 1 (ASL spec, "Retrying after an error").
pub const DEFAULT_RETRY_INTERVAL_SECONDS: f64 = 1.0;
/// Default `MaxAttempts` of a retrier: 3; 0 means never retry (ASL spec, "Retrying after an error").
pub const DEFAULT_RETRY_MAX_ATTEMPTS: u64 = 3;
/// Default `BackoffRate` of a retrier: 2.0 (ASL spec, "Retrying after an error").
pub const DEFAULT_RETRY_BACKOFF_RATE: f64 = 2.0;

/// Longest wait between retries, in seconds: AWS's upper bound for
/// `IntervalSeconds` and `MaxDelaySeconds` (99999999).
pub const MAX_RETRY_DELAY_SECONDS: f64 = 99_999_999.0;

/// `JitterStrategy` of a retrier (AWS Step Functions, "Retry" fields).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum Jitter {
    /// Wait exactly the computed interval (the default).
    #[default]
    None,
    /// Wait a uniformly random time between 0 and the computed interval.
    Full,
}

/// One `Retry` rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Retrier {
    pub(crate) error_equals: Vec<String>,
    #[serde(default)]
    pub(crate) interval_seconds: Option<f64>,
    #[serde(default)]
    pub(crate) max_attempts: Option<u64>,
    #[serde(default)]
    pub(crate) backoff_rate: Option<f64>,
    #[serde(default)]
    pub(crate) max_delay_seconds: Option<f64>,
    #[serde(default)]
    pub(crate) jitter_strategy: Jitter,
}

impl Retrier {
    pub(crate) fn interval(&self) -> f64 {
        self.interval_seconds
            .unwrap_or(DEFAULT_RETRY_INTERVAL_SECONDS)
    }
    pub(crate) fn max_attempts(&self) -> u64 {
        self.max_attempts.unwrap_or(DEFAULT_RETRY_MAX_ATTEMPTS)
    }
    pub(crate) fn backoff_rate(&self) -> f64 {
        self.backoff_rate.unwrap_or(DEFAULT_RETRY_BACKOFF_RATE)
    }

    /// The wait before retry number `attempt` (0-based), before jitter:
    /// `IntervalSeconds × BackoffRate^attempt`, capped by `MaxDelaySeconds`.
    pub(crate) fn base_delay_seconds(&self, attempt: u64) -> f64 {
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let delay = self.interval() * self.backoff_rate().powi(exponent);
        let delay = match self.max_delay_seconds {
            Some(max) => delay.min(max),
            None => delay,
        };
        if delay.is_nan() {
            0.0
        } else {
            delay.clamp(0.0, MAX_RETRY_DELAY_SECONDS)
        }
    }
}

/// One `Catch` rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Catcher {
    pub(crate) error_equals: Vec<String>,
    pub(crate) next: Name,
    #[serde(default, deserialize_with = "present")]
    pub(crate) result_path: Option<Value>,
    #[serde(default, deserialize_with = "present_compiled")]
    pub(crate) output: Option<JsonataTemplate>,
    #[serde(default)]
    pub(crate) assign: Option<QueryTemplate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrier(json: Value) -> Retrier {
        serde_json::from_value(json).expect("retrier")
    }

    #[test]
    fn retrier_defaults_follow_the_spec() {
        let r = retrier(serde_json::json!({"ErrorEquals": ["States.ALL"]}));
        assert_eq!(r.max_attempts(), 3);
        assert_eq!(r.base_delay_seconds(0), 1.0);
        assert_eq!(r.base_delay_seconds(2), 4.0);
        assert_eq!(r.jitter_strategy, Jitter::None);
    }

    #[test]
    fn retrier_delay_is_capped_by_max_delay() {
        let r = retrier(serde_json::json!({
            "ErrorEquals": ["E"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxDelaySeconds": 5
        }));
        assert_eq!(r.base_delay_seconds(0), 3.0);
        assert_eq!(r.base_delay_seconds(1), 5.0);
    }

    #[test]
    fn runaway_backoff_is_capped_at_the_aws_maximum() {
        let r = retrier(
            serde_json::json!({"ErrorEquals": ["E"], "BackoffRate": 10, "MaxAttempts": 99999}),
        );
        assert_eq!(r.base_delay_seconds(5000), MAX_RETRY_DELAY_SECONDS);
    }
}
