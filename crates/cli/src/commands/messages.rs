//! `rez-agent messages [--status S --stage S --limit N --cursor C]` and
//! `rez-agent messages ID`.

use std::io::Write;

use rez_core::Message;

use super::output::{Table, View, non_empty, short_time, write_fields, write_json};
use crate::client::{ApiClient, MessageFilter};

/// Prints one page of messages, newest first: a table (id, status, type,
/// stage, created, attempts, title) and, when there is more, the cursor of
/// the next page.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn list(
    client: &ApiClient,
    filter: &MessageFilter,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = client.messages(filter).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    let mut table = Table::new(&[
        "ID", "STATUS", "TYPE", "STAGE", "CREATED", "ATTEMPTS", "TITLE",
    ]);
    for m in &reply.value.items {
        table.row(vec![
            m.id.to_string(),
            m.status.to_string(),
            m.message_type.to_string(),
            m.stage.to_string(),
            short_time(&rez_core::time::format(m.created_date)),
            m.delivery_attempts.to_string(),
            super::statemachine::clip(m.payload.title.as_deref().unwrap_or_default(), 40),
        ]);
    }
    table.write_page(
        out,
        view.styled,
        "messages",
        reply.value.next_cursor.as_deref(),
    )?;
    Ok(())
}

/// Prints one message's fields.
///
/// # Errors
/// The API call failed (an unknown id is a 404), or stdout could not be written.
pub async fn show(
    client: &ApiClient,
    id: &str,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let reply = client.message(id).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    write_message(out, &reply.value)?;
    Ok(())
}

/// Writes a message's fields as `label  value` lines.
pub(crate) fn write_message(out: &mut dyn Write, m: &Message) -> std::io::Result<()> {
    let p = &m.payload;
    let arguments = (!m.arguments.is_empty())
        .then(|| serde_json::Value::Object(m.arguments.clone()).to_string());
    write_fields(
        out,
        &[
            ("id", Some(m.id.to_string())),
            ("status", Some(m.status.to_string())),
            ("type", Some(m.message_type.to_string())),
            ("stage", Some(m.stage.to_string())),
            (
                "created",
                Some(short_time(&rez_core::time::format(m.created_date))),
            ),
            (
                "updated",
                Some(short_time(&rez_core::time::format(m.updated_date))),
            ),
            ("created by", non_empty(m.created_by.as_str())),
            ("title", p.title.clone()),
            ("message", Some(p.message.clone())),
            ("priority", p.priority.map(|x| x.to_string())),
            ("tags", non_empty(p.tags.join(","))),
            ("click", p.click.clone()),
            ("icon", p.icon.clone()),
            ("markdown", p.markdown.then(|| "yes".to_owned())),
            ("arguments", arguments),
            ("attempts", Some(m.delivery_attempts.to_string())),
            ("retries", Some(m.retry_count.to_string())),
            ("execution", m.execution_id.clone()),
            (
                "delivered",
                m.delivered_at
                    .map(|at| short_time(&rez_core::time::format(at))),
            ),
            (
                "latency",
                m.delivery_latency_ms().map(|ms| format!("{ms} ms")),
            ),
            ("ntfy id", m.ntfy_message_id.clone()),
            ("error", m.error_message.clone()),
        ],
    )
}
