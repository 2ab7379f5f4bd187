//! What one delivered message costs in the counts the cost model prices:
//! DynamoDB write request units (the edge's write meter, by DynamoDB's
//! sizing rules) and log bytes (the state machine's log group and the
//! functions' own lines), measured on the deployment and compared with
//! `infrastructure/cost/measured.json`, which the model reads.

// The measured figures are printed for whoever updates measured.json.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{
    eventually, no_execution_running, recorded_executions, send, settled, start_metered,
};

/// Messages sent; the figures are per message.
const MESSAGES: usize = 10;

/// The committed figures the cost model reads.
fn committed() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infrastructure/cost/measured.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("measured.json is JSON")
}

/// The state machine's log group read once: the bytes of every event, and
/// how many executions' last events (`ExecutionSucceeded`) are among them.
async fn log_group_bytes_and_successes(
    local: &rez_aws_local::AwsLocal,
    group: &str,
) -> (usize, usize) {
    let (mut bytes, mut successes) = (0, 0);
    let mut token: Option<String> = None;
    loop {
        let page = local
            .clients()
            .logs
            .filter_log_events()
            .log_group_name(group)
            .set_next_token(token.take())
            .send()
            .await
            .expect("FilterLogEvents");
        for message in page.events().iter().filter_map(|e| e.message()) {
            bytes += message.len();
            successes += usize::from(message.contains(r#""type":"ExecutionSucceeded""#));
        }
        match page.next_token() {
            Some(next) => token = Some(next.to_owned()),
            None => return (bytes, successes),
        }
    }
}

/// Bytes the functions wrote to their logs.
fn function_log_bytes(local: &rez_aws_local::AwsLocal) -> usize {
    std::fs::read_dir(local.log_dir())
        .expect("the log directory")
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok())
        .map(|meta| usize::try_from(meta.len()).unwrap_or(usize::MAX))
        .sum()
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn one_delivered_message_costs_the_write_units_and_log_bytes_the_cost_model_reads() {
    let local = start_metered().await;
    let logs_at_start = function_log_bytes(&local);
    // One at a time, each settled before the next is sent: concurrent
    // messages contend for the counters items and retry their
    // transactions, which would make the count vary from run to run.
    for n in 0..MESSAGES {
        // A notification of a typical size: a title and a sentence.
        let (status, sent) = send(
            &local,
            &json!({"title": "Backup finished", "message": format!("The nightly backup {n:02} of db-1 finished in 4 min 12 s.")}),
        )
        .await;
        assert_eq!(status, 202, "{sent}");
        let id = sent["id"].as_str().expect("an id");
        assert_eq!(settled(&local, id).await.status.as_str(), "completed");
        assert_eq!(recorded_executions(&local, id).await.len(), 1);
    }
    no_execution_running(&local).await;
    let group = local
        .declared()
        .state_machine()
        .expect("one state machine")
        .log_group
        .clone()
        .expect("the machine logs");
    // Express logs arrive after the answer: wait for every execution's last event.
    let state_machine_bytes = eventually("every execution's logs", || async {
        let (bytes, successes) = log_group_bytes_and_successes(&local, &group).await;
        (successes >= MESSAGES).then_some(bytes)
    })
    .await;

    // The execution is recorded after StartSyncExecution answered; the
    // processor then deletes the record: both are done once the queue is
    // empty and every execution recorded.
    let answer: Value = reqwest::get(format!(
        "{}/_aws-local/dynamodb/write-units",
        local.edge_url()
    ))
    .await
    .expect("the meter answers")
    .json()
    .await
    .expect("JSON");
    let table = &answer[&local.declared().table.name];
    let units = table["table_units"].as_u64().expect("table units")
        + table["index_units"].as_u64().expect("index units");
    let per_message = |total: u64| total as f64 / MESSAGES as f64;
    let measured = json!({
        "writeUnitsPerMessage": per_message(units),
        "tableWriteUnitsPerMessage": per_message(table["table_units"].as_u64().unwrap_or(0)),
        "indexWriteUnitsPerMessage": per_message(table["index_units"].as_u64().unwrap_or(0)),
        "writesPerMessage": per_message(table["writes"].as_u64().unwrap_or(0)),
        "stateMachineLogBytesPerMessage": (state_machine_bytes / MESSAGES),
        "functionLogBytesPerMessage": (function_log_bytes(&local) - logs_at_start) / MESSAGES,
    });
    println!(
        "measured: {measured:#}\nwrites by operation: {}",
        table["writes_by_operation"]
    );

    // The write units vary a little from run to run (a conditional write
    // that loses a race, and is billed all the same, now and then): a tenth
    // either side. Log lines vary by a few bytes (durations, ids), and their
    // number with the retries: a quarter either side.
    let committed = committed();
    for (key, tolerance) in [
        ("writeUnitsPerMessage", 0.10),
        ("tableWriteUnitsPerMessage", 0.10),
        ("indexWriteUnitsPerMessage", 0.10),
        ("writesPerMessage", 0.10),
        ("stateMachineLogBytesPerMessage", 0.25),
        ("functionLogBytesPerMessage", 0.25),
    ] {
        let (m, c) = (measured[key].as_f64(), committed[key].as_f64());
        assert!(
            m.zip(c)
                .is_some_and(|(m, c)| (m - c).abs() <= c * tolerance),
            "{key}: measured {m:?}, infrastructure/cost/measured.json says {c:?} (update it: {measured})"
        );
    }
    local.shutdown().await;
}
