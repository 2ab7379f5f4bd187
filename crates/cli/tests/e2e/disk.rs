//! A full disk during a run: the API refuses what it cannot keep with a 503
//! in the one error shape, still answers reads, and once space is back
//! nothing it accepted is lost.
//!
//! The disk fills without privileges: the process runs under a file-size
//! limit (RLIMIT_FSIZE via `ulimit -f`, with SIGXFSZ ignored), so a write
//! past it fails with EFBIG as a write to a full disk fails with ENOSPC.
//! chmod cannot make a file read-only for root, and mounting a tiny
//! filesystem needs privileges a test should not assume.

// The measured counts are this test's report: print them.
#![allow(clippy::print_stdout)]

use crate::fault_helpers::*;
use crate::helpers::TestResult;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

const TIME_SCALE: f64 = 0.02;
/// The largest file the limited process may write: room for the database
/// and some tens of messages in the write-ahead log.
const FILE_SIZE_LIMIT: u64 = 1024 * 1024;
/// Most posts tried before the disk must have filled.
const MAX_POSTS: usize = 2000;

fn options(file_size_limit: Option<u64>) -> AgentOptions {
    AgentOptions {
        time_scale: TIME_SCALE,
        file_size_limit,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_unavailable_keeps_reads_and_loses_nothing_accepted() -> TestResult
{
    let stub = NtfyStub::start(Behaviour::Slow(Duration::ZERO)).await;
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::new();
    let db_path = dir.path().join("rez-agent.db");

    // A first run with room: a few messages delivered, then a clean stop.
    let mut agent = start_agent(dir.path(), &stub.topic_url(), &options(None)).await;
    let mut accepted = Vec::new();
    for i in 0..3 {
        accepted.push(post_message(&client, &agent.base, &format!("before {i}")).await);
    }
    wait_settled(&client, &agent.base, 3, Duration::from_secs(30)).await;
    agent.terminate().await;
    assert!(
        agent
            .wait_exit(Duration::from_secs(10))
            .await
            .is_some_and(|s| s.success())
    );
    let db_size = std::fs::metadata(&db_path)?.len();
    assert!(db_size < FILE_SIZE_LIMIT / 2, "database of {db_size} bytes");

    // The same data dir with a disk that fills up.
    let mut agent = start_agent(
        dir.path(),
        &stub.topic_url(),
        &options(Some(FILE_SIZE_LIMIT)),
    )
    .await;
    let text = "x".repeat(3000);
    let mut refusal: Option<Value> = None;
    let mut refused = 0;
    let mut after_refusal = Vec::new();
    for i in 0..MAX_POSTS {
        let response = client
            .post(format!("{}/api/messages", agent.base))
            .json(&serde_json::json!({"message": format!("{text} {i}")}))
            .send()
            .await?;
        let status = response.status().as_u16();
        let body: Value = response.json().await?;
        if refusal.is_some() {
            after_refusal.push(status);
        }
        match status {
            202 => accepted.push(body["id"].as_str().ok_or("no id")?.to_owned()),
            503 => {
                refused += 1;
                refusal.get_or_insert(body);
            }
            other => panic!("POST answered {other}: {body}"),
        }
        if after_refusal.len() >= 10 {
            break;
        }
    }
    let refusal = refusal.ok_or("the disk never filled")?;
    println!(
        "disk: {} accepted, then 503 {refusal}; answers after it: {after_refusal:?}",
        accepted.len() - 3
    );
    assert_eq!(refusal["error"]["code"], "unavailable", "{refusal}");
    let reason = refusal["error"]["message"].as_str().unwrap_or_default();
    assert!(!reason.is_empty(), "{refusal}");
    // Deliveries run beside the posts and free pages as they finish, so an
    // answer after the first refusal may be a 202 again (kept like any
    // other, as the reads below check); a disk that stays full keeps
    // refusing.
    assert!(
        after_refusal.iter().filter(|s| **s == 503).count() > after_refusal.len() / 2,
        "still full, mostly refused: {after_refusal:?}"
    );

    // Reads still work.
    for id in &accepted {
        let response = client
            .get(format!("{}/api/messages/{id}", agent.base))
            .send()
            .await?;
        assert_eq!(response.status(), 200, "GET {id}");
    }
    let listed = list_all(&client, &agent.base).await?;
    assert!(listed.len() >= accepted.len());
    let health = client
        .get(format!("{}/api/health", agent.base))
        .send()
        .await?;
    println!(
        "disk: while full, GET /api/health answers {}",
        health.status()
    );
    agent.terminate().await;
    let exit = agent.wait_exit(Duration::from_secs(10)).await;
    println!("disk: SIGTERM while full: {exit:?}");
    if exit.is_none() {
        agent.kill9().await;
    }

    // Space is back: everything accepted is there and delivered.
    let agent = start_agent(dir.path(), &stub.topic_url(), &options(None)).await;
    let messages = wait_settled(
        &client,
        &agent.base,
        accepted.len(),
        Duration::from_secs(60),
    )
    .await;
    let ids: HashSet<&str> = messages.iter().filter_map(|m| m["id"].as_str()).collect();
    for id in &accepted {
        assert!(ids.contains(id.as_str()), "accepted {id} was lost");
    }
    let completed = messages
        .iter()
        .filter(|m| m["status"] == "completed")
        .count();
    assert_eq!(completed, messages.len(), "every stored message delivered");
    println!(
        "disk summary: accepted={} refused={refused} stored_after_restart={} completed={completed}",
        accepted.len(),
        messages.len()
    );
    assert!(agent.panics().is_empty(), "{:?}", agent.panics());
    agent.kill9().await;
    Ok(())
}
