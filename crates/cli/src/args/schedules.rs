//! Flags of `rez-agent schedules …`.

use super::{ApiArgs, NotificationFlags};
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
