//! Lists: Queries on the GSIs, newest first, paged with opaque cursors.
//!
//! The index follows the filters: a status filter queries
//! [`STATUS_INDEX`](super::STATUS_INDEX) (a stage filter then narrows it);
//! otherwise [`STAGE_INDEX`](super::STAGE_INDEX) is queried for the filter's
//! stage, or the table's own stage when there is none (the table is per
//! stage). `message_type` and the schedule (`arguments.schedule_id` of a
//! `scheduled` message) are a FilterExpression, so the store keeps querying
//! until it has `limit` items or the index is exhausted (within
//! [`MAX_QUERIES`] calls): a filtered page may hold fewer than `limit` items
//! while its `next_cursor` continues the list. A cursor carries the key of the last item returned
//! (or DynamoDB's LastEvaluatedKey when the call budget ran out first) plus
//! the filters' fingerprint; the next page's ExclusiveStartKey is rebuilt
//! from it and the index key the filters imply.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use rez_core::ports::{ListQuery, MAX_LIST_LIMIT, Page};
use rez_core::schedule::SCHEDULE_ID_ARGUMENT;
use rez_core::{Cursor, Message, MessageType, StoreError};

use super::items::{CREATED_DATE, ID, Item, STAGE, STATUS, get_s, item_to_message, s};
use super::{DynamoMessageStore, STAGE_INDEX, STATUS_INDEX};

/// Most Query calls one list makes before it answers with what it has.
pub(crate) const MAX_QUERIES: usize = 20;
/// Items read per Query when a FilterExpression may drop some.
const FILTERED_PAGE: usize = 100;

/// Which index a query reads, and its partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexKey {
    /// The GSI.
    pub(crate) index: &'static str,
    /// Its partition key attribute.
    pub(crate) attribute: &'static str,
    /// The partition to read.
    pub(crate) value: String,
}

/// The key condition, filter and index of a Query for `query`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) key: IndexKey,
    pub(crate) filter: Option<String>,
    pub(crate) names: HashMap<String, String>,
    pub(crate) values: HashMap<String, AttributeValue>,
}

/// Plans the Query for `query` on a table holding `table_stage`.
pub(crate) fn plan(query: &ListQuery, table_stage: rez_core::Stage) -> Plan {
    let key = match query.status {
        Some(status) => IndexKey {
            index: STATUS_INDEX,
            attribute: STATUS,
            value: status.as_str().to_owned(),
        },
        None => IndexKey {
            index: STAGE_INDEX,
            attribute: STAGE,
            value: query.stage.unwrap_or(table_stage).as_str().to_owned(),
        },
    };
    let mut names = HashMap::from([("#pk".to_owned(), key.attribute.to_owned())]);
    let mut values = HashMap::from([(":pk".to_owned(), s(&key.value))]);
    let mut filters = Vec::new();
    if let (Some(stage), Some(_)) = (query.stage, query.status) {
        filters.push("#stage = :stage");
        names.insert("#stage".into(), STAGE.into());
        values.insert(":stage".into(), s(stage.as_str()));
    }
    if let Some(kind) = query.message_type {
        filters.push("#message_type = :message_type");
        names.insert("#message_type".into(), "message_type".into());
        values.insert(":message_type".into(), s(kind.as_str()));
    }
    if let Some(schedule) = &query.schedule_id {
        // The `scheduled` messages whose arguments map names the schedule,
        // as [`ListQuery::matches`] says.
        filters.push("#message_type = :scheduled AND #arguments.#schedule_id = :schedule_id");
        names.insert("#message_type".into(), "message_type".into());
        names.insert("#arguments".into(), "arguments".into());
        names.insert("#schedule_id".into(), SCHEDULE_ID_ARGUMENT.into());
        values.insert(":scheduled".into(), s(MessageType::Scheduled.as_str()));
        values.insert(":schedule_id".into(), s(schedule.as_str()));
    }
    Plan {
        key,
        filter: (!filters.is_empty()).then(|| filters.join(" AND ")),
        names,
        values,
    }
}

/// The ExclusiveStartKey a cursor stands for on `key`'s index.
pub(crate) fn start_key(cursor: &Cursor, key: &IndexKey) -> Item {
    HashMap::from([
        (ID.to_owned(), s(&cursor.id)),
        (CREATED_DATE.to_owned(), s(&cursor.created_date)),
        (key.attribute.to_owned(), s(&key.value)),
    ])
}

/// The cursor continuing after the item (or LastEvaluatedKey) `key`.
pub(crate) fn cursor_after(key: &Item, filters: String) -> Result<Cursor, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("list position: {e}"));
    Ok(Cursor {
        created_date: get_s(key, CREATED_DATE).map_err(corrupt)?.to_owned(),
        id: get_s(key, ID).map_err(corrupt)?.to_owned(),
        filters,
    })
}

/// One page read newest first from an index: at most the asked number of
/// items, and where the next page starts (the last item's key when more
/// exist, or DynamoDB's LastEvaluatedKey when the calls ran out first).
pub(crate) struct IndexPage {
    pub(crate) items: Vec<Item>,
    pub(crate) next: Option<Item>,
}

impl DynamoMessageStore {
    /// Reads `plan`'s partition newest first, from `start`, until it has
    /// `limit` items and knows whether more exist, or the index ran out, or
    /// [`MAX_QUERIES`] calls were made. The FilterExpression may drop items,
    /// so a filtered query reads [`FILTERED_PAGE`] items a call.
    pub(crate) async fn newest_first(
        &self,
        plan: &Plan,
        mut start: Option<Item>,
        limit: usize,
    ) -> Result<IndexPage, StoreError> {
        // One more than asked, to know whether a next page exists.
        let mut found: Vec<Item> = Vec::new();
        for _ in 0..MAX_QUERIES {
            let wanted = limit + 1 - found.len();
            let page = if plan.filter.is_some() {
                wanted.max(FILTERED_PAGE)
            } else {
                wanted
            };
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(plan.key.index)
                .key_condition_expression("#pk = :pk")
                .set_filter_expression(plan.filter.clone())
                .set_expression_attribute_names(Some(plan.names.clone()))
                .set_expression_attribute_values(Some(plan.values.clone()))
                .scan_index_forward(false)
                .limit(i32::try_from(page).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| self.unavailable("Query", &e))?;
            found.extend(output.items().iter().cloned());
            start = output.last_evaluated_key().cloned();
            if found.len() > limit || start.is_none() {
                break;
            }
        }
        let next = if found.len() > limit {
            found.truncate(limit);
            found.last().cloned()
        } else {
            // Out of calls before the index ran out: continue where DynamoDB stopped.
            start
        };
        Ok(IndexPage { items: found, next })
    }

    pub(super) async fn list_messages(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let limit = usize::try_from(query.limit.clamp(1, MAX_LIST_LIMIT)).unwrap_or(1);
        let plan = plan(query, self.stage);
        let start = query.cursor.as_ref().map(|c| start_key(c, &plan.key));
        let page = self.newest_first(&plan, start, limit).await?;
        let items = page
            .items
            .iter()
            .map(item_to_message)
            .collect::<Result<Vec<Message>, _>>()?;
        let next_cursor = page
            .next
            .as_ref()
            .map(|key| cursor_after(key, query.filter_fingerprint()))
            .transpose()?
            .map(|c| c.encode());
        Ok(Page { items, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rez_core::{Stage, Status};

    #[test]
    fn the_filters_choose_the_index() {
        let cases = [
            (None, None, STAGE_INDEX, "dev"),
            (Some(Stage::Prod), None, STAGE_INDEX, "prod"),
            (None, Some(Status::Queued), STATUS_INDEX, "queued"),
            (
                Some(Stage::Dev),
                Some(Status::Failed),
                STATUS_INDEX,
                "failed",
            ),
        ];
        for (stage, status, index, value) in cases {
            let q = ListQuery {
                stage,
                status,
                ..ListQuery::default()
            };
            let p = plan(&q, Stage::Dev);
            assert_eq!((p.key.index, p.key.value.as_str()), (index, value), "{q:?}");
        }
    }

    #[test]
    fn stage_under_a_status_and_the_type_become_a_filter_expression() {
        let q = ListQuery {
            stage: Some(Stage::Dev),
            status: Some(Status::Queued),
            message_type: Some(MessageType::Scheduled),
            ..ListQuery::default()
        };
        let p = plan(&q, Stage::Dev);
        assert_eq!(
            p.filter.as_deref(),
            Some("#stage = :stage AND #message_type = :message_type")
        );
        assert_eq!(p.names["#pk"], "status");
        assert_eq!(plan(&ListQuery::default(), Stage::Dev).filter, None);
    }

    #[test]
    fn a_schedule_becomes_a_filter_on_the_type_and_the_arguments() {
        let id: rez_core::schedule::ScheduleId =
            "0192f0c4-0000-7000-8000-000000000001".parse().unwrap();
        let q = ListQuery {
            schedule_id: Some(id),
            ..ListQuery::default()
        };
        let p = plan(&q, Stage::Dev);
        assert_eq!(
            (p.key.index, p.filter.as_deref()),
            (
                STAGE_INDEX,
                Some("#message_type = :scheduled AND #arguments.#schedule_id = :schedule_id")
            )
        );
        assert_eq!(
            (&p.names["#schedule_id"], &p.values[":schedule_id"]),
            (
                &"schedule_id".to_owned(),
                &s("0192f0c4-0000-7000-8000-000000000001")
            )
        );
    }

    #[test]
    fn a_cursor_and_its_start_key_carry_the_same_position() {
        let cursor = Cursor {
            created_date: "2026-11-30T12:00:00.000000Z".into(),
            id: "01936f3c-0000-7000-8000-000000000000".into(),
            filters: "f".into(),
        };
        let key = plan(&ListQuery::default(), Stage::Stage).key;
        let start = start_key(&cursor, &key);
        assert_eq!(start[STAGE], s("stage"));
        assert_eq!(cursor_after(&start, "f".into()).unwrap(), cursor);
    }
}
