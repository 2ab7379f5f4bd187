//! `rez-agent executions [--status S --message-id ID --limit N --cursor C]`
//! and `rez-agent executions ID`.

use std::collections::HashMap;
use std::io::Write;

use rez_core::ports::{ExecutionRecord, ExecutionSummary};
use rez_states::HistoryEvent;
use serde_json::Value;

use super::output::{Table, View, short_time, write_fields, write_json};
use super::statemachine::clip;
use crate::client::{ApiClient, ClientError, ExecutionFilter, Reply};

/// Prints one page of executions, newest first: name, status, message id,
/// start, duration, attempts and error.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn list(
    client: &ApiClient,
    filter: &ExecutionFilter,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = client.executions(filter).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    let mut table = Table::new(&[
        "NAME",
        "STATUS",
        "MESSAGE",
        "STARTED",
        "DURATION MS",
        "ATTEMPTS",
        "ERROR",
    ]);
    for e in &reply.value.items {
        table.row(vec![
            e.name.clone(),
            e.status.to_string(),
            e.message_id.clone().unwrap_or_default(),
            short_time(&e.start_date),
            e.duration_ms.map(|d| d.to_string()).unwrap_or_default(),
            e.task_attempts.map(|n| n.to_string()).unwrap_or_default(),
            e.error.clone().unwrap_or_default(),
        ]);
    }
    table.write_page(
        out,
        view.styled,
        "executions",
        reply.value.next_cursor.as_deref(),
    )?;
    Ok(())
}

/// Prints one execution: its summary, its history as a table (id, type,
/// step, resource, started after, timestamp, error) and its error and cause.
/// `id` is the execution ARN or its name (as the list shows it).
///
/// # Errors
/// The API call failed (an unknown execution is a 404), or stdout could not be written.
pub async fn show(
    client: &ApiClient,
    id: &str,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = fetch(client, id).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    let record = &reply.value;
    write_summary(out, &record.summary)?;
    writeln!(out)?;
    history_table(record).write(out, view.styled)?;
    if record.summary.error.is_some() || record.summary.cause.is_some() {
        writeln!(out)?;
        write_fields(
            out,
            &[
                ("error", record.summary.error.clone()),
                ("cause", record.summary.cause.clone()),
            ],
        )?;
    }
    Ok(())
}

/// The execution by ARN; a name (`<message id>-<suffix>`) is looked up
/// among its message's executions first.
async fn fetch(client: &ApiClient, id: &str) -> Result<Reply<ExecutionRecord>, ClientError> {
    if id.starts_with("arn:") {
        return client.execution(id).await;
    }
    let message_id = id
        .get(..36)
        .filter(|m| m.parse::<rez_core::MessageId>().is_ok());
    if let Some(message_id) = message_id {
        let filter = ExecutionFilter {
            message_id: Some(message_id.to_owned()),
            limit: Some(rez_core::ports::MAX_LIST_LIMIT),
            ..ExecutionFilter::default()
        };
        let page = client.executions(&filter).await?;
        if let Some(found) = page.value.items.iter().find(|e| e.name == id) {
            return client.execution(&found.execution_id).await;
        }
    }
    client.execution(id).await
}

fn write_summary(out: &mut dyn Write, s: &ExecutionSummary) -> std::io::Result<()> {
    write_fields(
        out,
        &[
            ("execution", Some(s.execution_id.clone())),
            ("name", Some(s.name.clone())),
            ("status", Some(s.status.to_string())),
            ("message", s.message_id.clone()),
            ("started", Some(short_time(&s.start_date))),
            ("stopped", s.stop_date.as_deref().map(short_time)),
            ("duration", s.duration_ms.map(|d| format!("{d} ms"))),
            ("attempts", s.task_attempts.map(|n| n.to_string())),
        ],
    )
}

/// The history as the AWS console lists it; the step of an event without a
/// state name is the one of the event it follows.
fn history_table(record: &ExecutionRecord) -> Table {
    let events: Vec<HistoryEvent> = record
        .history
        .iter()
        .filter_map(|e| serde_json::from_value(e.clone()).ok())
        .collect();
    let first = events.first().map(|e| e.timestamp);
    let mut steps: HashMap<u64, String> = HashMap::new();
    let mut table = Table::new(&[
        "ID",
        "TYPE",
        "STEP",
        "RESOURCE",
        "STARTED AFTER MS",
        "TIMESTAMP",
        "ERROR",
    ]);
    for event in &events {
        let details = inner_details(&event.details);
        let kind = serde_json::to_value(event.event_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        // Execution events belong to no step, as in the AWS console.
        let step = if kind.starts_with("Execution") {
            String::new()
        } else {
            text(details, "name")
                .or_else(|| steps.get(&event.previous_event_id).cloned())
                .unwrap_or_default()
        };
        steps.insert(event.id, step.clone());
        let after = first.map_or(0, |f| (event.timestamp - f).num_milliseconds());
        table.row(vec![
            event.id.to_string(),
            kind,
            step,
            text(details, "resource").unwrap_or_default(),
            after.to_string(),
            short_time(&rez_core::time::format(event.timestamp)),
            clip(&text(details, "error").unwrap_or_default(), 60),
        ]);
    }
    table
}

/// `{"taskFailedEventDetails": {...}}` → the inner object.
fn inner_details(details: &Value) -> &Value {
    details
        .as_object()
        .and_then(|o| o.values().find(|v| v.is_object()))
        .unwrap_or(&Value::Null)
}

fn text(details: &Value, field: &str) -> Option<String> {
    details
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
}
