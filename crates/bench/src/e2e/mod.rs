//! End to end: notifications posted to `rez-agent up` until the ntfy stub
//! receives them, next to the same generator posting the same publishes
//! straight to the stub.
//!
//! | module | holds |
//! |---|---|
//! | `args.rs` | the flags of `rez-bench e2e` |
//! | `phase.rs` | one phase of load and the figures the stub saw |
//! | `readback.rs` | checking that every accepted message ended `completed` |
//! | `report.rs` | one run's figures and the Markdown report over all runs |
//! | this file | the runs: rez-agent's two phases, then the direct reference's |

mod args;
mod phase;
mod readback;
mod report;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

pub(crate) use args::Args;
use phase::{Mode, Target, phase};
use readback::completed;
use report::{Run, report};

use crate::common::{self, Agent, NtfyStub};

/// Runs the benchmark and writes its report.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.agent.is_file(),
        "{} is not built",
        args.agent.display()
    );
    let mut runs = Vec::new();
    for i in 0..args.runs.max(1) {
        let run = one_run(&args)
            .await
            .with_context(|| format!("run {}", i + 1))?;
        eprintln!("e2e run {}: {run:?}", i + 1);
        runs.push(run);
    }
    common::write_report(args.out.as_deref(), &report(&args, &runs))
}

/// One run: rez-agent started on a fresh data dir and loaded at the fixed
/// rate then at saturation, its messages read back, then the same two
/// phases posted straight to the stub.
async fn one_run(args: &Args) -> anyhow::Result<Run> {
    let stub = Arc::new(NtfyStub::start().await?);
    let data_dir = common::scratch("e2e")?;
    let mut agent = Agent::spawn(&args.agent, &data_dir, &format!("{}/bench", stub.base()))?;
    agent.ready(Duration::from_secs(30)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = agent.memory()?;
    let client = common::load_client(args.concurrency.max(64))?;
    let within = Duration::from_secs(args.timeout);

    let (agent_rate, ids_rate) = phase(
        &client,
        &stub,
        &agent.base,
        Target::Agent,
        Mode::Rate(args.rate),
        args.n,
        within,
    )
    .await?;
    let (agent_saturation, ids_saturation) = phase(
        &client,
        &stub,
        &agent.base,
        Target::Agent,
        Mode::Saturation(args.concurrency),
        args.n,
        within,
    )
    .await?;
    let end = agent.memory()?;
    let ids: Vec<String> = ids_rate.into_iter().chain(ids_saturation).collect();
    let completed = completed(&client, &agent.base, &ids, Duration::from_secs(60)).await?;
    agent.stop().await?;
    let _ = std::fs::remove_dir_all(&data_dir);

    let (direct_rate, _) = phase(
        &client,
        &stub,
        &stub.base(),
        Target::Direct,
        Mode::Rate(args.rate),
        args.n,
        within,
    )
    .await?;
    let (direct_saturation, _) = phase(
        &client,
        &stub,
        &stub.base(),
        Target::Direct,
        Mode::Saturation(args.concurrency),
        args.n,
        within,
    )
    .await?;
    Ok(Run {
        agent_rate,
        agent_saturation,
        direct_rate,
        direct_saturation,
        idle,
        end,
        completed,
        accepted: ids.len(),
    })
}
