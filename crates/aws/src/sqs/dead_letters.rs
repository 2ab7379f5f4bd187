//! [`SqsDeadLetterQueue`]: the [`DeadLetterQueue`](rez_core::ports::DeadLetterQueue) port on an SQS queue and
//! its dead-letter queue.
//!
//! SQS has no way to read a queue without receiving from it, so listing
//! *sweeps*: each ReceiveMessage hides what it returns for
//! [`SWEEP_VISIBILITY_SECONDS`], so that the next call returns other
//! records (a call that left them visible could return the same ten again
//! and again, and the rest would never be seen), and once the listing is
//! done it makes every record it saw visible again at once. A listing that
//! cannot do that leaves them hidden for those seconds at most. Each
//! receive raises a record's `ApproximateReceiveCount` by one (as the
//! console's "poll for messages" does). SQS keeps a record's original
//! `SentTimestamp` when it moves it to the dead-letter queue and records no
//! time of the move, so an entry's `dead_at` is its `sent_at`.

use std::collections::HashSet;

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, Message, MessageSystemAttributeName,
    QueueAttributeName,
};
use chrono::DateTime;
use rez_core::StoreError;
use rez_core::ports::{DeadLetterEntry, QueueCounts};

use super::body::message_id_of;
use crate::error::describe;

/// Most records one ReceiveMessage returns (SQS's limit).
pub(super) const RECEIVE_BATCH: i32 = 10;
/// How long a sweep hides the dead letters it receives, in seconds.
pub const SWEEP_VISIBILITY_SECONDS: i32 = 30;
/// Most ReceiveMessage calls one listing makes.
pub const MAX_LIST_CALLS: usize = 20;
/// Most dead letters one listing returns.
pub const MAX_LISTED: usize = 200;

/// The dead letters of one queue, and the way back into it.
#[derive(Debug, Clone)]
pub struct SqsDeadLetterQueue {
    pub(super) client: aws_sdk_sqs::Client,
    pub(super) queue_url: String,
    pub(super) dlq_url: String,
}

impl SqsDeadLetterQueue {
    /// The dead-letter queue at `dlq_url` of the queue at `queue_url`, the
    /// queue a redrive sends records back to.
    pub fn new(
        client: aws_sdk_sqs::Client,
        queue_url: impl Into<String>,
        dlq_url: impl Into<String>,
    ) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
            dlq_url: dlq_url.into(),
        }
    }

    /// Both queues' depth: the main queue's visible and in-flight records,
    /// and every record of the dead-letter queue.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when GetQueueAttributes fails,
    /// [`StoreError::Corrupt`] when its answer lacks a count.
    pub async fn depth(&self) -> Result<QueueCounts, StoreError> {
        let (visible, in_flight) = self.counts(&self.queue_url).await?;
        let (dead_visible, dead_hidden) = self.counts(&self.dlq_url).await?;
        Ok(QueueCounts {
            visible,
            in_flight,
            dead: dead_visible + dead_hidden,
        })
    }

    /// ApproximateNumberOfMessages and …NotVisible of the queue at `url`.
    async fn counts(&self, url: &str) -> Result<(u64, u64), StoreError> {
        let answer = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| {
                StoreError::Unavailable(format!("GetQueueAttributes on {url}: {}", describe(&e)))
            })?;
        let count = |name: QueueAttributeName| -> Result<u64, StoreError> {
            answer
                .attributes()
                .and_then(|a| a.get(&name))
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("GetQueueAttributes on {url}: no count {name}"))
                })
        };
        Ok((
            count(QueueAttributeName::ApproximateNumberOfMessages)?,
            count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
        ))
    }

    /// Sweeps the dead letters (at most [`MAX_LISTED`], in at most
    /// [`MAX_LIST_CALLS`] calls) until a call brings no record not seen
    /// yet, then makes them visible again.
    pub(super) async fn peek(&self) -> Result<Vec<DeadLetterEntry>, StoreError> {
        let mut receipt_handles = Vec::new();
        let swept = self.sweep(&mut receipt_handles).await;
        self.release(&receipt_handles).await;
        let mut items = swept?;
        items.truncate(MAX_LISTED);
        items.sort_by(|a, b| (&a.sent_at, &a.id).cmp(&(&b.sent_at, &b.id)));
        Ok(items)
    }

    /// The receiving part of [`Self::peek`]: every record it hid goes into
    /// `receipt_handles`, also when a call fails.
    async fn sweep(
        &self,
        receipt_handles: &mut Vec<String>,
    ) -> Result<Vec<DeadLetterEntry>, StoreError> {
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for _ in 0..MAX_LIST_CALLS {
            let answer = self
                .client
                .receive_message()
                .queue_url(&self.dlq_url)
                .max_number_of_messages(RECEIVE_BATCH)
                .visibility_timeout(SWEEP_VISIBILITY_SECONDS)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .map_err(|e| {
                    StoreError::Unavailable(format!(
                        "ReceiveMessage on {}: {}",
                        self.dlq_url,
                        describe(&e)
                    ))
                })?;
            let mut fresh = 0;
            receipt_handles.extend(
                answer
                    .messages()
                    .iter()
                    .filter_map(|m| m.receipt_handle().map(str::to_owned)),
            );
            for message in answer.messages() {
                let Some(id) = message.message_id() else {
                    continue;
                };
                if seen.insert(id.to_owned()) {
                    fresh += 1;
                    items.push(entry(message)?);
                }
            }
            if fresh == 0 || items.len() >= MAX_LISTED {
                break;
            }
        }
        Ok(items)
    }
}

/// A system attribute of `message` as a whole number.
fn number(message: &Message, name: MessageSystemAttributeName) -> Option<i64> {
    message.attributes()?.get(&name)?.parse().ok()
}

/// The port's view of one dead letter.
fn entry(message: &Message) -> Result<DeadLetterEntry, StoreError> {
    let id = message.message_id().unwrap_or_default().to_owned();
    let sent_at = number(message, MessageSystemAttributeName::SentTimestamp)
        .and_then(DateTime::from_timestamp_millis)
        .map(rez_core::time::format)
        .ok_or_else(|| {
            StoreError::Corrupt(format!("dead letter {id} has no readable SentTimestamp"))
        })?;
    let receive_count = number(message, MessageSystemAttributeName::ApproximateReceiveCount)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    let body = message.body().unwrap_or_default().to_owned();
    Ok(DeadLetterEntry {
        message_id: message_id_of(&body),
        id,
        body,
        receive_count,
        dead_at: sent_at.clone(),
        sent_at,
    })
}

impl SqsDeadLetterQueue {
    /// Makes the dead letters a sweep received (a listing's, or the ones a
    /// redrive was not asked to move) visible again at once (otherwise they come
    /// back after the sweep's visibility).
    pub(super) async fn release(&self, receipt_handles: &[String]) {
        for chunk in receipt_handles.chunks(10) {
            let entries: Vec<ChangeMessageVisibilityBatchRequestEntry> = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, handle)| {
                    ChangeMessageVisibilityBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(handle)
                        .visibility_timeout(0)
                        .build()
                        .ok()
                })
                .collect();
            if let Err(e) = self
                .client
                .change_message_visibility_batch()
                .queue_url(&self.dlq_url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                tracing::warn!(error = %describe(&e), "dead letters left hidden; they are listed again within {SWEEP_VISIBILITY_SECONDS} s");
            }
        }
    }
}
