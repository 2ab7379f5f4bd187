//! What `rez-agent up` prints once it listens: where each surface is, where
//! the data lives, where notifications go, and when the schedule fires next.

use std::io::Write;

use crate::config::UpConfig;

/// Prints the stack's addresses and settings to stdout, ending with the
/// `listening on` line scripts wait for.
///
/// # Errors
/// Stdout cannot be written.
pub(super) fn announce(
    config: &UpConfig,
    address: std::net::SocketAddr,
    ntfy_url: &url::Url,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let next = config
        .schedule
        .next_after(chrono::Utc::now(), chrono::Utc::now());
    let mut out = std::io::stdout().lock();
    writeln!(out, "rez-agent is up")?;
    writeln!(out, "  console    http://{address}/console/")?;
    writeln!(out, "  api        http://{address}/api/health")?;
    writeln!(out, "  executions http://{address}/api/executions")?;
    writeln!(
        out,
        "  sfn        aws stepfunctions --endpoint-url http://{address} list-state-machines"
    )?;
    writeln!(out, "  data dir   {}", dir.display())?;
    writeln!(
        out,
        "  ntfy       {ntfy_url}  (subscribe to this topic in the ntfy app)"
    )?;
    match next {
        Some(at) => writeln!(
            out,
            "  schedule   {} (next: {})",
            config.schedule,
            rez_core::time::format(at)
        )?,
        None => writeln!(out, "  schedule   {} (never fires again)", config.schedule)?,
    }
    if config.time_scale != 1.0 {
        writeln!(
            out,
            "  time scale {} (waits, retries, timeouts and the schedule run at this speed)",
            config.time_scale
        )?;
    }
    writeln!(out, "listening on http://{address}")?;
    out.flush()?;
    Ok(())
}
