//! The `rez-agent` command line as clap reads it: the commands, their flags
//! and the checks on them.
//!
//! | file | flags of |
//! |---|---|
//! | this one | [`Cli`], [`Command`], [`ApiArgs`] (every API command), [`NotificationFlags`] |
//! | `api.rs` | `send`, `messages`, `executions`, `dlq` |
//! | `schedules.rs` | `schedules …` |
//! | `statemachine.rs` | `statemachine …` and `stepfunctions` |
//! | `up.rs` | `up` |

use clap::{Parser, Subcommand};

use rez_core::Priority;
use rez_local::config::{Secret, SecretFileError};

use crate::client::ApiClient;
use crate::commands::output::View;

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
    pub fn request(self, text: String) -> rez_core::CreateMessageRequest {
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

mod api;
mod schedules;
mod statemachine;
#[cfg(test)]
mod tests;
mod up;

pub use api::{DlqCommand, ExecutionsArgs, MessagesArgs, SendArgs};
pub use schedules::{ScheduleAddArgs, SchedulesCommand};
pub use statemachine::{GraphArgs, RunArgs, StatemachineCommand, StepFunctionsArgs};
pub use up::UpArgs;
