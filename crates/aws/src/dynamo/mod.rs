//! The [`MessageStore`] on DynamoDB.
//!
//! | file | what |
//! |---|---|
//! | `items.rs` | the item layout: a message as attributes, the auxiliary items |
//! | `store.rs` | create (with idempotency), get, conditional transitions |
//! | `cursor.rs` | lists: Queries on the GSIs, newest first, with cursors |
//! | `metrics.rs` | the counters items and the latency histogram |
//! | `series.rs` | messages per hour by status, from the status index |
//!
//! Table `rez-agent-messages-{stage}`: partition key `id` (S), sort key
//! `created_date` (S), GSIs [`STAGE_INDEX`] (`stage`, `created_date`) and
//! [`STATUS_INDEX`] (`status`, `created_date`) projecting ALL, TTL on `ttl`.

mod cursor;
mod items;
mod metrics;
mod series;
mod store;
#[cfg(test)]
mod tests;

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use backon::{BackoffBuilder, ExponentialBuilder};
use rez_core::ports::{
    Created, HourlyCounts, HourlySeries, ListQuery, MessageStore, Metrics, Page, StatusChange,
};
use rez_core::{IdempotencyKey, Message, MessageId, Stage, StoreError};

use crate::error::describe;
use items::{AUX_SORT_KEY, CREATED_DATE, ID, s};

/// The GSI listing one stage's messages by `created_date`.
pub const STAGE_INDEX: &str = "stage-created_date-index";
/// The GSI listing one status's messages by `created_date`.
pub const STATUS_INDEX: &str = "status-created_date-index";

/// How many BatchGetItem calls a counters read makes at most while DynamoDB
/// hands back unprocessed keys.
const MAX_BATCH_GET_ATTEMPTS: usize = 5;

/// The waits before asking again for unprocessed keys: 25 ms doubling up
/// to 100 ms (25, 50, 100, 100), the exponential backoff DynamoDB's
/// BatchGetItem documentation recommends; one wait fewer than
/// [`MAX_BATCH_GET_ATTEMPTS`].
const UNPROCESSED_KEYS_BACKOFF: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(25))
    .with_factor(2.0)
    .with_max_delay(Duration::from_millis(100))
    .with_max_times(MAX_BATCH_GET_ATTEMPTS - 1);

/// The table name of a stage: `rez-agent-messages-{stage}`.
pub fn table_name(stage: Stage) -> String {
    format!("rez-agent-messages-{stage}")
}

/// Messages in a DynamoDB table (one table per stage).
///
/// Every operation is a key lookup, a Query on a GSI or a transaction: never
/// a Scan. Throttling, network and service errors are
/// [`StoreError::Unavailable`]; items that do not decode are
/// [`StoreError::Corrupt`].
#[derive(Debug, Clone)]
pub struct DynamoMessageStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    stage: Stage,
}

impl DynamoMessageStore {
    /// A store over `table`, which holds the messages of `stage` (lists
    /// without a stage or status filter show that stage).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, stage: Stage) -> Self {
        Self {
            client,
            table: table.into(),
            stage,
        }
    }

    /// The SDK error of `operation` as [`StoreError::Unavailable`].
    fn unavailable<E, R>(&self, operation: &str, error: &SdkError<E, R>) -> StoreError
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::Unavailable(format!(
            "dynamodb {operation} on {}: {}",
            self.table,
            describe(error)
        ))
    }
}

#[async_trait::async_trait]
impl MessageStore for DynamoMessageStore {
    async fn create(
        &self,
        message: &Message,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError> {
        self.create_message(message, idempotency_key).await
    }

    async fn get(&self, id: &MessageId) -> Result<Option<Message>, StoreError> {
        self.get_message(id).await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        self.list_messages(query).await
    }

    async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError> {
        self.transition_message(change).await
    }

    async fn metrics(&self) -> Result<Metrics, StoreError> {
        let mut keys = KeysAndAttributes::builder().consistent_read(true);
        for shard in 0..metrics::COUNTER_SHARDS {
            keys = keys.keys(
                [
                    (ID.to_owned(), s(metrics::counters_id(shard))),
                    (CREATED_DATE.to_owned(), s(AUX_SORT_KEY)),
                ]
                .into(),
            );
        }
        let mut keys = keys
            .build()
            .map_err(|e| StoreError::Unavailable(format!("building the counters read: {e}")))?;
        let mut shards = Vec::new();
        // BatchGetItem may hand back unprocessed keys under load: ask again
        // for those alone, after a wait. Each attempt continues from what the
        // last one left, which `Retryable` (every attempt the same call) would
        // only carry through a context, so the backoff's iterator drives the
        // loop: it gives each wait and runs out when the attempts are spent.
        let mut waits = UNPROCESSED_KEYS_BACKOFF.build();
        loop {
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys)
                .send()
                .await
                .map_err(|e| self.unavailable("BatchGetItem", &e))?;
            if let Some(items) = output.responses().and_then(|r| r.get(&self.table)) {
                shards.extend(items.iter().cloned());
            }
            let Some(unprocessed) = output
                .unprocessed_keys()
                .and_then(|u| u.get(&self.table))
                .filter(|k| !k.keys().is_empty())
            else {
                break;
            };
            let wait = waits.next().ok_or_else(|| {
                StoreError::Unavailable(format!(
                    "dynamodb BatchGetItem on {}: counters still unprocessed after retries",
                    self.table
                ))
            })?;
            keys = unprocessed.clone();
            tokio::time::sleep(wait).await;
        }
        metrics::metrics_from_counters(&shards)
    }

    async fn hourly_counts(&self, series: HourlySeries) -> Result<Vec<HourlyCounts>, StoreError> {
        self.count_hourly(series).await
    }
}
