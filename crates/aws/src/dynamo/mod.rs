//! The [`MessageStore`] on DynamoDB.
//!
//! | file | what |
//! |---|---|
//! | `items.rs` | the item layout: a message as attributes, the auxiliary items |
//! | `store.rs` | create (with idempotency), get, conditional transitions |
//! | `cursor.rs` | lists: Queries on the GSIs, newest first, with cursors (the executions list reads through it too) |
//! | `metrics.rs` | the counters items and the latency histogram |
//! | `counters.rs` | reading the counters items of a metrics window |
//! | `series.rs` | messages per hour by status, from the status index |
//! | `executions.rs` | the executions' summaries the processor records, and their list |
//! | `schedules.rs` | the schedules people define ([`DynamoScheduleStore`]) |
//!
//! Table `rez-agent-messages-{stage}`: partition key `id` (S), sort key
//! `created_date` (S), GSIs [`STAGE_INDEX`] (`stage`, `created_date`) and
//! [`STATUS_INDEX`] (`status`, `created_date`) projecting ALL, TTL on `ttl`.

mod counters;
mod cursor;
mod executions;
pub(crate) mod items;
mod metrics;
mod schedules;
mod series;
mod store;
#[cfg(test)]
mod tests;

use aws_sdk_dynamodb::error::SdkError;
use rez_core::ports::{
    Created, HourlyCounts, HourlySeries, ListQuery, MessageStore, Metrics, MetricsWindow, Page,
    StatusChange,
};
use rez_core::{IdempotencyKey, Message, MessageId, Stage, StoreError};

use crate::error::describe;

pub use executions::{DynamoExecutionStore, RecordedExecution};
pub use schedules::DynamoScheduleStore;

/// The GSI listing one stage's messages by `created_date`.
pub const STAGE_INDEX: &str = "stage-created_date-index";
/// The GSI listing one status's messages by `created_date`.
pub const STATUS_INDEX: &str = "status-created_date-index";

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

    /// The one item whose partition key is `id` (messages, executions and
    /// schedules each have one item per id), read consistently.
    async fn item_with_id(&self, id: String) -> Result<Option<items::Item>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", items::ID)
            .expression_attribute_values(":id", items::s(id))
            .consistent_read(true)
            .limit(1)
            .send()
            .await
            .map_err(|e| self.unavailable("Query", &e))?;
        Ok(output.items().first().cloned())
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

    async fn metrics(&self, window: MetricsWindow) -> Result<Metrics, StoreError> {
        metrics::metrics_from_counters(&self.read_counters(window).await?)
    }

    async fn hourly_counts(&self, series: HourlySeries) -> Result<Vec<HourlyCounts>, StoreError> {
        self.count_hourly(series).await
    }
}
