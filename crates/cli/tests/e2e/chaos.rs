//! Chaos: N messages through the real binary while ntfy fails at random and
//! the process is SIGKILLed twice; nothing is lost, nothing stuck, nothing
//! delivered again after its delivery was recorded.
//!
//! `REZ_CHAOS_MESSAGES` sets N (1000 here, 10 000 in `make chaos`);
//! `REZ_CHAOS_SEED` repeats a run's ntfy answers (the seed is printed).

// The measured counts and durations are this test's report: print them.
#![allow(clippy::print_stdout)]

use crate::fault_helpers::*;
use crate::helpers::TestResult;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// 2 s retry intervals become 40 ms, the 15 s task timeout 0.3 s, ntfy's
/// 10 s timeout 0.2 s, the 300 s visibility timeout 6 s.
const TIME_SCALE: f64 = 0.02;
/// A hang lasts far past the task timeout (0.3 s at this scale).
const HANG: Duration = Duration::from_secs(2);
/// Posts in flight at once.
const POSTERS: usize = 16;
/// SIGKILLs during the run.
const KILLS: usize = 2;

fn message_count() -> usize {
    std::env::var("REZ_CHAOS_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn seed() -> u64 {
    std::env::var("REZ_CHAOS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random)
}

/// Posts message `i` (idempotency key `chaos-i`) until an answer carries its
/// id, riding out kills and restarts; at most 600 tries and 120 s.
async fn post_until_accepted(
    client: &reqwest::Client,
    base: &RwLock<String>,
    i: usize,
    last_error: &Mutex<String>,
) -> Result<String, String> {
    let started = Instant::now();
    let mut last = String::new();
    for _ in 0..600 {
        if started.elapsed() > Duration::from_secs(120) {
            break;
        }
        let url = format!("{}/api/messages", base.read().unwrap());
        let sent = client
            .post(url)
            .header("Idempotency-Key", format!("chaos-{i}"))
            .json(&json!({
                "message": format!("chaos {i}"),
                "title": "chaos",
                "tags": ["test"],
                "created_by": "chaos-test"
            }))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match sent {
            // A kill can cut the answer off after its status: post again
            // (the idempotency key answers with the same message).
            Ok(response) if response.status().is_success() => {
                match response.json::<Value>().await {
                    Ok(body) => {
                        return body["id"]
                            .as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("no id in {body}"));
                    }
                    Err(e) => last = format!("answer cut off: {e:?}"),
                }
            }
            Ok(response) => {
                let status = response.status();
                last = format!("{status} {}", response.text().await.unwrap_or_default());
            }
            Err(e) => last = format!("{e:?}"),
        }
        last_error.lock().unwrap().clone_from(&last);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err(format!("message {i} never accepted: {last}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_random_ntfy_failures_and_two_sigkills_every_message_ends_final_and_none_is_sent_after_completion()
-> TestResult {
    let n = message_count();
    let seed = seed();
    println!("chaos: {n} messages, seed {seed} (REZ_CHAOS_SEED={seed} repeats the stub's answers)");
    let started = Instant::now();
    // Bounded: 5 min for 1000 messages, scaled with N.
    let deadline = started + Duration::from_secs(60) + Duration::from_millis(250 * n as u64);
    let stub = NtfyStub::start(Behaviour::Chaos { seed, hang: HANG }).await;
    let dir = tempfile::tempdir()?;
    let options = AgentOptions {
        time_scale: TIME_SCALE,
        file_size_limit: None,
    };
    let mut agent = start_agent(dir.path(), &stub.topic_url(), &options).await;
    let base = Arc::new(RwLock::new(agent.base.clone()));
    let client = reqwest::Client::new();
    let accepted: Arc<Mutex<HashMap<usize, String>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let last_error: Arc<Mutex<String>> = Arc::default();

    let mut posters = Vec::new();
    for _ in 0..POSTERS {
        let (client, base, accepted, next, last_error) = (
            client.clone(),
            base.clone(),
            accepted.clone(),
            next.clone(),
            last_error.clone(),
        );
        posters.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    return Ok::<(), String>(());
                }
                let id = post_until_accepted(&client, &base, i, &last_error).await?;
                accepted.lock().unwrap().insert(i, id);
            }
        }));
    }

    // Two SIGKILLs: when a third, then two thirds, of the messages are accepted.
    let mut panics = Vec::new();
    for kill in 1..=KILLS {
        let target = n * kill / (KILLS + 1);
        while accepted.lock().unwrap().len() < target {
            if Instant::now() >= deadline {
                panic!(
                    "posting stalled before kill {kill}: {} accepted; rez-agent exited: {:?}; \
                     panics: {:?}; last post error: {}\nits last log lines:\n{}",
                    accepted.lock().unwrap().len(),
                    agent.exited(),
                    agent.panics(),
                    last_error.lock().unwrap(),
                    agent.log_tail().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let in_flight = stub.in_flight();
        panics.extend(agent.kill9().await);
        println!(
            "chaos: SIGKILL {kill} at {:.1} s, {} accepted, {in_flight} publishes in flight",
            started.elapsed().as_secs_f64(),
            accepted.lock().unwrap().len()
        );
        agent = start_agent(dir.path(), &stub.topic_url(), &options).await;
        *base.write().unwrap() = agent.base.clone();
    }
    for poster in posters {
        poster.await??;
    }
    let posted_in = started.elapsed();

    // Wait until every message is final and the queue is drained.
    let base_url = agent.base.clone();
    let mut messages;
    loop {
        messages = list_all(&client, &base_url).await?;
        let (visible, in_flight, _) = queue_depth(&client, &base_url).await?;
        let open = messages.iter().filter(|m| !is_final(m)).count();
        if open == 0 && visible == 0 && in_flight == 0 && messages.len() >= n {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not settled in time: {open} messages not final, queue visible {visible}, in flight {in_flight}\n\
             its last log lines:\n{}",
            agent.log_tail().join("\n")
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let settled_in = started.elapsed();
    // Every execution record is closed: the ones the kills interrupted read
    // ABORTED, and the last ones end a moment after their message settled.
    loop {
        let running: Value = client
            .get(format!("{base_url}/api/executions?status=RUNNING&limit=10"))
            .send()
            .await?
            .json()
            .await?;
        let open = running["items"].as_array().map_or(0, Vec::len);
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} execution records still RUNNING after every message settled: {running}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, _, dead) = queue_depth(&client, &base_url).await?;
    agent.terminate().await;
    let exit = agent.wait_exit(Duration::from_secs(30)).await;
    panics.extend(agent.panics());

    // None lost, none duplicated: exactly the accepted messages exist.
    let accepted = accepted.lock().unwrap().clone();
    let by_id: HashMap<String, &Value> = messages
        .iter()
        .map(|m| (m["id"].as_str().unwrap_or_default().to_owned(), m))
        .collect();
    let accepted_ids: HashSet<&String> = accepted.values().collect();
    assert_eq!(accepted.len(), n, "every post was accepted");
    let lost: Vec<_> = accepted_ids
        .iter()
        .filter(|id| !by_id.contains_key(id.as_str()))
        .collect();
    assert!(lost.is_empty(), "accepted but lost: {lost:?}");
    assert_eq!(by_id.len(), n, "no message beyond the accepted ones");

    // Every message final; a failure says why.
    let mut completed = 0;
    let mut failed = 0;
    for message in by_id.values() {
        match message["status"].as_str() {
            Some("completed") => completed += 1,
            Some("failed") => {
                failed += 1;
                assert!(
                    message["error_message"]
                        .as_str()
                        .is_some_and(|e| !e.is_empty()),
                    "failed without a reason: {message}"
                );
            }
            _ => panic!("not final: {message}"),
        }
    }

    // Every publish names a known message; none after its completion was recorded.
    let publishes = stub.publishes();
    let mut unknown = 0;
    let mut after_completion = Vec::new();
    let mut accepted_before: HashMap<&str, usize> = HashMap::new();
    for publish in &publishes {
        let Some(message) = by_id.get(&publish.sequence_id) else {
            unknown += 1;
            continue;
        };
        if message["status"] == "completed" {
            let recorded: DateTime<Utc> = updated_date(message);
            if publish.at > recorded {
                after_completion.push((publish.sequence_id.clone(), publish.at, recorded));
            } else if publish.answer == Answer::Accepted {
                *accepted_before.entry(&publish.sequence_id).or_default() += 1;
            }
        }
    }
    let duplicates_before: usize = accepted_before.values().map(|c| c.saturating_sub(1)).sum();
    println!(
        "chaos summary: seed={seed} messages={n} accepted={} completed={completed} failed={failed} \
         publishes={} duplicate_publishes_before_completion={duplicates_before} \
         publishes_after_completion={} unknown_publishes={unknown} dead_letters={dead} kills={KILLS} \
         panics={} posted_in={:.1}s settled_in={:.1}s",
        accepted.len(),
        publishes.len(),
        after_completion.len(),
        panics.len(),
        posted_in.as_secs_f64(),
        settled_in.as_secs_f64(),
    );
    assert_eq!(unknown, 0, "publishes for unknown messages");
    assert!(
        after_completion.is_empty(),
        "published after completion was recorded: {after_completion:?}"
    );
    assert!(panics.is_empty(), "the process panicked: {panics:?}");
    assert!(
        exit.is_some_and(|s| s.success()),
        "SIGTERM at the end exits 0: {exit:?}"
    );
    Ok(())
}
