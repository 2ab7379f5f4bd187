//! The API with 100,000 stored messages — list by status following cursors,
//! one message by id, create — next to a minimal axum handler in this binary
//! answering a fixed JSON body of the same size for each.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::routing::get;
use tokio::task::JoinSet;

use crate::common::{self, Agent, NtfyStub, met};
use crate::seed;
use crate::stats::{Latencies, Summary, median};

/// Flags of `rez-bench api`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The rez-agent binary.
    #[arg(long, default_value = "target/release/rez-agent")]
    agent: PathBuf,
    /// Messages in the data dir.
    #[arg(long, default_value_t = 100_000)]
    messages: usize,
    /// Seconds each endpoint is loaded, on each side.
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Runs (median reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Where to write the Markdown report.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// What is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// `GET /api/messages?limit=20&status=completed`, following `next_cursor`.
    List,
    /// `GET /api/messages/{id}`.
    Get,
    /// `POST /api/messages`.
    Post,
}

const ENDPOINTS: [Endpoint; 3] = [Endpoint::List, Endpoint::Get, Endpoint::Post];

/// Requests/s and latency of one side.
#[derive(Debug, Clone, Copy, Default)]
struct Load {
    rps: f64,
    latency: Summary,
    errors: u64,
}

/// One run: (rez-agent, reference) per endpoint.
type Run = Vec<(Endpoint, Load, Load)>;

/// Runs the benchmark and writes its report.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.agent.is_file(),
        "{} is not built",
        args.agent.display()
    );
    let seed = seed::seeded(&args.agent, args.messages).await?;
    let mut runs = Vec::new();
    let mut sizes = (0, 0, 0);
    for i in 0..args.runs.max(1) {
        let (run, s) = one_run(&args, &seed)
            .await
            .with_context(|| format!("run {}", i + 1))?;
        eprintln!("api run {}: {run:?}", i + 1);
        runs.push(run);
        sizes = s;
    }
    common::write_report(args.out.as_deref(), &report(&args, &runs, sizes))
}

async fn one_run(
    args: &Args,
    seed: &std::path::Path,
) -> anyhow::Result<(Run, (usize, usize, usize))> {
    let stub = NtfyStub::start().await?;
    let dir = seed::fresh_copy(seed, "api")?;
    let mut agent = Agent::spawn(&args.agent, &dir, &format!("{}/bench", stub.base()))?;
    agent.ready(Duration::from_secs(60)).await?;
    let client = common::load_client(args.concurrency.max(64))?;

    // Real bodies, and ids to read.
    let list_url = format!("{}/api/messages?limit=20&status=completed", agent.base);
    let list_body = client.get(&list_url).send().await?.bytes().await?;
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut request = client.get(&list_url);
        if let Some(c) = &cursor {
            request = request.query(&[("cursor", c)]);
        }
        let page: serde_json::Value = request.send().await?.json().await?;
        for item in page["items"].as_array().into_iter().flatten() {
            if let Some(id) = item["id"].as_str() {
                ids.push(id.to_owned());
            }
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    anyhow::ensure!(
        !ids.is_empty(),
        "the seeded store lists no completed message"
    );
    let get_body = client
        .get(format!("{}/api/messages/{}", agent.base, ids[0]))
        .send()
        .await?
        .bytes()
        .await?;
    let post_response = client
        .post(format!("{}/api/messages", agent.base))
        .json(&post_json(0))
        .send()
        .await?;
    anyhow::ensure!(
        post_response.status() == StatusCode::ACCEPTED,
        "POST answered {}",
        post_response.status()
    );
    let post_body = post_response.bytes().await?;
    let sizes = (list_body.len(), get_body.len(), post_body.len());

    let reference = reference_server(list_body, get_body, post_body).await?;
    let ids = Arc::new(ids);
    let mut run = Vec::new();
    for endpoint in ENDPOINTS {
        let ours = load(args, &client, &agent.base, endpoint, ids.clone(), false).await?;
        let theirs = load(args, &client, &reference, endpoint, ids.clone(), true).await?;
        run.push((endpoint, ours, theirs));
    }
    agent.stop().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok((run, sizes))
}

fn post_json(i: u64) -> serde_json::Value {
    serde_json::json!({
        "title": "rez-bench api", "message": format!("API benchmark write {i}"),
        "priority": 3, "tags": ["bench"],
    })
}

/// The reference: fixed bodies of the same size on `/api/messages` and
/// `/api/messages/{id}`; the base URL.
async fn reference_server(list: Bytes, one: Bytes, created: Bytes) -> anyhow::Result<String> {
    let app = Router::new()
        .route(
            "/api/messages",
            get(move || {
                let list = list.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], list) }
            })
            .post(move |_body: Bytes| {
                let created = created.clone();
                async move {
                    (
                        StatusCode::ACCEPTED,
                        [(header::CONTENT_TYPE, "application/json")],
                        created,
                    )
                }
            }),
        )
        .route(
            "/api/messages/{id}",
            get(move || {
                let one = one.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], one) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{address}"))
}

/// `concurrency` closed-loop clients on `endpoint` for `duration`.
async fn load(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    endpoint: Endpoint,
    ids: Arc<Vec<String>>,
    reference: bool,
) -> anyhow::Result<Load> {
    let duration = Duration::from_secs(args.duration.max(1));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = JoinSet::new();
    for worker in 0..args.concurrency.max(1) {
        let (client, base, ids) = (client.clone(), base.to_owned(), ids.clone());
        tasks.spawn(async move {
            let mut latencies = Latencies::new()?;
            let (mut ok, mut errors) = (0u64, 0u64);
            let mut cursor: Option<String> = None;
            let mut i = worker as u64;
            while Instant::now() < deadline {
                i += 7919;
                let sent = Instant::now();
                let good = match endpoint {
                    Endpoint::List => {
                        let mut request = client
                            .get(format!("{base}/api/messages"))
                            .query(&[("limit", "20"), ("status", "completed")]);
                        if let Some(c) = &cursor {
                            request = request.query(&[("cursor", c)]);
                        }
                        match request.send().await {
                            Ok(r) if r.status().is_success() => {
                                let page: serde_json::Value = r.json().await.unwrap_or_default();
                                cursor = page["next_cursor"].as_str().map(str::to_owned);
                                // The reference always answers the first page: start
                                // again after a few, as a real client's cursor would.
                                if reference && i.is_multiple_of(50) {
                                    cursor = None;
                                }
                                true
                            }
                            _ => false,
                        }
                    }
                    Endpoint::Get => {
                        let id = &ids[(i as usize) % ids.len()];
                        match client.get(format!("{base}/api/messages/{id}")).send().await {
                            Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                            _ => false,
                        }
                    }
                    Endpoint::Post => {
                        match client
                            .post(format!("{base}/api/messages"))
                            .json(&post_json(i))
                            .send()
                            .await
                        {
                            Ok(r) if r.status() == StatusCode::ACCEPTED => r.bytes().await.is_ok(),
                            _ => false,
                        }
                    }
                };
                if good {
                    ok += 1;
                    latencies.record(sent.elapsed());
                } else {
                    errors += 1;
                }
            }
            anyhow::Ok((latencies, ok, errors))
        });
    }
    let mut all = Latencies::new()?;
    let (mut ok, mut errors) = (0u64, 0u64);
    while let Some(done) = tasks.join_next().await {
        let (latencies, o, e) = done??;
        all.add(&latencies)?;
        ok += o;
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    Ok(Load {
        rps: ok as f64 / elapsed,
        latency: all.summary(),
        errors,
    })
}

fn report(args: &Args, runs: &[Run], (list, one, created): (usize, usize, usize)) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# The API with {} stored messages vs a minimal axum handler\n",
        args.messages
    );
    let _ = writeln!(
        s,
        "- Command: `target/release/rez-bench api --messages {} --duration {} --concurrency {} --runs {}`",
        args.messages, args.duration, args.concurrency, args.runs
    );
    let _ = writeln!(s, "- Date: {}", common::now_utc());
    let _ = writeln!(s, "- Machine: {}", common::machine());
    let _ = writeln!(
        s,
        "- {} closed-loop keep-alive clients (reqwest), {} s per endpoint and side, rez-agent first then the reference, fresh copy of the seeded data dir per run (crates/bench/src/seed.rs: 1,000 messages through the API, copied in SQLite to {}; 90% `completed`, 10% `failed`).",
        args.concurrency, args.duration, args.messages
    );
    let _ = writeln!(
        s,
        "- Reference: an axum handler in the bench binary answering the same status and a fixed JSON body of the same size as rez-agent's (list page {list} B, one message {one} B, created {created} B). The list clients parse each page and follow `next_cursor` on both sides.\n"
    );
    let _ = writeln!(
        s,
        "| run | endpoint | rez-agent req/s | p50/p90/p99/max ms | reference req/s | p50/p90/p99/max ms | ratio | errors |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for (i, run) in runs.iter().enumerate() {
        for (endpoint, ours, theirs) in run {
            let _ = writeln!(
                s,
                "| {} | {} | {:.0} | {} | {:.0} | {} | {:.1}% | {} / {} |",
                i + 1,
                name(*endpoint),
                ours.rps,
                ours.latency.cell(),
                theirs.rps,
                theirs.latency.cell(),
                ratio(ours, theirs),
                ours.errors,
                theirs.errors
            );
        }
    }
    let mut goals = Vec::new();
    for (k, endpoint) in ENDPOINTS.iter().enumerate() {
        let pick = |f: &dyn Fn(&(Endpoint, Load, Load)) -> f64| {
            median(
                &runs
                    .iter()
                    .filter_map(|r| r.get(k))
                    .map(f)
                    .collect::<Vec<_>>(),
            )
        };
        let ours: Vec<Summary> = runs
            .iter()
            .filter_map(|r| r.get(k))
            .map(|x| x.1.latency)
            .collect();
        let theirs: Vec<Summary> = runs
            .iter()
            .filter_map(|r| r.get(k))
            .map(|x| x.2.latency)
            .collect();
        let r = pick(&|x| ratio(&x.1, &x.2));
        let _ = writeln!(
            s,
            "| **median** | {} | **{:.0}** | **{}** | {:.0} | {} | **{:.1}%** | |",
            name(*endpoint),
            pick(&|x| x.1.rps),
            Summary::median_of(&ours).cell(),
            pick(&|x| x.2.rps),
            Summary::median_of(&theirs).cell(),
            r
        );
        let goal = if *endpoint == Endpoint::Post {
            25.0
        } else {
            50.0
        };
        goals.push(format!(
            "{} ≥ {goal}%: **{}** ({r:.1}%)",
            name(*endpoint),
            met(r >= goal)
        ));
    }
    let _ = writeln!(s, "\nGoals: {}.", goals.join("; "));
    s
}

fn name(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::List => "`GET /api/messages?limit=20&status=completed` (cursors)",
        Endpoint::Get => "`GET /api/messages/{id}`",
        Endpoint::Post => "`POST /api/messages`",
    }
}

fn ratio(ours: &Load, theirs: &Load) -> f64 {
    if theirs.rps > 0.0 {
        100.0 * ours.rps / theirs.rps
    } else {
        0.0
    }
}
