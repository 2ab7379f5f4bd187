//! The `rez-agent` binary: parse the command line, run it, print failures on one line.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    rez_local::telemetry::init();
    let cli = rez_local::cli::Cli::parse();
    match rez_local::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "rez-agent: {error:#}");
            ExitCode::FAILURE
        }
    }
}
