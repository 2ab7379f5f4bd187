//! The `rez-agent` binary: parse the command line, run it, print failures on one line.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// mimalloc: the engine, the API and the queue allocate and free many small
/// JSON values, which it serves in fewer instructions than glibc
/// (bench/results/states.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    rez_local::telemetry::init();
    let cli = rez_cli::args::Cli::parse();
    let runtime = match rez_local::runtime::build() {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = writeln!(
                std::io::stderr(),
                "rez-agent: starting the runtime: {error}"
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(rez_cli::run::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "rez-agent: {error:#}");
            ExitCode::FAILURE
        }
    }
}
