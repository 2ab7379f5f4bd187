//! `rez-agent schedules list|add|show|pause|resume|rm`: the schedules
//! people define, through `/api/schedules`.

use std::io::Write;

use chrono::{DateTime, Utc};
use rez_core::schedule::{CreateScheduleRequest, ScheduleState};
use serde_json::json;

use super::output::{Table, View, non_empty, short_time, write_fields, write_json};
use crate::client::{ApiClient, ShownSchedule};

/// A fire time as the tables show it.
fn fire_time(at: &DateTime<Utc>) -> String {
    short_time(&rez_core::time::format(*at))
}

fn state(state: ScheduleState) -> &'static str {
    match state {
        ScheduleState::Enabled => "enabled",
        ScheduleState::Disabled => "paused",
    }
}

/// Prints one page of schedules, newest first: id, state, name,
/// expression, zone and next fire.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn list(
    client: &ApiClient,
    limit: Option<u32>,
    cursor: Option<&str>,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = client.schedules(limit, cursor).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    let mut table = Table::new(&["ID", "STATE", "NAME", "EXPRESSION", "ZONE", "NEXT FIRE"]);
    for shown in &reply.value.items {
        let s = &shown.schedule;
        table.row(vec![
            s.id.to_string(),
            state(s.state).to_owned(),
            super::statemachine::clip(&s.name, 30),
            s.expression.clone(),
            s.timezone.clone(),
            shown
                .next_fire_times
                .first()
                .map(fire_time)
                .unwrap_or_default(),
        ]);
    }
    table.write_page(
        out,
        view.styled,
        "schedules",
        reply.value.next_cursor.as_deref(),
    )?;
    Ok(())
}

/// Prints one schedule's fields and next fire times.
///
/// # Errors
/// The API call failed (an unknown id is a 404), or stdout could not be written.
pub async fn show(
    client: &ApiClient,
    id: &str,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = client.schedule(id).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    write_schedule(out, &reply.value)?;
    Ok(())
}

/// Creates a schedule and prints it.
///
/// # Errors
/// The API refused it (a 400 names the field), or stdout could not be written.
pub async fn add(
    client: &ApiClient,
    request: &CreateScheduleRequest,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = client.create_schedule(request).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    write_schedule(out, &reply.value)?;
    Ok(())
}

/// Pauses (`enabled` false) or resumes a schedule and prints it.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn set_enabled(
    client: &ApiClient,
    id: &str,
    enabled: bool,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let state = if enabled { "ENABLED" } else { "DISABLED" };
    let reply = client
        .update_schedule(id, &json!({ "state": state }))
        .await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    write_schedule(out, &reply.value)?;
    Ok(())
}

/// Deletes a schedule and says so.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn remove(
    client: &ApiClient,
    id: &str,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    client.delete_schedule(id).await?;
    if view.json {
        return Ok(write_json(out, &json!({ "deleted": id }))?);
    }
    writeln!(out, "deleted: schedule {id}")?;
    Ok(())
}

/// Writes a schedule's fields as `label  value` lines.
fn write_schedule(out: &mut dyn Write, shown: &ShownSchedule) -> std::io::Result<()> {
    let s = &shown.schedule;
    let n = &s.notification;
    let next: Vec<String> = shown.next_fire_times.iter().map(fire_time).collect();
    write_fields(
        out,
        &[
            ("id", Some(s.id.to_string())),
            ("name", Some(s.name.clone())),
            ("state", Some(state(s.state).to_owned())),
            ("expression", Some(s.expression.clone())),
            ("zone", Some(s.timezone.clone())),
            ("start", s.start_date.as_ref().map(fire_time)),
            ("end", s.end_date.as_ref().map(fire_time)),
            ("title", n.title.clone()),
            ("message", n.message.clone()),
            ("next fires", non_empty(next.join(", "))),
            (
                "owner",
                (s.owner == rez_core::schedule::ScheduleOwner::Configuration)
                    .then(|| "the deployment's configuration".to_owned()),
            ),
        ],
    )
}
