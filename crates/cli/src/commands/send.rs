//! `rez-agent send TEXT [--title … --priority … --tags … --click …] [--wait]`.

use std::io::Write;
use std::time::{Duration, Instant};

use rez_core::{CreateMessageRequest, Message, Status};

use super::messages::write_message;
use super::output::{View, write_fields, write_json};
use super::progress::Progress;
use crate::client::ApiClient;

/// How often `--wait` asks for the message.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What to send and whether to follow it.
#[derive(Debug, Clone)]
pub struct SendRequest {
    /// The body of `POST /api/messages`.
    pub message: CreateMessageRequest,
    /// Sent as `Idempotency-Key`: sending again with the same key answers
    /// with the message sent the first time.
    pub idempotency_key: Option<String>,
    /// Follow the message until it is completed or failed.
    pub wait: bool,
    /// How long `wait` may take.
    pub timeout: Duration,
}

/// Sends the message and prints its id and status; with `wait`, follows it
/// (a spinner on stderr when that is a terminal) and prints where it ended.
///
/// # Errors
/// The API refused the message or could not be reached; with `wait`, the
/// message failed or was not final within the timeout.
pub async fn send(
    client: &ApiClient,
    request: &SendRequest,
    out: &mut dyn Write,
    view: View,
) -> anyhow::Result<()> {
    let created = client
        .create_message(&request.message, request.idempotency_key.as_deref())
        .await?;
    if !request.wait {
        if view.json {
            write_json(out, &created.json)?;
        } else {
            write_fields(
                out,
                &[
                    ("id", Some(created.value.id.to_string())),
                    ("status", Some(created.value.status.to_string())),
                ],
            )?;
        }
        return Ok(());
    }
    let id = created.value.id.to_string();
    let (message, json) = follow(client, created.value, created.json, request.timeout).await?;
    if view.json {
        write_json(out, &json)?;
    } else {
        write_message(out, &message)?;
    }
    match message.status {
        Status::Completed => Ok(()),
        Status::Failed => anyhow::bail!(
            "message {id} failed: {}",
            message
                .error_message
                .as_deref()
                .unwrap_or("no reason recorded")
        ),
        Status::Deferred => anyhow::bail!(
            "message {id} is deferred: {}",
            message
                .error_message
                .as_deref()
                .unwrap_or("no reason recorded")
        ),
        status => anyhow::bail!(
            "message {id} is still {status} after {} s (--timeout)",
            request.timeout.as_secs_f64()
        ),
    }
}

/// Polls the message until it is final or deferred (a wait of hours), or
/// `timeout` has passed; returns the last answer.
async fn follow(
    client: &ApiClient,
    mut message: Message,
    mut json: serde_json::Value,
    timeout: Duration,
) -> anyhow::Result<(Message, serde_json::Value)> {
    let started = Instant::now();
    let mut progress = Progress::on_stderr();
    let waiting = |status: Status| !status.is_final() && status != Status::Deferred;
    while waiting(message.status) && started.elapsed() < timeout {
        progress.update(&format!("message {}: {}", message.id, message.status));
        tokio::time::sleep(POLL_INTERVAL.min(timeout.saturating_sub(started.elapsed()))).await;
        let reply = client.message(message.id.as_str()).await?;
        message = reply.value;
        json = reply.json;
    }
    progress.finish();
    Ok((message, json))
}
