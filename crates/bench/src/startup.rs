//! Start-up: exec of `rez-agent up` on a data dir holding 100,000 messages
//! to its first 200 from `/api/health`, and its idle memory; next to the
//! same on an empty data dir.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::common::{self, Agent, Memory, NtfyStub, met};
use crate::seed;
use crate::stats::median;

/// Flags of `rez-bench startup`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The rez-agent binary.
    #[arg(long, default_value = "target/release/rez-agent")]
    agent: PathBuf,
    /// Messages in the data dir.
    #[arg(long, default_value_t = 100_000)]
    messages: usize,
    /// Starts of each kind (median reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Where to write the Markdown report.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One start.
#[derive(Debug, Clone, Copy)]
struct Start {
    ready_ms: f64,
    idle: Memory,
}

/// Runs the benchmark and writes its report.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.agent.is_file(),
        "{} is not built",
        args.agent.display()
    );
    let seed = seed::seeded(&args.agent, args.messages).await?;
    let stub = NtfyStub::start().await?;
    let mut full = Vec::new();
    let mut empty = Vec::new();
    for i in 0..args.runs.max(1) {
        let dir = seed::fresh_copy(&seed, "startup")?;
        full.push(
            start(&args, &dir, &stub)
                .await
                .with_context(|| format!("start {} (seeded)", i + 1))?,
        );
        let _ = std::fs::remove_dir_all(&dir);
        let dir = common::scratch("startup-empty")?;
        empty.push(
            start(&args, &dir, &stub)
                .await
                .with_context(|| format!("start {} (empty)", i + 1))?,
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    common::write_report(args.out.as_deref(), &report(&args, &full, &empty))
}

async fn start(args: &Args, dir: &std::path::Path, stub: &NtfyStub) -> anyhow::Result<Start> {
    let mut agent = Agent::spawn(&args.agent, dir, &format!("{}/bench", stub.base()))?;
    let ready = agent.ready(Duration::from_secs(60)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = agent.memory()?;
    agent.stop().await?;
    Ok(Start {
        ready_ms: ready.as_secs_f64() * 1000.0,
        idle,
    })
}

fn report(args: &Args, full: &[Start], empty: &[Start]) -> String {
    let med = |v: &[Start], f: fn(&Start) -> f64| median(&v.iter().map(f).collect::<Vec<_>>());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Start-up of rez-agent up with {} stored messages\n",
        args.messages
    );
    let _ = writeln!(
        s,
        "- Command: `target/release/rez-bench startup --messages {} --runs {}`",
        args.messages, args.runs
    );
    let _ = writeln!(s, "- Date: {}", common::now_utc());
    let _ = writeln!(s, "- Machine: {}", common::machine());
    let _ = writeln!(
        s,
        "- Time: from just before the exec of `rez-agent up` to the first 200 of `GET /api/health` (polled every 1 ms on a new connection). The seeded data dir is copied fresh for each start (see crates/bench/src/seed.rs for how it is seeded). Reference: the same start on an empty data dir. Idle RSS: `VmRSS` one second after ready.\n"
    );
    let _ = writeln!(
        s,
        "| start | ready, 100k messages (ms) | idle RSS (MB) | ready, empty (ms) | idle RSS, empty (MB) |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for (i, (f, e)) in full.iter().zip(empty).enumerate() {
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            i + 1,
            f.ready_ms,
            f.idle.rss_mb,
            e.ready_ms,
            e.idle.rss_mb
        );
    }
    let ready = med(full, |x| x.ready_ms);
    let idle = med(full, |x| x.idle.rss_mb);
    let _ = writeln!(
        s,
        "| **median** | **{ready:.1}** | **{idle:.1}** | {:.1} | {:.1} |\n",
        med(empty, |x| x.ready_ms),
        med(empty, |x| x.idle.rss_mb)
    );
    let _ = writeln!(
        s,
        "Goals: ready < 200 ms: **{}** ({ready:.1} ms); idle RSS < 30 MB: **{}** ({idle:.1} MB).",
        met(ready < 200.0),
        met(idle < 30.0)
    );
    s
}
