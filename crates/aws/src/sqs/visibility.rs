//! [`SqsRedelivery`]: the [`RedeliveryScheduler`] on an SQS queue, and the
//! queue's visibility timeout that caps its waits.

use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use rez_core::ports::{RedeliveryError, RedeliveryScheduler};

use crate::error::{SqsError, describe};

/// The longest visibility SQS accepts: 12 hours, in seconds.
pub const MAX_VISIBILITY_SECONDS: i32 = 43_200;

/// Hides received records of one queue with `ChangeMessageVisibility`.
#[derive(Debug, Clone)]
pub struct SqsRedelivery {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsRedelivery {
    /// Acts on the queue at `queue_url`.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

/// Whole seconds of `delay`, at most [`MAX_VISIBILITY_SECONDS`].
fn visibility_seconds(delay: Duration) -> i32 {
    i32::try_from(delay.as_secs())
        .unwrap_or(MAX_VISIBILITY_SECONDS)
        .min(MAX_VISIBILITY_SECONDS)
}

#[async_trait::async_trait]
impl RedeliveryScheduler for SqsRedelivery {
    async fn redeliver_after(
        &self,
        receipt_handle: &str,
        delay: Duration,
    ) -> Result<(), RedeliveryError> {
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(visibility_seconds(delay))
            .send()
            .await
            .map_err(|e| RedeliveryError {
                reason: format!(
                    "ChangeMessageVisibility on {}: {}",
                    self.queue_url,
                    describe(&e)
                ),
            })?;
        Ok(())
    }
}

/// The queue's visibility timeout (GetQueueAttributes), which the processor
/// reads once per container as the ceiling of its redelivery waits: it is
/// what the queue itself would wait, whatever set it.
///
/// # Errors
/// [`SqsError`] when the call fails or the answer lacks a whole number of
/// seconds.
pub async fn queue_visibility_timeout(
    client: &aws_sdk_sqs::Client,
    queue_url: &str,
) -> Result<Duration, SqsError> {
    let error = |reason: String| SqsError {
        operation: "GetQueueAttributes",
        queue_url: queue_url.to_owned(),
        reason,
    };
    let answer = client
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::VisibilityTimeout)
        .send()
        .await
        .map_err(|e| error(describe(&e)))?;
    let text = answer
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::VisibilityTimeout))
        .ok_or_else(|| error("the answer has no VisibilityTimeout".to_owned()))?;
    let seconds: u64 = text
        .parse()
        .map_err(|_| error(format!("VisibilityTimeout '{text}' is not whole seconds")))?;
    Ok(Duration::from_secs(seconds))
}
