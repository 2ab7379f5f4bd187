//! Moving dead letters back to their queue: receive from the dead-letter
//! queue, SendMessageBatch to the queue with the same body and attributes,
//! DeleteMessageBatch what was sent. The resent record is a new SQS message:
//! a new id and a receive count of zero.
//!
//! Each sweep hides what it receives for [`SWEEP_VISIBILITY_SECONDS`], so
//! one redrive never receives a record twice; records it was not asked to
//! move are made visible again at the end. A redrive that stops half-way
//! (an error, a crash) leaves the rest in the dead-letter queue, visible
//! again within that time; a record sent but not deleted is delivered twice,
//! which the processor, like SQS, allows for.

use std::collections::HashSet;

use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, SendMessageBatchRequestEntry};
use rez_core::StoreError;

use super::dead_letters::{RECEIVE_BATCH, SWEEP_VISIBILITY_SECONDS, SqsDeadLetterQueue};
use crate::error::describe;

/// Most ReceiveMessage calls one redrive makes (so at most 500 records move).
pub const MAX_REDRIVE_RECEIVES: usize = 50;

/// Moves the dead letters named by `ids` (all with `None`) back; returns
/// how many were sent.
pub(super) async fn redrive(
    dlq: &SqsDeadLetterQueue,
    ids: Option<&[String]>,
) -> Result<u64, StoreError> {
    let wanted: Option<HashSet<&str>> = ids.map(|ids| ids.iter().map(String::as_str).collect());
    let mut seen = HashSet::new();
    let mut found = 0;
    let mut moved = 0;
    let mut others = Vec::new();
    let outcome = async {
        for _ in 0..MAX_REDRIVE_RECEIVES {
            let messages = receive(dlq).await?;
            let fresh: Vec<Message> = messages
                .into_iter()
                .filter(|m| m.message_id().is_some_and(|id| seen.insert(id.to_owned())))
                .collect();
            if fresh.is_empty() {
                break;
            }
            let (chosen, rest): (Vec<Message>, Vec<Message>) =
                fresh.into_iter().partition(|m| match &wanted {
                    None => true,
                    Some(wanted) => m.message_id().is_some_and(|id| wanted.contains(id)),
                });
            others.extend(rest.into_iter().filter_map(|m| m.receipt_handle));
            found += chosen.len();
            moved += move_batch(dlq, &chosen).await?;
            if wanted.as_ref().is_some_and(|w| found >= w.len()) {
                break;
            }
        }
        Ok::<_, StoreError>(())
    }
    .await;
    dlq.release(&others).await;
    outcome.map(|()| moved)
}

async fn receive(dlq: &SqsDeadLetterQueue) -> Result<Vec<Message>, StoreError> {
    let answer = dlq
        .client
        .receive_message()
        .queue_url(&dlq.dlq_url)
        .max_number_of_messages(RECEIVE_BATCH)
        .visibility_timeout(SWEEP_VISIBILITY_SECONDS)
        .message_attribute_names("All")
        .send()
        .await
        .map_err(|e| {
            StoreError::Unavailable(format!(
                "ReceiveMessage on {}: {}",
                dlq.dlq_url,
                describe(&e)
            ))
        })?;
    Ok(answer.messages.unwrap_or_default())
}

/// Sends `messages` to the queue and deletes from the dead-letter queue
/// those that were sent; returns how many were sent.
async fn move_batch(dlq: &SqsDeadLetterQueue, messages: &[Message]) -> Result<u64, StoreError> {
    if messages.is_empty() {
        return Ok(0);
    }
    let entries = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(m.body().unwrap_or_default())
                .set_message_attributes(m.message_attributes.clone())
                .build()
                .map_err(|e| StoreError::Corrupt(format!("a dead letter to resend: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sent = dlq
        .client
        .send_message_batch()
        .queue_url(&dlq.queue_url)
        .set_entries(Some(entries))
        .send()
        .await
        .map_err(|e| {
            StoreError::Unavailable(format!(
                "SendMessageBatch on {}: {}",
                dlq.queue_url,
                describe(&e)
            ))
        })?;
    for failed in sent.failed() {
        tracing::warn!(
            entry = failed.id(),
            code = failed.code(),
            reason = failed.message(),
            "a dead letter was not resent; it stays in the dead-letter queue"
        );
    }
    let deletes = sent
        .successful()
        .iter()
        .filter_map(|ok| {
            let message = messages.get(ok.id().parse::<usize>().ok()?)?;
            DeleteMessageBatchRequestEntry::builder()
                .id(ok.id())
                .receipt_handle(message.receipt_handle()?)
                .build()
                .ok()
        })
        .collect::<Vec<_>>();
    let moved = u64::try_from(sent.successful().len()).unwrap_or(u64::MAX);
    if deletes.is_empty() {
        return Ok(moved);
    }
    match dlq
        .client
        .delete_message_batch()
        .queue_url(&dlq.dlq_url)
        .set_entries(Some(deletes))
        .send()
        .await
    {
        Ok(deleted) => {
            for failed in deleted.failed() {
                tracing::warn!(
                    entry = failed.id(),
                    code = failed.code(),
                    "a resent dead letter was not deleted; it will be delivered twice"
                );
            }
        }
        Err(e) => {
            tracing::warn!(error = %describe(&e), "resent dead letters were not deleted; they will be delivered twice");
        }
    }
    Ok(moved)
}
