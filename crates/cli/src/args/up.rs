//! Flags of `rez-agent up`, and the configuration they make.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rez_local::config::{Secret, UpConfig};

use super::{either, secret_file};
/// Flags of `rez-agent up`.
#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Address of the HTTP API.
    #[arg(long, default_value = "127.0.0.1:8080", env = "REZ_LISTEN")]
    pub listen: SocketAddr,
    /// Directory for the database, the lock and the generated ntfy topic.
    #[arg(long, default_value = "./.rez-agent", env = "REZ_DATA_DIR")]
    pub data_dir: PathBuf,
    /// ntfy topic URL, e.g. https://ntfy.sh/mytopic or http://ntfy.local:8080/alerts
    /// [default: a topic on ntfy.sh generated once and kept in the data dir].
    // The doc comment is clap's help text, where plain URLs read best.
    #[allow(rustdoc::bare_urls)]
    #[arg(long, env = "REZ_NTFY_URL")]
    pub ntfy_url: Option<url::Url>,
    /// ntfy access token (sent as Authorization: Bearer to the ntfy host
    /// only). Visible in `ps`: prefer REZ_NTFY_TOKEN or --ntfy-token-file.
    #[arg(long, env = "REZ_NTFY_TOKEN", hide_env_values = true)]
    pub ntfy_token: Option<Secret>,
    /// A file whose first line is the ntfy access token.
    #[arg(
        long,
        value_name = "PATH",
        env = "REZ_NTFY_TOKEN_FILE",
        conflicts_with = "ntfy_token",
        value_parser = secret_file
    )]
    pub ntfy_token_file: Option<Secret>,
    /// EventBridge Scheduler expression for the scheduled message: cron(…), rate(…) or at(…), in UTC.
    #[arg(long, default_value = "cron(0 12 * * ? *)", env = "REZ_SCHEDULE")]
    pub schedule: String,
    /// Multiplies every wait (Wait states, retries, timeouts, visibility, schedule): 0.01 runs 100× faster.
    #[arg(long, default_value_t = 1.0, env = "REZ_TIME_SCALE")]
    pub time_scale: f64,
    /// API key required on every route but /api/health and the console's
    /// files: as Authorization: Bearer on the web API, as the SigV4 secret
    /// access key on the Step Functions API. Visible in `ps`: prefer
    /// REZ_API_KEY or --api-key-file.
    #[arg(long, env = "REZ_API_KEY", hide_env_values = true)]
    pub api_key: Option<Secret>,
    /// A file whose first line is the API key (e.g. a Docker or systemd secret).
    #[arg(
        long,
        value_name = "PATH",
        env = "REZ_API_KEY_FILE",
        conflicts_with = "api_key",
        value_parser = secret_file
    )]
    pub api_key_file: Option<Secret>,
    /// Stage of messages that do not name one.
    #[arg(long, default_value = "dev", env = "REZ_STAGE")]
    pub stage: String,
    /// An origin allowed by CORS, `scheme://host[:port]`, or '*' for any
    /// (needs an API key); repeatable. CORS is off without one.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Requests per second the API key may send (a token bucket; 429 with
    /// Retry-After beyond it); 0 turns the limit off. Applies with a key only.
    #[arg(long, default_value_t = 50, env = "REZ_RATE_LIMIT")]
    pub rate_limit: u32,
    /// Requests the key may send at once after a quiet spell [default: twice --rate-limit].
    #[arg(long, env = "REZ_RATE_LIMIT_BURST")]
    pub rate_limit_burst: Option<u32>,
    /// Days a finished execution and its history are kept after it stopped;
    /// a sweep at start-up and every hour (scaled) deletes older ones.
    /// Messages are kept until their own ttl (90 days after creation).
    #[arg(long, value_name = "DAYS", env = "REZ_EXECUTION_RETENTION_DAYS")]
    #[arg(default_value_t = rez_local::stack::retention_loop::DEFAULT_EXECUTION_RETENTION_DAYS)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub execution_retention_days: u32,
    /// Answer the Step Functions API as AWS does for EXPRESS state machines:
    /// ListExecutions is StateMachineTypeNotSupported, and DescribeExecution
    /// and GetExecutionHistory of an express execution are InvalidArn.
    /// Without it they answer from the recorded executions.
    #[arg(long)]
    pub strict: bool,
}

impl UpArgs {
    /// The checked configuration.
    ///
    /// # Errors
    /// A flag that does not parse or a combination that must not start.
    pub fn into_config(self) -> anyhow::Result<UpConfig> {
        let schedule = self
            .schedule
            .parse()
            .map_err(|e| anyhow::anyhow!("--schedule {}: {e}", self.schedule))?;
        let stage = self
            .stage
            .parse()
            .map_err(|e| anyhow::anyhow!("--stage: {e}"))?;
        let config = UpConfig {
            listen: self.listen,
            data_dir: self.data_dir,
            ntfy_url: self.ntfy_url,
            ntfy_token: either(self.ntfy_token, self.ntfy_token_file),
            schedule,
            time_scale: self.time_scale,
            api_key: either(self.api_key, self.api_key_file),
            stage,
            cors_origins: self.cors_origins,
            web_api_timeout: rez_webapi::REQUEST_TIMEOUT,
            rate_limit: rate_limit(self.rate_limit, self.rate_limit_burst)?,
            execution_retention: Duration::from_secs(
                u64::from(self.execution_retention_days) * 86_400,
            ),
            strict: self.strict,
        };
        config.validate()?;
        Ok(config)
    }
}

/// The rate limit the flags ask for: none at 0 requests per second.
fn rate_limit(
    per_second: u32,
    burst: Option<u32>,
) -> anyhow::Result<Option<rez_local::rate_limit::RateLimitConfig>> {
    let Some(per_second) = std::num::NonZeroU32::new(per_second) else {
        return Ok(None);
    };
    let burst = burst.unwrap_or_else(|| per_second.get().saturating_mul(2));
    let burst = std::num::NonZeroU32::new(burst)
        .ok_or_else(|| anyhow::anyhow!("--rate-limit-burst must be at least 1"))?;
    Ok(Some(rez_local::rate_limit::RateLimitConfig {
        per_second,
        burst,
    }))
}
