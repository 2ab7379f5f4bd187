//! `rez-agent dlq list` and `rez-agent dlq redrive [ID…]`.

use std::io::Write;

use super::output::{Table, View, short_time, write_json};
use crate::client::ApiClient;

/// Prints the dead letters (id, message, receives, sent, dead) and the
/// queue's depth.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn list(client: &ApiClient, out: &mut dyn Write, view: View) -> anyhow::Result<()> {
    let reply = client.dead_letters().await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    let letters = &reply.value;
    let mut table = Table::new(&["ID", "MESSAGE", "RECEIVES", "SENT", "DEAD SINCE"]);
    for d in &letters.items {
        table.row(vec![
            d.id.clone(),
            d.message_id.clone().unwrap_or_default(),
            d.receive_count.to_string(),
            short_time(&d.sent_at),
            short_time(&d.dead_at),
        ]);
    }
    table.write_page(out, view.styled, "dead letters", None)?;
    let depth = letters.depth;
    writeln!(
        out,
        "queue: {} visible, {} in flight, {} dead",
        depth.visible, depth.in_flight, depth.dead
    )?;
    Ok(())
}

/// Moves the given dead letters (all when `ids` is empty) back to the queue
/// and prints how many went.
///
/// # Errors
/// The API call failed, or stdout could not be written.
pub async fn redrive(
    client: &ApiClient,
    ids: &[String],
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let ids = (!ids.is_empty()).then(|| ids.to_vec());
    let reply = client.redrive(ids).await?;
    if view.json {
        return Ok(write_json(out, &reply.json)?);
    }
    let n = reply.value.redriven;
    let noun = if n == 1 { "record" } else { "records" };
    writeln!(out, "redriven: {n} {noun} back to the queue")?;
    Ok(())
}
