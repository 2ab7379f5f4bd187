//! Flags of the commands that read and send through the API: `send`,
//! `messages`, `executions`, `dlq`.

use clap::Subcommand;
use rez_core::ports::ExecutionStatus;
use rez_core::{MessageId, Stage, Status};

use super::{ApiArgs, NotificationFlags};
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
