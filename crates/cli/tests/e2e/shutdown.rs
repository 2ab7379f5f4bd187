//! SIGTERM while deliveries are in flight: the process exits 0 within a
//! bound, and after a restart every message is delivered exactly once.
//!
//! The bound: executions in flight get the processor's shutdown grace
//! (`SHUTDOWN_GRACE`, 25 s, scaled like every wait) to finish; those still
//! running then are dropped and their queue records made visible again.
//! So the process exits within the grace plus a few queue writes, whatever
//! ntfy does.

// The measured counts and durations are this test's report: print them.
#![allow(clippy::print_stdout)]

use crate::fault_helpers::*;
use crate::helpers::{TestResult, eventually};
use rez_local::stack::processor_loop::SHUTDOWN_GRACE;
use rez_sqlite::{Database, SqliteQueue};
use std::time::{Duration, Instant};

/// The ntfy timeout becomes 2 s, the task timeout 3 s, the grace 5 s.
const TIME_SCALE: f64 = 0.2;
/// What the bound allows beyond the grace: the HTTP server's and the
/// database's last work on a busy 2-core machine.
const MARGIN: Duration = Duration::from_secs(3);

fn grace() -> Duration {
    SHUTDOWN_GRACE.mul_f64(TIME_SCALE)
}

fn options() -> AgentOptions {
    AgentOptions {
        time_scale: TIME_SCALE,
        file_size_limit: None,
    }
}

/// Sends SIGTERM and waits at most the grace and margin for the exit: its
/// status and how long it took.
async fn terminate_within_bound(
    agent: &mut Agent,
) -> Result<(std::process::ExitStatus, Duration), &'static str> {
    let signalled = Instant::now();
    agent.terminate().await;
    let exit = agent
        .wait_exit(grace() + MARGIN)
        .await
        .ok_or("rez-agent did not exit within the grace and margin")?;
    Ok((exit, signalled.elapsed()))
}

/// Waits until the stub holds at least `n` unanswered publishes.
async fn wait_in_flight(stub: &NtfyStub, n: u64) {
    eventually(Duration::from_millis(10), async || match stub.in_flight() {
        held if held >= n => Ok(()),
        held => Err(format!("only {held} publishes in flight")),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_slow_deliveries_lets_them_finish_exits_0_and_loses_nothing() -> TestResult {
    // ntfy answers each publish after 1 s (its client waits 2 s).
    let stub = NtfyStub::start(Behaviour::Slow(Duration::from_secs(1))).await;
    let dir = tempfile::tempdir()?;
    let mut agent = start_agent(dir.path(), &stub.topic_url(), &options()).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(post_message(&client, &agent.base, &format!("slow {i}")).await);
    }
    wait_in_flight(&stub, 10).await;
    let in_flight = stub.in_flight();

    let (exit, took) = terminate_within_bound(&mut agent).await?;
    println!(
        "shutdown: SIGTERM with {in_flight} publishes in flight, exit {exit} after {:.2} s (bound {:.1} s)",
        took.as_secs_f64(),
        (grace() + MARGIN).as_secs_f64()
    );
    assert!(exit.success(), "exit code 0: {exit}");
    assert!(agent.panics().is_empty(), "{:?}", agent.panics());
    // The publishes in flight were answered within 1 s, so they finished
    // rather than being abandoned.
    assert!(took < grace(), "finished well inside the grace: {took:?}");
    let delivered_before_restart = accepted_publishes(&stub).len();
    assert!(delivered_before_restart as u64 >= in_flight);

    stub.set_behaviour(Behaviour::Slow(Duration::ZERO));
    let agent = start_agent(dir.path(), &stub.topic_url(), &options()).await;
    let messages = wait_settled(&client, &agent.base, ids.len(), Duration::from_secs(60)).await;
    assert_eq!(messages.len(), ids.len());
    assert!(messages.iter().all(|m| m["status"] == "completed"));
    let publishes = accepted_publishes(&stub);
    for id in &ids {
        assert_eq!(publishes.get(id), Some(&1), "{id} delivered exactly once");
    }
    assert_eq!(
        stub.publishes().len(),
        ids.len(),
        "no publish beyond one each"
    );
    println!(
        "shutdown: {} of {} delivered before the exit, the rest after the restart, each exactly once",
        delivered_before_restart,
        ids.len()
    );
    agent.kill9().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_ntfy_hangs_releases_the_records_after_the_grace_and_exits_0() -> TestResult {
    // ntfy never answers in time: every attempt times out and is retried,
    // so the executions would run on for about 10 s, twice the grace.
    let stub = NtfyStub::start(Behaviour::Hang(Duration::from_secs(120))).await;
    let dir = tempfile::tempdir()?;
    let mut agent = start_agent(dir.path(), &stub.topic_url(), &options()).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(post_message(&client, &agent.base, &format!("hung {i}")).await);
    }
    wait_in_flight(&stub, 5).await;

    let (exit, took) = terminate_within_bound(&mut agent).await?;
    println!(
        "shutdown: SIGTERM with 5 executions stuck on ntfy, exit {exit} after {:.2} s (grace {:.1} s, bound {:.1} s)",
        took.as_secs_f64(),
        grace().as_secs_f64(),
        (grace() + MARGIN).as_secs_f64()
    );
    assert!(exit.success(), "exit code 0: {exit}");
    assert!(took >= grace(), "the executions had their grace: {took:?}");

    // Their records were released on the way out: visible, none in flight.
    let db = Database::open(&dir.path().join("rez-agent.db"))?;
    let depth = SqliteQueue::new(db, 3).depth().await?;
    assert_eq!((depth.visible, depth.in_flight), (5, 0), "{depth:?}");

    stub.set_behaviour(Behaviour::Slow(Duration::ZERO));
    let agent = start_agent(dir.path(), &stub.topic_url(), &options()).await;
    let messages = wait_settled(&client, &agent.base, ids.len(), Duration::from_secs(60)).await;
    assert!(
        messages.iter().all(|m| m["status"] == "completed"),
        "{messages:?}"
    );
    let publishes = accepted_publishes(&stub);
    for id in &ids {
        assert_eq!(publishes.get(id), Some(&1), "{id} delivered exactly once");
    }
    // The executions dropped at the end of the grace read ABORTED (as many as
    // ran at once: the processor runs at most 4 batches), none RUNNING.
    let executions = |status: &'static str| {
        let url = format!("{}/api/executions?status={status}", agent.base);
        let client = client.clone();
        async move {
            let page: serde_json::Value = client.get(url).send().await?.json().await?;
            Ok::<_, reqwest::Error>(page["items"].as_array().cloned().unwrap_or_default())
        }
    };
    // (The new executions record SUCCEEDED just after their messages read completed.)
    tokio::time::timeout(Duration::from_secs(10), async {
        while !executions("RUNNING").await?.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok::<_, reqwest::Error>(())
    })
    .await
    .map_err(|_| "an execution stayed RUNNING")??;
    let aborted = executions("ABORTED").await?;
    assert!(!aborted.is_empty());
    assert!(
        aborted
            .iter()
            .all(|e| e["error"] == "RezAgent.ProcessStopped" && e["stop_date"].is_string()),
        "{aborted:?}"
    );
    agent.kill9().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_bounds_a_step_functions_execution_in_flight_by_the_same_grace() -> TestResult {
    // A StartSyncExecution whose ntfy never answers would run to the
    // definition's 240 s (48 s at this scale), holding its HTTP request open.
    let stub = NtfyStub::start(Behaviour::Hang(Duration::from_secs(120))).await;
    let dir = tempfile::tempdir()?;
    let mut agent = start_agent(dir.path(), &stub.topic_url(), &options()).await;
    let client = reqwest::Client::new();
    let id = post_message(&client, &agent.base, "hung twice").await;
    let sync = tokio::spawn({
        let client = client.clone();
        let base = agent.base.clone();
        async move {
            client
                .post(format!("{base}/"))
                .header("content-type", "application/x-amz-json-1.0")
                .header("x-amz-target", "AWSStepFunctions.StartSyncExecution")
                .body(
                    serde_json::json!({
                        "stateMachineArn": rez_local::workflow::STATE_MACHINE_ARN,
                        "input": serde_json::json!({"message_id": id}).to_string(),
                    })
                    .to_string(),
                )
                .send()
                .await
        }
    });
    // The processor's execution and the synchronous one both wait on ntfy.
    wait_in_flight(&stub, 2).await;

    let (exit, took) = terminate_within_bound(&mut agent).await?;
    println!(
        "shutdown: SIGTERM with a StartSyncExecution stuck on ntfy, exit {exit} after {:.2} s (bound {:.1} s)",
        took.as_secs_f64(),
        (grace() + MARGIN).as_secs_f64()
    );
    assert!(exit.success(), "exit code 0: {exit}");
    assert!(agent.panics().is_empty(), "{:?}", agent.panics());
    // The client's request ended with the process, one way or another.
    tokio::time::timeout(Duration::from_secs(5), sync)
        .await??
        .ok();
    Ok(())
}
