//! What one run measured and the Markdown report over all runs: each run's
//! figures, their medians, and whether the goals were met.

use std::fmt::Write as _;

use super::args::Args;
use super::phase::Phase;
use crate::common::{self, Memory, met};
use crate::stats::{Summary, median};

/// One run's figures.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Run {
    /// rez-agent at the fixed rate.
    pub(super) agent_rate: Phase,
    /// rez-agent at saturation.
    pub(super) agent_saturation: Phase,
    /// Straight to the stub at the fixed rate.
    pub(super) direct_rate: Phase,
    /// Straight to the stub at saturation.
    pub(super) direct_saturation: Phase,
    /// rez-agent's memory once ready, before any load.
    pub(super) idle: Memory,
    /// rez-agent's memory after both phases.
    pub(super) end: Memory,
    /// Accepted messages read back as `completed`.
    pub(super) completed: usize,
    /// Messages rez-agent accepted over both phases.
    pub(super) accepted: usize,
}

/// The Markdown report over `runs`, with how they were run (`args`).
pub(super) fn report(args: &Args, runs: &[Run]) -> String {
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

/// rez-agent's saturated throughput as a percentage of the direct run's.
fn ratio(r: &Run) -> f64 {
    if r.direct_saturation.throughput > 0.0 {
        100.0 * r.agent_saturation.throughput / r.direct_saturation.throughput
    } else {
        0.0
    }
}
