//! A data dir holding 100,000 messages, made once and copied for each run.
//!
//! 1,000 messages are posted through the API of a real `rez-agent up` and
//! delivered to the stub (so they are `completed` with their executions);
//! the agent is stopped and those rows are copied in SQLite with new ids
//! (the UUID's 25th–28th hex digits replaced by the copy's number) and
//! `created_date` moved back one day per copy, every tenth copy marked
//! `failed`. Every row therefore has the exact shape the API writes, and
//! the indexes are rez-agent's own; seeding 100,000 through the API instead
//! would spend most of the bench's time delivering them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use tokio::task::JoinSet;

use crate::common::{self, Agent, NtfyStub};

/// Messages posted through the API.
const TEMPLATES: usize = 1000;

/// The seeded data dir for `total` messages under `target/bench-seed/`,
/// made if it is not there yet.
pub(crate) async fn seeded(agent_binary: &Path, total: usize) -> anyhow::Result<PathBuf> {
    let dir = PathBuf::from("target/bench-seed").join(total.to_string());
    if dir.join("seeded").is_file() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let stub = NtfyStub::start().await?;
    let mut agent = Agent::spawn(agent_binary, &dir, &format!("{}/bench", stub.base()))?;
    agent.ready(Duration::from_secs(60)).await?;
    let client = common::load_client(16)?;
    let mut tasks = JoinSet::new();
    for worker in 0..16 {
        let (client, base) = (client.clone(), agent.base.clone());
        tasks.spawn(async move {
            for i in (worker..TEMPLATES).step_by(16) {
                let stage = ["dev", "stage", "prod"][i % 3];
                let body = serde_json::json!({
                    "title": format!("Seeded {i}"),
                    "message": format!("Seeded notification number {i} for the API benchmark."),
                    "priority": 1 + i % 5, "tags": ["bench", "seed"],
                    "stage": stage,
                });
                let response = client
                    .post(format!("{base}/api/messages"))
                    .json(&body)
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status() == reqwest::StatusCode::ACCEPTED,
                    "seeding: {}",
                    response.status()
                );
            }
            Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    anyhow::ensure!(
        stub.wait_for(TEMPLATES, Duration::from_secs(300)).await,
        "the seed messages were not delivered"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    agent.stop().await?;
    copy_rows(&dir.join("rez-agent.db"), total)?;
    std::fs::write(dir.join("seeded"), b"")?;
    Ok(dir)
}

fn copy_rows(db: &Path, total: usize) -> anyhow::Result<()> {
    let mut conn =
        rusqlite::Connection::open(db).with_context(|| format!("opening {}", db.display()))?;
    let templates: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    let tx = conn.transaction()?;
    tx.execute("CREATE TEMP TABLE templates AS SELECT * FROM messages", [])?;
    let mut copy = 1i64;
    let total = i64::try_from(total)?;
    while templates > 0 && templates * (copy + 1) <= total {
        let status = if copy % 10 == 0 {
            "failed"
        } else {
            "completed"
        };
        tx.execute(
            "INSERT OR IGNORE INTO messages
             SELECT substr(id, 1, 24) || printf('%04x', ?1) || substr(id, 29),
                    date(created_date, printf('-%d days', ?1)) || substr(created_date, 11),
                    created_by, stage, message_type, ?2, payload, arguments,
                    date(updated_date, printf('-%d days', ?1)) || substr(updated_date, 11),
                    CASE WHEN ?2 = 'failed' THEN 'ntfy answered 500 (seeded)' ELSE error_message END,
                    retry_count, delivery_attempts, execution_id, delivered_at, ntfy_message_id, ttl
             FROM templates",
            rusqlite::params![copy, status],
        )?;
        copy += 1;
    }
    tx.commit()?;
    let count: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    anyhow::ensure!(count >= total * 99 / 100, "seeded only {count} messages");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Copies the seeded dir to a fresh scratch dir (without its lock file).
pub(crate) fn fresh_copy(seed: &Path, label: &str) -> anyhow::Result<PathBuf> {
    let dir = common::scratch(label)?;
    for entry in std::fs::read_dir(seed)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "rez-agent.lock" || name == "seeded" || !entry.file_type()?.is_file() {
            continue;
        }
        std::fs::copy(entry.path(), dir.join(&name))?;
    }
    Ok(dir)
}
