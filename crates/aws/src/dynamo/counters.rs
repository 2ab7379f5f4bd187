//! Reading the counters items of a metrics window: one `Query` per shard for
//! the days from the window's first on (never a Scan, never a day twice).

use std::collections::HashMap;

use rez_core::StoreError;
use rez_core::ports::MetricsWindow;

use super::DynamoMessageStore;
use super::items::{CREATED_DATE, ID, Item, s};
use super::metrics::{COUNTER_SHARDS, counters_day, counters_id};

/// Most Query pages read per shard (a window's items fill a fraction of one).
const MAX_PAGES_PER_SHARD: usize = 8;

impl DynamoMessageStore {
    /// The counters items of every shard for the days of `window`.
    pub(super) async fn read_counters(
        &self,
        window: MetricsWindow,
    ) -> Result<Vec<Item>, StoreError> {
        let first_day = counters_day(window.first_day());
        let reads = (0..COUNTER_SHARDS).map(|shard| self.read_shard(shard, &first_day));
        let shards = futures::future::try_join_all(reads).await?;
        Ok(shards.concat())
    }

    /// One shard's items from `first_day` on. Its sort keys are days; the
    /// older undated item (`#`) sorts before every day and is never read.
    async fn read_shard(&self, shard: u32, first_day: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        for _ in 0..MAX_PAGES_PER_SHARD {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("#id = :id AND #day >= :first_day")
                .set_expression_attribute_names(Some(HashMap::from([
                    ("#id".to_owned(), ID.to_owned()),
                    ("#day".to_owned(), CREATED_DATE.to_owned()),
                ])))
                .set_expression_attribute_values(Some(HashMap::from([
                    (":id".to_owned(), s(counters_id(shard))),
                    (":first_day".to_owned(), s(first_day)),
                ])))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| self.unavailable("Query", &e))?;
            items.extend(output.items().iter().cloned());
            start = output.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(items);
            }
        }
        Err(StoreError::Unavailable(format!(
            "dynamodb Query on {}: counters shard {shard} has more than {MAX_PAGES_PER_SHARD} pages",
            self.table
        )))
    }
}
