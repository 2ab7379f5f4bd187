//! The `rez-agent` command line: parse, check, dispatch.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::UpConfig;

/// rez-agent: notifications delivered to ntfy by a Step Functions workflow.
#[derive(Debug, Parser)]
#[command(name = "rez-agent", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline on this machine: API, scheduler, queue, processor, state machine, store.
    Up(UpArgs),
}

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
    #[arg(long, env = "REZ_NTFY_URL")]
    pub ntfy_url: Option<url::Url>,
    /// ntfy access token (sent as Authorization: Bearer to the ntfy host only).
    #[arg(long, env = "REZ_NTFY_TOKEN", hide_env_values = true)]
    pub ntfy_token: Option<String>,
    /// EventBridge Scheduler expression for the scheduled message: cron(…), rate(…) or at(…), in UTC.
    #[arg(long, default_value = "cron(0 12 * * ? *)", env = "REZ_SCHEDULE")]
    pub schedule: String,
    /// Multiplies every wait (Wait states, retries, timeouts, visibility, schedule): 0.01 runs 100× faster.
    #[arg(long, default_value_t = 1.0, env = "REZ_TIME_SCALE")]
    pub time_scale: f64,
    /// API key required as Authorization: Bearer on every route but /api/health.
    #[arg(long, env = "REZ_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Stage of messages that do not name one.
    #[arg(long, default_value = "dev", env = "REZ_STAGE")]
    pub stage: String,
    /// An origin allowed by CORS (repeatable); CORS is off without one.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,
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
            ntfy_token: self.ntfy_token.filter(|t| !t.is_empty()),
            schedule,
            time_scale: self.time_scale,
            api_key: self.api_key.filter(|k| !k.is_empty()),
            stage,
            cors_origins: self.cors_origins,
        };
        config.validate()?;
        Ok(config)
    }
}

/// Parses the command line and runs the command.
///
/// # Errors
/// Whatever the command failed with; `main` prints it on one line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Up(args) => {
            let config = args.into_config()?;
            if config.api_key.is_none() {
                tracing::warn!(
                    "no API key: the API is open to anyone who can reach {}",
                    config.listen
                );
            }
            crate::stack::up(config).await
        }
    }
}
