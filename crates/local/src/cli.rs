//! The `rez-agent` command line: parse, check, dispatch.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rez_core::ports::ExecutionStatus;
use rez_core::{MessageId, Priority, Stage, Status};

use crate::client::{ApiClient, ExecutionFilter, MessageFilter};
use crate::commands::output::View;
use crate::config::{Secret, SecretFileError, UpConfig};

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
    /// Work with a state machine definition on its own: validate, test, run, graph.
    #[command(subcommand)]
    Statemachine(StatemachineCommand),
    /// Serve the AWS Step Functions API for one definition whose Task states
    /// call Lambda functions, through a Lambda Invoke API at --lambda-endpoint
    /// (as Step Functions Local's LAMBDA_ENDPOINT). Prints
    /// `stepfunctions: listening on http://ADDRESS (ARN)` when ready.
    Stepfunctions(StepFunctionsArgs),
    /// Send a notification through the API and print its id and status;
    /// with --wait, follow it until it is delivered or failed.
    Send(SendArgs),
    /// List messages, newest first, or show one message's fields.
    Messages(MessagesArgs),
    /// List workflow executions, newest first, or show one with its history.
    Executions(ExecutionsArgs),
    /// The dead-letter queue: queue records the processor gave up on.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Schedules: a notification sent at the times an EventBridge Scheduler
    /// expression names (cron, rate, at), in a time zone.
    #[command(subcommand)]
    Schedules(SchedulesCommand),
}

/// Flags of every command that talks to the HTTP API.
#[derive(Debug, Clone, clap::Args)]
pub struct ApiArgs {
    /// Base URL of the rez-agent API: `rez-agent up`'s, or a deployed one.
    #[arg(long, env = "REZ_API_URL", default_value = "http://127.0.0.1:8080")]
    pub api_url: String,
    /// API key, sent as Authorization: Bearer. Anyone on this machine can
    /// read it in `ps`: prefer REZ_API_KEY or --api-key-file.
    #[arg(long, env = "REZ_API_KEY", hide_env_values = true)]
    pub api_key: Option<Secret>,
    /// A file whose first line is the API key.
    #[arg(
        long,
        value_name = "PATH",
        env = "REZ_API_KEY_FILE",
        conflicts_with = "api_key",
        value_parser = secret_file
    )]
    pub api_key_file: Option<Secret>,
    /// Print the API's JSON (for scripts) instead of a table.
    #[arg(long)]
    pub json: bool,
}

impl ApiArgs {
    /// The client these flags name and how to print.
    ///
    /// # Errors
    /// `--api-url` is not an http(s) URL.
    pub fn connect(&self) -> anyhow::Result<(ApiClient, View)> {
        let key = self.api_key.as_ref().or(self.api_key_file.as_ref());
        let client = ApiClient::new(&self.api_url, key.map(|k| k.expose().to_owned()))?;
        Ok((client, View::detect(self.json)))
    }
}

/// Reads a `--…-file` flag's secret when the command line is parsed, so an
/// unreadable or empty file is a usage error naming the flag.
fn secret_file(path: &str) -> Result<Secret, SecretFileError> {
    Secret::from_file(std::path::Path::new(path))
}

/// The secret given literally or in a file (clap lets only one through),
/// `None` when it is absent or empty.
fn either(literal: Option<Secret>, file: Option<Secret>) -> Option<String> {
    literal
        .or(file)
        .map(Secret::into_exposed)
        .filter(|text| !text.is_empty())
}

/// The notification flags `send` and `schedules add` share.
#[derive(Debug, Clone, clap::Args)]
pub struct NotificationFlags {
    /// The notification's title.
    #[arg(long)]
    pub title: Option<String>,
    /// 1-5, or min, low, default, high, max (= urgent).
    #[arg(long)]
    pub priority: Option<Priority>,
    /// Tags, comma-separated (ntfy shows known ones as emoji).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// URL opened when the notification is tapped.
    #[arg(long)]
    pub click: Option<String>,
}

impl NotificationFlags {
    /// The notification with `text`, as `POST /api/messages` takes it.
    fn request(self, text: String) -> rez_core::CreateMessageRequest {
        rez_core::CreateMessageRequest {
            message: Some(text),
            title: self.title,
            priority: self.priority,
            tags: self.tags,
            click: self.click,
            ..rez_core::CreateMessageRequest::default()
        }
    }
}

/// Flags of `rez-agent send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The notification's text.
    pub text: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub notification: NotificationFlags,
    /// Sent as Idempotency-Key: sending again with the same key answers with
    /// the message sent the first time instead of sending another.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Follow the message until it is completed (exit 0) or failed (exit 1).
    /// Without it, send returns as soon as the message is queued.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait follows the message, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, requires = "wait", value_parser = parse_seconds)]
    pub timeout: f64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// Flags of `rez-agent messages`.
#[derive(Debug, clap::Args)]
pub struct MessagesArgs {
    /// Show this message instead of a list.
    #[arg(conflicts_with_all = ["status", "stage", "limit", "cursor"])]
    pub id: Option<String>,
    /// Only messages in this status: created, queued, processing, completed, failed.
    #[arg(long)]
    pub status: Option<Status>,
    /// Only messages of this stage: dev, stage, prod.
    #[arg(long)]
    pub stage: Option<Stage>,
    /// Page size (1-1000) [default: the API's, 50].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: Option<u32>,
    /// The page after the one that printed this cursor.
    #[arg(long)]
    pub cursor: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// Flags of `rez-agent executions`.
#[derive(Debug, clap::Args)]
pub struct ExecutionsArgs {
    /// Show this execution (its ARN or its name) with its history instead of a list.
    #[arg(conflicts_with_all = ["status", "message_id", "limit", "cursor"])]
    pub id: Option<String>,
    /// Only executions in this status: running, succeeded, failed, timed_out, aborted.
    #[arg(long, value_parser = parse_execution_status)]
    pub status: Option<ExecutionStatus>,
    /// Only executions of this message.
    #[arg(long)]
    pub message_id: Option<MessageId>,
    /// Page size (1-1000) [default: the API's, 50].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: Option<u32>,
    /// The page after the one that printed this cursor.
    #[arg(long)]
    pub cursor: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// `rez-agent dlq …`.
#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List the dead letters and the queue's depth.
    List {
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
    /// Move dead letters back to the queue to be delivered again: the given
    /// ids, or all of them.
    Redrive {
        /// Dead letter ids (as `dlq list` shows them); none means all.
        ids: Vec<String>,
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
}

/// `rez-agent schedules …`.
#[derive(Debug, clap::Subcommand)]
pub enum SchedulesCommand {
    /// List the schedules, newest first, with their next fire.
    List {
        /// Page size (1-1000) [default: the API's, 50].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: Option<u32>,
        /// The page after the one that printed this cursor.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
    /// Create a schedule: NAME, an EXPRESSION such as 'cron(0 8 ? * MON-FRI *)',
    /// 'rate(1 hour)' or 'at(2026-12-24T17:00:00)', and the TEXT each fire sends.
    Add(ScheduleAddArgs),
    /// Show one schedule with its next five fire times.
    Show {
        /// The schedule's id.
        id: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
    /// Pause a schedule: it does not fire until resumed.
    Pause {
        /// The schedule's id.
        id: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
    /// Resume a paused schedule from its next fire time.
    Resume {
        /// The schedule's id.
        id: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
    /// Delete a schedule.
    Rm {
        /// The schedule's id.
        id: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        api: ApiArgs,
    },
}

/// Flags of `rez-agent schedules add`.
#[derive(Debug, clap::Args)]
pub struct ScheduleAddArgs {
    /// What to call the schedule.
    pub name: String,
    /// When it fires: cron(…), rate(…) or at(…), as EventBridge Scheduler takes them.
    pub expression: String,
    /// The notification's text.
    pub text: String,
    /// The IANA time zone the expression is read in [default: UTC].
    #[arg(long)]
    pub timezone: Option<String>,
    /// No fire before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub start: Option<chrono::DateTime<chrono::Utc>>,
    /// No fire at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub end: Option<chrono::DateTime<chrono::Utc>>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub notification: NotificationFlags,
    /// Create it paused.
    #[arg(long)]
    pub paused: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// The rate limit the flags ask for: none at 0 requests per second.
fn rate_limit(
    per_second: u32,
    burst: Option<u32>,
) -> anyhow::Result<Option<crate::rate_limit::RateLimitConfig>> {
    let Some(per_second) = std::num::NonZeroU32::new(per_second) else {
        return Ok(None);
    };
    let burst = burst.unwrap_or_else(|| per_second.get().saturating_mul(2));
    let burst = std::num::NonZeroU32::new(burst)
        .ok_or_else(|| anyhow::anyhow!("--rate-limit-burst must be at least 1"))?;
    Ok(Some(crate::rate_limit::RateLimitConfig {
        per_second,
        burst,
    }))
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err("expected a number of seconds, more than 0 and at most 86400".to_owned()),
    }
}

/// The execution statuses Step Functions reports, in any case.
fn parse_execution_status(text: &str) -> Result<ExecutionStatus, String> {
    ExecutionStatus::parse_any_case(text).map_err(|_| {
        let all: Vec<&str> = ExecutionStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of {}", all.join(", ").to_ascii_lowercase())
    })
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
    /// Draw a definition as Graphviz DOT or as a standalone SVG.
    Graph(GraphArgs),
}

/// Flags of `rez-agent statemachine graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The definition file (ASL JSON).
    pub file: PathBuf,
    /// The drawing's format [default: svg when --output ends in .svg, else dot].
    #[arg(long, value_enum)]
    pub format: Option<crate::commands::statemachine::graph::GraphFormat>,
    /// Write the drawing to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
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

/// Flags of `rez-agent stepfunctions`.
#[derive(Debug, clap::Args)]
pub struct StepFunctionsArgs {
    /// The state machine definition (ASL JSON), validated as `statemachine
    /// validate` does. Every Task Resource must be a Lambda function ARN
    /// (arn:aws:lambda:REGION:ACCOUNT:function:NAME, with or without a
    /// :QUALIFIER such as :live) or arn:aws:states:::lambda:invoke.
    #[arg(long, value_name = "FILE")]
    pub definition: PathBuf,
    /// Base URL of the Lambda Invoke API the Task states call
    /// (POST URL/2015-03-31/functions/FUNCTION/invocations).
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: url::Url,
    /// The state machine's ARN: the one StartSyncExecution and the other
    /// calls accept, whose region and account the execution ARNs carry
    /// [default: arn:aws:states:us-east-1:123456789012:stateMachine:STEM,
    /// STEM being the definition's file name up to its first dot].
    #[arg(long, value_name = "ARN")]
    pub state_machine_arn: Option<String>,
    /// Address of the Step Functions API (port 0: any free port).
    #[arg(long, default_value = crate::stepfunctions::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Directory for the SQLite database of executions (kept, and locked
    /// against a second process) [default: a temporary directory removed at exit].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Answer as AWS does for EXPRESS state machines: ListExecutions is
    /// StateMachineTypeNotSupported, and DescribeExecution and
    /// GetExecutionHistory of an express execution are InvalidArn.
    /// Without it they answer from the recorded executions.
    #[arg(long)]
    pub strict: bool,
    /// The secret access key every call must be signed with (AWS SigV4);
    /// without one any credentials do, on loopback only. Visible in `ps`:
    /// prefer --api-key-file.
    #[arg(long)]
    pub api_key: Option<Secret>,
    /// A file whose first line is the secret access key.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "api_key",
        value_parser = secret_file
    )]
    pub api_key_file: Option<Secret>,
}

impl StepFunctionsArgs {
    /// The configuration these flags describe.
    pub fn into_config(self) -> crate::stepfunctions::StepFunctionsConfig {
        crate::stepfunctions::StepFunctionsConfig {
            definition: self.definition,
            lambda_endpoint: self.lambda_endpoint,
            state_machine_arn: self.state_machine_arn,
            listen: self.listen,
            data_dir: self.data_dir,
            strict: self.strict,
            api_key: either(self.api_key, self.api_key_file),
        }
    }
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
    #[arg(default_value_t = crate::stack::retention_loop::DEFAULT_EXECUTION_RETENTION_DAYS)]
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
        Command::Stepfunctions(args) => crate::stepfunctions::serve(args.into_config()).await,
        Command::Send(args) => send(args).await,
        Command::Messages(args) => messages(args).await,
        Command::Executions(args) => executions(args).await,
        Command::Dlq(command) => dlq(command).await,
        Command::Schedules(command) => schedules(command).await,
    }
}

async fn schedules(command: SchedulesCommand) -> anyhow::Result<()> {
    use crate::commands::schedules;
    let mut stdout = std::io::stdout().lock();
    match command {
        SchedulesCommand::List { limit, cursor, api } => {
            let (client, view) = api.connect()?;
            schedules::list(&client, limit, cursor.as_deref(), &mut stdout, view).await
        }
        SchedulesCommand::Add(args) => {
            let (client, view) = args.api.connect()?;
            let request = rez_core::schedule::CreateScheduleRequest {
                name: Some(args.name),
                expression: Some(args.expression),
                timezone: args.timezone,
                start_date: args.start,
                end_date: args.end,
                notification: Some(args.notification.request(args.text)),
                state: args
                    .paused
                    .then_some(rez_core::schedule::ScheduleState::Disabled),
            };
            schedules::add(&client, &request, &mut stdout, view).await
        }
        SchedulesCommand::Show { id, api } => {
            let (client, view) = api.connect()?;
            schedules::show(&client, &id, &mut stdout, view).await
        }
        SchedulesCommand::Pause { id, api } => {
            let (client, view) = api.connect()?;
            schedules::set_enabled(&client, &id, false, &mut stdout, view).await
        }
        SchedulesCommand::Resume { id, api } => {
            let (client, view) = api.connect()?;
            schedules::set_enabled(&client, &id, true, &mut stdout, view).await
        }
        SchedulesCommand::Rm { id, api } => {
            let (client, view) = api.connect()?;
            schedules::remove(&client, &id, &mut stdout, view).await
        }
    }
}

async fn send(args: SendArgs) -> anyhow::Result<()> {
    let (client, view) = args.api.connect()?;
    let request = crate::commands::send::SendRequest {
        message: rez_core::CreateMessageRequest {
            created_by: Some("cli".to_owned()),
            ..args.notification.request(args.text)
        },
        idempotency_key: args.idempotency_key,
        wait: args.wait,
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let mut stdout = std::io::stdout().lock();
    crate::commands::send::send(&client, &request, &mut stdout, view).await
}

async fn messages(args: MessagesArgs) -> anyhow::Result<()> {
    use crate::commands::messages;
    let (client, view) = args.api.connect()?;
    let mut stdout = std::io::stdout().lock();
    match args.id {
        Some(id) => messages::show(&client, &id, &mut stdout, view).await,
        None => {
            let filter = MessageFilter {
                status: args.status.map(|s| s.to_string()),
                stage: args.stage.map(|s| s.to_string()),
                limit: args.limit,
                cursor: args.cursor,
            };
            messages::list(&client, &filter, &mut stdout, view).await
        }
    }
}

async fn executions(args: ExecutionsArgs) -> anyhow::Result<()> {
    use crate::commands::executions;
    let (client, view) = args.api.connect()?;
    let mut stdout = std::io::stdout().lock();
    match args.id {
        Some(id) => executions::show(&client, &id, &mut stdout, view).await,
        None => {
            let filter = ExecutionFilter {
                status: args.status,
                message_id: args.message_id.map(|m| m.to_string()),
                limit: args.limit,
                cursor: args.cursor,
            };
            executions::list(&client, &filter, &mut stdout, view).await
        }
    }
}

async fn dlq(command: DlqCommand) -> anyhow::Result<()> {
    use crate::commands::dlq;
    let mut stdout = std::io::stdout().lock();
    match command {
        DlqCommand::List { api } => {
            let (client, view) = api.connect()?;
            dlq::list(&client, &mut stdout, view).await
        }
        DlqCommand::Redrive { ids, api } => {
            let (client, view) = api.connect()?;
            dlq::redrive(&client, &ids, &mut stdout, view).await
        }
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
        StatemachineCommand::Graph(args) => {
            let request = statemachine::graph::GraphRequest {
                file: args.file,
                format: args.format,
                output: args.output,
            };
            statemachine::graph::graph(&request, &mut stdout)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    const KEY: &str = "the-api-key-0123456789";
    const TOKEN: &str = "tk_the-ntfy-token";

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("rez-agent").chain(args.iter().copied()))
            .map(|cli| cli.command)
    }

    fn up(args: &[&str]) -> UpArgs {
        match parse(&[&["up"], args].concat()) {
            Ok(Command::Up(args)) => args,
            other => panic!("not up: {other:?}"),
        }
    }

    fn secret_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn debug_of_the_arguments_never_shows_the_key_or_token() {
        let args = up(&["--api-key", KEY, "--ntfy-token", TOKEN]);
        let config = up(&["--api-key", KEY, "--ntfy-token", TOKEN])
            .into_config()
            .unwrap();
        let api_args = match parse(&["messages", "--api-key", KEY]).unwrap() {
            Command::Messages(args) => args.api,
            other => panic!("not messages: {other:?}"),
        };
        for debug in [
            format!("{args:?}"),
            format!("{config:?}"),
            format!("{api_args:?}"),
            format!("{:?}", parse(&["dlq", "list", "--api-key", KEY]).unwrap()),
        ] {
            assert!(!debug.contains(KEY), "{debug}");
            assert!(!debug.contains(TOKEN), "{debug}");
            assert!(debug.contains("***"), "{debug}");
        }
    }

    #[test]
    fn the_key_and_token_can_come_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let key = secret_file(&dir, "key", &format!("{KEY}\n"));
        let token = secret_file(&dir, "token", &format!("  {TOKEN}  \n# comment\n"));
        let config = up(&["--api-key-file", &key, "--ntfy-token-file", &token])
            .into_config()
            .unwrap();
        assert_eq!(config.api_key.as_deref(), Some(KEY));
        assert_eq!(config.ntfy_token.as_deref(), Some(TOKEN));

        let Command::Send(send) = parse(&["send", "hi", "--api-key-file", &key]).unwrap() else {
            panic!("not send");
        };
        assert_eq!(
            send.api.api_key_file.as_ref().map(Secret::expose),
            Some(KEY)
        );
    }

    #[test]
    fn a_key_file_that_cannot_be_used_is_a_usage_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let empty = secret_file(&dir, "empty", "\n");
        let missing = dir.path().join("missing").display().to_string();
        for (flag, path, want) in [
            ("--api-key-file", &empty, "is empty"),
            ("--api-key-file", &missing, "cannot read"),
            ("--ntfy-token-file", &missing, "cannot read"),
        ] {
            let err = parse(&["up", flag, path]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ValueValidation, "{err}");
            let message = err.to_string();
            assert!(message.contains(flag), "{message}");
            assert!(message.contains(path.as_str()), "{message}");
            assert!(message.contains(want), "{message}");
        }
    }

    #[test]
    fn a_secret_is_given_literally_or_in_a_file_not_both() {
        let dir = tempfile::tempdir().unwrap();
        let key = secret_file(&dir, "key", KEY);
        for args in [
            ["up", "--api-key", KEY, "--api-key-file", &key],
            ["up", "--ntfy-token", TOKEN, "--ntfy-token-file", &key],
            ["messages", "--api-key", KEY, "--api-key-file", &key],
        ] {
            let err = parse(&args).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ArgumentConflict, "{args:?}");
            assert!(!err.to_string().contains(KEY), "{err}");
        }
    }

    #[test]
    fn a_bad_cors_origin_stops_up_with_one_line() {
        let err = format!(
            "{:#}",
            up(&["--cors-origin", "localhost:3000"])
                .into_config()
                .unwrap_err()
        );
        assert!(err.starts_with("--cors-origin 'localhost:3000'"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        assert_eq!(err.matches("not a CORS origin").count(), 1, "{err}");
        let config = up(&["--api-key", KEY, "--cors-origin", "*"]).into_config();
        assert_eq!(config.unwrap().cors_origins, ["*"]);
    }
}
