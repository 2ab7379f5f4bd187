//! Messages per hour by status, read from the status index (never a Scan).
//!
//! One paginated `Query` per status on [`STATUS_INDEX`] with
//! `created_date >= since`, projecting only `created_date`: the cost grows
//! with the messages of the window (at most seven days), not with the table.

use std::collections::HashMap;

use rez_core::ports::{HourlyCounts, HourlySeries};
use rez_core::{Status, StoreError, time};

use super::items::{CREATED_DATE, STATUS, get_s, s};
use super::{DynamoMessageStore, STATUS_INDEX};

/// Most Query pages read per status before giving up (1 MB each).
const MAX_PAGES_PER_STATUS: usize = 200;

impl DynamoMessageStore {
    /// Counts the messages created since `series.since()` into it.
    pub(super) async fn count_hourly(
        &self,
        mut series: HourlySeries,
    ) -> Result<Vec<HourlyCounts>, StoreError> {
        let since = time::format(series.since());
        for status in Status::ALL {
            let mut start = None;
            let mut pages = 0;
            loop {
                pages += 1;
                if pages > MAX_PAGES_PER_STATUS {
                    return Err(StoreError::Unavailable(format!(
                        "dynamodb Query on {}: more than {MAX_PAGES_PER_STATUS} pages of \
                         '{status}' messages in the window",
                        self.table
                    )));
                }
                let output = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(STATUS_INDEX)
                    .key_condition_expression("#status = :status AND #created >= :since")
                    .set_expression_attribute_names(Some(HashMap::from([
                        ("#status".to_owned(), STATUS.to_owned()),
                        ("#created".to_owned(), CREATED_DATE.to_owned()),
                    ])))
                    .set_expression_attribute_values(Some(HashMap::from([
                        (":status".to_owned(), s(status.as_str())),
                        (":since".to_owned(), s(since.clone())),
                    ])))
                    .projection_expression("#created")
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .map_err(|e| self.unavailable("Query", &e))?;
                for item in output.items() {
                    let created = get_s(item, CREATED_DATE)
                        .and_then(|text| time::parse(text).map_err(|e| e.to_string()))
                        .map_err(|e| StoreError::Corrupt(format!("status index item: {e}")))?;
                    series.add(created, status.as_str(), 1);
                }
                start = output.last_evaluated_key().cloned();
                if start.is_none() {
                    break;
                }
            }
        }
        Ok(series.into_buckets())
    }
}
