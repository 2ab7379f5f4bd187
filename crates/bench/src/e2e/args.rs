//! The flags of `rez-bench e2e`: the binary under test, how much load each
//! phase offers, how many runs, and where the report goes.

use std::path::PathBuf;

/// Flags of `rez-bench e2e`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The rez-agent binary.
    #[arg(long, default_value = "target/release/rez-agent")]
    pub(super) agent: PathBuf,
    /// Notifications per phase.
    #[arg(long, default_value_t = 2000)]
    pub(super) n: usize,
    /// Offered rate of the fixed-rate phase, per second.
    #[arg(long, default_value_t = 200.0)]
    pub(super) rate: f64,
    /// Concurrent clients of the saturation phase.
    #[arg(long, default_value_t = 32)]
    pub(super) concurrency: usize,
    /// Runs (the report gives each and their median).
    #[arg(long, default_value_t = 3)]
    pub(super) runs: usize,
    /// How long a phase may take to be delivered, in seconds.
    #[arg(long, default_value_t = 180)]
    pub(super) timeout: u64,
    /// Where to write the Markdown report.
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
}
