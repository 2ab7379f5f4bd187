//! `rez-bench`: the end-to-end, API, start-up and cold-start benchmarks of
//! BENCHMARKS.md, each against a reference run on the same machine in the
//! same run, each repeated and reported as medians.
//!
//! ```sh
//! rez-bench e2e --out bench/results/e2e.md        # rez-agent up end to end vs straight to the stub
//! rez-bench api --out bench/results/api.md        # API reads and writes vs a minimal axum handler
//! rez-bench startup --out bench/results/startup.md  # exec → healthy with 100,000 messages, idle RSS
//! rez-bench coldstart --out bench/results/coldstart.md  # the six Lambda bootstraps
//! ```
//!
//! Everything runs on loopback; every loop is bounded in count and time.

mod api;
mod coldstart;
mod common;
mod e2e;
mod seed;
mod startup;
mod stats;

use clap::{Parser, Subcommand};

/// The benchmarks.
#[derive(Debug, Parser)]
#[command(
    name = "rez-bench",
    about = "rez-agent benchmarks, each next to a same-run reference"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// rez-agent up end to end (POST → ntfy stub) vs the same publishes straight to the stub.
    E2e(e2e::Args),
    /// API reads and writes with 100,000 stored messages vs a minimal axum handler.
    Api(api::Args),
    /// exec of rez-agent up on 100,000 stored messages → first healthy /api/health; idle RSS.
    Startup(startup::Args),
    /// The six Lambda bootstraps: init time, first invocation, peak RSS, zip size.
    Coldstart(coldstart::Args),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::E2e(args) => e2e::run(args).await,
        Command::Api(args) => api::run(args).await,
        Command::Startup(args) => startup::run(args).await,
        Command::Coldstart(args) => coldstart::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rez-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
