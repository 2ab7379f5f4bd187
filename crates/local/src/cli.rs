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
    /// Work with a state machine definition on its own: validate, test, run.
    #[command(subcommand)]
    Statemachine(StatemachineCommand),
}

/// `rez-agent statemachine …`.
#[derive(Debug, Subcommand)]
pub enum StatemachineCommand {
    /// Check definitions like AWS ValidateStateMachineDefinition: every problem, one per line.
    Validate {
        /// Definition files (ASL JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run test cases in the conformance corpus schema; ends with "N passed, M failed".
    Test {
        /// Case files, or directories searched for *.json.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Run a definition once and print status, output or error, and the history.
    Run(RunArgs),
}

/// Flags of `rez-agent statemachine run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The definition file (ASL JSON).
    pub file: PathBuf,
    /// The execution input, as JSON.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// An AWS Step Functions Local mock configuration file (MockConfigFile.json).
    #[arg(long, requires = "test_case")]
    pub mock_config: Option<PathBuf>,
    /// The test case of the mock configuration whose mocked responses answer the Task states.
    #[arg(long, requires = "mock_config")]
    pub test_case: Option<String>,
    /// The state machine's name in the mock configuration [default: the file name without .asl.json].
    #[arg(long)]
    pub state_machine: Option<String>,
    /// Multiplies every wait (Wait states, retry intervals); 0 never waits.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
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
        Command::Statemachine(command) => statemachine(command).await,
    }
}

async fn statemachine(command: StatemachineCommand) -> anyhow::Result<()> {
    use crate::commands::statemachine;
    let mut stdout = std::io::stdout().lock();
    match command {
        StatemachineCommand::Validate { files } => {
            statemachine::validate::validate(&files, &mut stdout)
        }
        StatemachineCommand::Test { paths } => statemachine::test::test(&paths, &mut stdout).await,
        StatemachineCommand::Run(args) => {
            let request = statemachine::run::RunRequest {
                file: args.file,
                input: args.input,
                mock_config: args.mock_config,
                test_case: args.test_case,
                state_machine: args.state_machine,
                time_scale: args.time_scale,
            };
            statemachine::run::run(&request, &mut stdout).await
        }
    }
}
