//! The typed configuration of `rez-agent up`, checked before anything starts.

use rez_core::Stage;
use rez_schedule::ScheduleExpression;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything `rez-agent up` needs to know.
#[derive(Debug, Clone)]
pub struct UpConfig {
    /// Address of the HTTP API and console.
    pub listen: SocketAddr,
    /// Where the database, lock and topic live.
    pub data_dir: PathBuf,
    /// The ntfy topic URL; a generated ntfy.sh topic when absent.
    pub ntfy_url: Option<url::Url>,
    /// ntfy access token.
    pub ntfy_token: Option<String>,
    /// When the scheduled message is created.
    pub schedule: ScheduleExpression,
    /// Multiplies every wait: Wait states, retries, timeouts, visibility, the schedule.
    pub time_scale: f64,
    /// The API key; auth is off without one (loopback only).
    pub api_key: Option<String>,
    /// The stage messages belong to by default.
    pub stage: Stage,
    /// Origins allowed by CORS (none: CORS off).
    pub cors_origins: Vec<String>,
    /// The API key's rate limit; `None` turns it off (it only applies with a key).
    pub rate_limit: Option<crate::rate_limit::RateLimitConfig>,
    /// How long a finished execution and its history are kept after it
    /// stopped (messages are kept until their own `ttl`).
    pub execution_retention: std::time::Duration,
}

/// A configuration that must not start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Listening beyond this machine without a key would let anyone in.
    #[error(
        "refusing to listen on {0} without an API key: set --api-key or REZ_API_KEY, or listen on 127.0.0.1"
    )]
    OpenWithoutKey(SocketAddr),
    /// The time scale makes no sense.
    #[error("--time-scale must be a number above 0 and at most 1000, got {0}")]
    TimeScale(f64),
    /// The key is too short to mean anything.
    #[error("the API key must be at least 16 characters")]
    WeakKey,
}

impl UpConfig {
    /// Checks the rules that span several settings.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.time_scale > 0.0 && self.time_scale <= 1000.0) {
            return Err(ConfigError::TimeScale(self.time_scale));
        }
        match &self.api_key {
            Some(key) if key.len() < 16 => Err(ConfigError::WeakKey),
            None if !self.listen.ip().is_loopback() => {
                Err(ConfigError::OpenWithoutKey(self.listen))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(listen: &str, api_key: Option<&str>, time_scale: f64) -> UpConfig {
        UpConfig {
            listen: listen.parse().unwrap(),
            data_dir: PathBuf::from("unused"),
            ntfy_url: None,
            ntfy_token: None,
            schedule: "rate(1 day)".parse().unwrap(),
            time_scale,
            api_key: api_key.map(str::to_owned),
            stage: Stage::Dev,
            cors_origins: vec![],
            rate_limit: None,
            execution_retention: std::time::Duration::from_secs(86_400),
        }
    }

    #[test]
    fn only_loopback_may_run_without_a_key() {
        assert!(config("127.0.0.1:8080", None, 1.0).validate().is_ok());
        assert!(config("[::1]:8080", None, 1.0).validate().is_ok());
        assert!(matches!(
            config("0.0.0.0:8080", None, 1.0).validate(),
            Err(ConfigError::OpenWithoutKey(_))
        ));
        assert!(
            config("0.0.0.0:8080", Some("a-long-enough-secret"), 1.0)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn short_keys_and_senseless_time_scales_are_refused() {
        assert!(matches!(
            config("127.0.0.1:1", Some("short"), 1.0).validate(),
            Err(ConfigError::WeakKey)
        ));
        for scale in [0.0, -1.0, f64::NAN, 1e9] {
            assert!(
                matches!(
                    config("127.0.0.1:1", None, scale).validate(),
                    Err(ConfigError::TimeScale(_))
                ),
                "{scale}"
            );
        }
    }
}
