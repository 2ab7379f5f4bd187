//! One phase of load: a generator posting `n` notifications to rez-agent or
//! straight to the ntfy stub, open loop at a fixed rate or closed loop at a
//! fixed concurrency, and the throughput and latency the stub saw.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::task::JoinSet;

use crate::common::NtfyStub;
use crate::stats::{Latencies, Summary};

/// Where the generator posts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// `POST /api/messages` on rez-agent.
    Agent,
    /// The ntfy JSON publish straight to the stub.
    Direct,
}

/// How the generator offers load.
#[derive(Clone, Copy)]
pub(super) enum Mode {
    /// Open loop: request i is sent at start + i / rate.
    Rate(f64),
    /// Closed loop: this many clients, each posting as soon as its last answer came.
    Saturation(usize),
}

/// One phase's figures.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Phase {
    /// Delivered per second: N / (last stub receipt − first send).
    pub(super) throughput: f64,
    /// Send → first receipt at the stub, per notification.
    pub(super) latency: Summary,
    /// Publishes refused or failed at the generator.
    pub(super) errors: usize,
    /// Publishes the stub saw more than once per id.
    pub(super) repeats: u64,
}

/// Posts `n` notifications to `base` and waits until the stub has them all.
/// Returns the figures and the accepted ids.
pub(super) async fn phase(
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
