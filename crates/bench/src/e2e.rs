//! End to end: notifications posted to `rez-agent up` until the ntfy stub
//! receives them, next to the same generator posting the same publishes
//! straight to the stub.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::task::JoinSet;

use crate::common::{self, Agent, Memory, NtfyStub};
use crate::stats::{Latencies, Summary, median};

/// Flags of `rez-bench e2e`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The rez-agent binary.
    #[arg(long, default_value = "target/release/rez-agent")]
    agent: PathBuf,
    /// Notifications per phase.
    #[arg(long, default_value_t = 2000)]
    n: usize,
    /// Offered rate of the fixed-rate phase, per second.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Concurrent clients of the saturation phase.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Runs (the report gives each and their median).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// How long a phase may take to be delivered, in seconds.
    #[arg(long, default_value_t = 180)]
    timeout: u64,
    /// Where to write the Markdown report.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Where the generator posts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `POST /api/messages` on rez-agent.
    Agent,
    /// The ntfy JSON publish straight to the stub.
    Direct,
}

/// How the generator offers load.
#[derive(Clone, Copy)]
enum Mode {
    /// Open loop: request i is sent at start + i / rate.
    Rate(f64),
    /// Closed loop: this many clients, each posting as soon as its last answer came.
    Saturation(usize),
}

/// One phase's figures.
#[derive(Debug, Clone, Copy, Default)]
struct Phase {
    /// Delivered per second: N / (last stub receipt − first send).
    throughput: f64,
    /// Send → first receipt at the stub, per notification.
    latency: Summary,
    /// Publishes refused or failed at the generator.
    errors: usize,
    /// Publishes the stub saw more than once per id.
    repeats: u64,
}

/// One run's figures.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    agent_rate: Phase,
    agent_saturation: Phase,
    direct_rate: Phase,
    direct_saturation: Phase,
    idle: Memory,
    end: Memory,
    completed: usize,
    accepted: usize,
}

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

/// Posts `n` notifications to `base` and waits until the stub has them all.
/// Returns the figures and the accepted ids.
async fn phase(
    client: &reqwest::Client,
    stub: &Arc<NtfyStub>,
    base: &str,
    target: Target,
    mode: Mode,
    n: usize,
    within: Duration,
) -> anyhow::Result<(Phase, Vec<String>)> {
    stub.reset();
    static PHASE: AtomicUsize = AtomicUsize::new(0);
    let tag = PHASE.fetch_add(1, Ordering::SeqCst);
    let url = match target {
        Target::Agent => format!("{base}/api/messages"),
        Target::Direct => format!("{base}/"),
    };
    let start = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks: JoinSet<Vec<Option<(String, Instant)>>> = JoinSet::new();
    match mode {
        Mode::Rate(rate) => {
            let rate = rate.max(0.001);
            for i in 0..n {
                let at = start + Duration::from_secs_f64(i as f64 / rate);
                tokio::time::sleep_until(at.into()).await;
                let (client, url) = (client.clone(), url.clone());
                tasks.spawn(async move { vec![send(&client, &url, target, tag, i).await] });
            }
        }
        Mode::Saturation(clients) => {
            for _ in 0..clients.max(1) {
                let (client, url, next) = (client.clone(), url.clone(), next.clone());
                tasks.spawn(async move {
                    let mut sent = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= n {
                            return sent;
                        }
                        sent.push(send(&client, &url, target, tag, i).await);
                    }
                });
            }
        }
    }
    let mut sent = Vec::with_capacity(n);
    while let Some(done) = tasks.join_next().await {
        sent.extend(done?);
    }
    let errors = sent.iter().filter(|s| s.is_none()).count();
    let sent: Vec<(String, Instant)> = sent.into_iter().flatten().collect();
    anyhow::ensure!(
        stub.wait_for(sent.len(), within).await,
        "only {} of {} notifications reached the stub within {within:?}",
        stub.distinct(),
        sent.len()
    );
    let receipts = stub.receipts();
    let mut latencies = Latencies::new()?;
    let mut last = start;
    let mut first_sent = None::<Instant>;
    for (id, at) in &sent {
        let receipt = receipts
            .get(id)
            .with_context(|| format!("the stub never saw {id}"))?;
        latencies.record(receipt.first.saturating_duration_since(*at));
        last = last.max(receipt.first);
        first_sent = Some(first_sent.map_or(*at, |f| f.min(*at)));
    }
    let span = last
        .saturating_duration_since(first_sent.unwrap_or(start))
        .as_secs_f64();
    let repeats = stub.total().saturating_sub(receipts.len() as u64);
    Ok((
        Phase {
            throughput: if span > 0.0 {
                sent.len() as f64 / span
            } else {
                0.0
            },
            latency: latencies.summary(),
            errors,
            repeats,
        },
        if target == Target::Agent {
            sent.into_iter().map(|(id, _)| id).collect()
        } else {
            Vec::new()
        },
    ))
}

/// One POST; the id the stub will see and when the request was sent, or
/// `None` when it was not accepted.
async fn send(
    client: &reqwest::Client,
    url: &str,
    target: Target,
    tag: usize,
    i: usize,
) -> Option<(String, Instant)> {
    let text = format!("bench notification {i} of phase {tag}");
    let at = Instant::now();
    match target {
        Target::Agent => {
            let body = serde_json::json!({
                "title": "rez-bench", "message": text, "priority": 3, "tags": ["bench"],
            });
            let response = client.post(url).json(&body).send().await.ok()?;
            if response.status() != reqwest::StatusCode::ACCEPTED {
                return None;
            }
            let message: serde_json::Value = response.json().await.ok()?;
            Some((message.get("id")?.as_str()?.to_owned(), at))
        }
        Target::Direct => {
            let id = format!("direct-{tag}-{i}");
            let body = serde_json::json!({
                "topic": "bench", "title": "rez-bench", "message": text, "priority": 3,
                "tags": ["bench"], "sequence_id": id,
            });
            let response = client.post(url).json(&body).send().await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            let _ = response.bytes().await.ok()?;
            Some((id, at))
        }
    }
}

/// How many of `ids` the API reports `completed`, waiting up to `within` for stragglers.
pub(crate) async fn completed(
    client: &reqwest::Client,
    base: &str,
    ids: &[String],
    within: Duration,
) -> anyhow::Result<usize> {
    let deadline = Instant::now() + within;
    let mut pending: Vec<String> = ids.to_vec();
    loop {
        let mut tasks = JoinSet::new();
        for chunk in pending.chunks(pending.len().div_ceil(16).max(1)) {
            let (client, base, chunk) = (client.clone(), base.to_owned(), chunk.to_vec());
            tasks.spawn(async move {
                let mut left = Vec::new();
                for id in chunk {
                    let status = async {
                        let response = client
                            .get(format!("{base}/api/messages/{id}"))
                            .send()
                            .await
                            .ok()?;
                        let message: serde_json::Value = response.json().await.ok()?;
                        message.get("status")?.as_str().map(str::to_owned)
                    }
                    .await;
                    if status.as_deref() != Some("completed") {
                        left.push(id);
                    }
                }
                left
            });
        }
        let mut left = Vec::new();
        while let Some(done) = tasks.join_next().await {
            left.extend(done?);
        }
        pending = left;
        if pending.is_empty() || Instant::now() >= deadline {
            return Ok(ids.len() - pending.len());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn report(args: &Args, runs: &[Run]) -> String {
    let med = |f: fn(&Run) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let lat = |f: fn(&Run) -> Summary| Summary::median_of(&runs.iter().map(f).collect::<Vec<_>>());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# End to end: rez-agent up vs the same publishes straight to the stub\n"
    );
    let _ = writeln!(
        s,
        "- Command: `target/release/rez-bench e2e --n {} --rate {} --concurrency {} --runs {}`",
        args.n, args.rate, args.concurrency, args.runs
    );
    let _ = writeln!(s, "- Date: {}", common::now_utc());
    let _ = writeln!(s, "- Machine: {}", common::machine());
    let _ = writeln!(
        s,
        "- Per run: a fresh data dir; `rez-agent up --rate-limit 0 --ntfy-url <stub>`; {} notifications at {}/s (open loop), then {} with {} closed-loop clients; then the same generator posts the same number of ntfy JSON publishes straight to the stub (the reference).",
        args.n, args.rate, args.n, args.concurrency
    );
    let _ = writeln!(
        s,
        "- Latency: from the moment the POST is sent (so it includes the API's accept) to the stub's first receipt of that `sequence_id` (= message id). Throughput: delivered / (last receipt − first send)."
    );
    let _ = writeln!(
        s,
        "- Afterwards every accepted message is read back through `GET /api/messages/{{id}}` and must be `completed`.\n"
    );
    let _ = writeln!(
        s,
        "| run | rez-agent @rate msg/s | p50/p90/p99/max ms | direct @rate p50/p90/p99/max ms | rez-agent saturated msg/s | p50/p90/p99/max ms | direct saturated msg/s | p50/p90/p99/max ms | ratio | completed | RSS idle / end / peak MB |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|");
    for (i, r) in runs.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {:.0} | {} | {} | {:.0} | {} | {:.0} | {} | {:.1}% | {}/{} | {:.1} / {:.1} / {:.1} |",
            i + 1,
            r.agent_rate.throughput,
            r.agent_rate.latency.cell(),
            r.direct_rate.latency.cell(),
            r.agent_saturation.throughput,
            r.agent_saturation.latency.cell(),
            r.direct_saturation.throughput,
            r.direct_saturation.latency.cell(),
            ratio(r),
            r.completed,
            r.accepted,
            r.idle.rss_mb,
            r.end.rss_mb,
            r.end.hwm_mb,
        );
    }
    let _ = writeln!(
        s,
        "| **median** | **{:.0}** | **{}** | {} | **{:.0}** | {} | {:.0} | {} | **{:.1}%** | | **{:.1} / {:.1} / {:.1}** |",
        med(|r| r.agent_rate.throughput),
        lat(|r| r.agent_rate.latency).cell(),
        lat(|r| r.direct_rate.latency).cell(),
        med(|r| r.agent_saturation.throughput),
        lat(|r| r.agent_saturation.latency).cell(),
        med(|r| r.direct_saturation.throughput),
        lat(|r| r.direct_saturation.latency).cell(),
        med(ratio),
        med(|r| r.idle.rss_mb),
        med(|r| r.end.rss_mb),
        med(|r| r.end.hwm_mb),
    );
    let errors: usize = runs
        .iter()
        .map(|r| {
            r.agent_rate.errors
                + r.agent_saturation.errors
                + r.direct_rate.errors
                + r.direct_saturation.errors
        })
        .sum();
    let repeats: u64 = runs
        .iter()
        .map(|r| r.agent_rate.repeats + r.agent_saturation.repeats)
        .sum();
    let _ = writeln!(
        s,
        "\nRatio = rez-agent's saturated throughput / the direct run's. Refused or failed posts over all runs: {errors}; repeated publishes of one id: {repeats}.\n"
    );
    let p99 = lat(|r| r.agent_rate.latency).p99;
    let _ = writeln!(
        s,
        "Goals: throughput ≥ 25% of direct: **{}** ({:.1}%); p99 at {}/s < 50 ms: **{}** ({:.2} ms); RSS idle < 30 MB: **{}**; under load < 100 MB (peak): **{}**.",
        met(med(ratio) >= 25.0),
        med(ratio),
        args.rate,
        met(p99 < 50.0),
        p99,
        met(med(|r| r.idle.rss_mb) < 30.0),
        met(med(|r| r.end.hwm_mb) < 100.0),
    );
    s
}

fn ratio(r: &Run) -> f64 {
    if r.direct_saturation.throughput > 0.0 {
        100.0 * r.agent_saturation.throughput / r.direct_saturation.throughput
    } else {
        0.0
    }
}

/// "met" or "not met".
pub(crate) fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "not met" }
}
