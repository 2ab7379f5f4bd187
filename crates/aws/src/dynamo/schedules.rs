//! The schedules people define, in the message table: the
//! [`ScheduleStore`] port on DynamoDB.
//!
//! | attribute | value |
//! |---|---|
//! | `id` | `schedule#<schedule id>` |
//! | `created_date` | when it was made (sortable text), the table's sort key |
//! | `stage` | `schedule#<stage>`: a partition of the stage index that no message list reads |
//! | `schedule_name`, `expression`, `timezone`, `start_date`, `end_date` | as the schedule has them (dates as sortable text) |
//! | `notification` | the notification each fire sends, as JSON text |
//! | `schedule_state`, `owner` | `ENABLED`/`DISABLED`, `api`/`configuration` (never `status`: the item stays out of the status index) |
//! | `updated_date` | when it last changed: the condition of a replace |
//!
//! The list is a Query on the stage index's `schedule#<stage>` partition,
//! newest first; the cursor's (`created_date`, id) is the start key.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use chrono::{DateTime, Utc};
use rez_core::ports::{
    MAX_LIST_LIMIT, SchedulePage, ScheduleQuery, ScheduleStore, ScheduleStoreError, schedule_cursor,
};
use rez_core::schedule::{Schedule, ScheduleId};

use super::cursor::{IndexKey, Plan};
use super::items::{CREATED_DATE, ID, Item, STAGE, UPDATED_DATE, get_s, s};
use super::{DynamoMessageStore, STAGE_INDEX};

/// What the id of a schedule item starts with, before the schedule's id.
const SCHEDULE_PREFIX: &str = "schedule#";

/// The schedules of one stage, in that stage's message table.
#[derive(Debug, Clone)]
pub struct DynamoScheduleStore {
    store: DynamoMessageStore,
}

impl DynamoScheduleStore {
    /// The schedule store beside a message store, on its table and client.
    pub fn beside(store: &DynamoMessageStore) -> Self {
        Self {
            store: store.clone(),
        }
    }

    /// The stage index partition of this stage's schedules.
    fn partition(&self) -> String {
        format!("{SCHEDULE_PREFIX}{}", self.store.stage)
    }

    /// The schedule's item, whatever its creation date.
    async fn item(&self, id: &ScheduleId) -> Result<Option<Item>, ScheduleStoreError> {
        Ok(self
            .store
            .item_with_id(format!("{SCHEDULE_PREFIX}{id}"))
            .await?)
    }
}

/// Whether a service error is a failed condition.
fn condition_failed<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    error: &SdkError<E, R>,
) -> bool {
    matches!(error, SdkError::ServiceError(e) if e.err().code() == Some("ConditionalCheckFailedException"))
}

#[async_trait::async_trait]
impl ScheduleStore for DynamoScheduleStore {
    async fn create_schedule(&self, schedule: &Schedule) -> Result<(), ScheduleStoreError> {
        let put = self
            .store
            .client
            .put_item()
            .table_name(&self.store.table)
            .set_item(Some(schedule_to_item(schedule, &self.partition())?))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", ID)
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => {
                Err(ScheduleStoreError::AlreadyExists(schedule.id.clone()))
            }
            Err(e) => Err(self.store.unavailable("PutItem", &e).into()),
        }
    }

    async fn get_schedule(&self, id: &ScheduleId) -> Result<Option<Schedule>, ScheduleStoreError> {
        self.item(id)
            .await?
            .as_ref()
            .map(item_to_schedule)
            .transpose()
    }

    async fn list_schedules(
        &self,
        query: &ScheduleQuery,
    ) -> Result<SchedulePage, ScheduleStoreError> {
        let limit = usize::try_from(query.limit.clamp(1, MAX_LIST_LIMIT)).unwrap_or(1);
        let partition = self.partition();
        let start = query.cursor.as_ref().map(|cursor| {
            HashMap::from([
                (ID.to_owned(), s(format!("{SCHEDULE_PREFIX}{}", cursor.id))),
                (CREATED_DATE.to_owned(), s(&cursor.created_date)),
                (STAGE.to_owned(), s(&partition)),
            ])
        });
        let plan = Plan {
            key: IndexKey {
                index: STAGE_INDEX,
                attribute: STAGE,
                value: partition.clone(),
            },
            filter: None,
            names: HashMap::from([("#pk".to_owned(), STAGE.to_owned())]),
            values: HashMap::from([(":pk".to_owned(), s(&partition))]),
        };
        let page = self.store.newest_first(&plan, start, limit).await?;
        let items = page
            .items
            .iter()
            .map(item_to_schedule)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = items
            .last()
            .filter(|_| page.next.is_some())
            .map(schedule_cursor);
        Ok(SchedulePage { items, next_cursor })
    }

    async fn replace_schedule(
        &self,
        schedule: &Schedule,
        read_updated: DateTime<Utc>,
    ) -> Result<(), ScheduleStoreError> {
        let put = self
            .store
            .client
            .put_item()
            .table_name(&self.store.table)
            .set_item(Some(schedule_to_item(schedule, &self.partition())?))
            .condition_expression("#updated = :read")
            .expression_attribute_names("#updated", UPDATED_DATE)
            .expression_attribute_values(":read", s(rez_core::time::format(read_updated)))
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(ScheduleStoreError::Changed(schedule.id.clone())),
            Err(e) => Err(self.store.unavailable("PutItem", &e).into()),
        }
    }

    async fn delete_schedule(&self, id: &ScheduleId) -> Result<(), ScheduleStoreError> {
        let Some(item) = self.item(id).await? else {
            return Err(ScheduleStoreError::NotFound(id.clone()));
        };
        let key = HashMap::from([
            (ID.to_owned(), s(format!("{SCHEDULE_PREFIX}{id}"))),
            (
                CREATED_DATE.to_owned(),
                s(get_s(&item, CREATED_DATE).map_err(ScheduleStoreError::Corrupt)?),
            ),
        ]);
        let delete = self
            .store
            .client
            .delete_item()
            .table_name(&self.store.table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(#id)")
            .expression_attribute_names("#id", ID)
            .send()
            .await;
        match delete {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(ScheduleStoreError::NotFound(id.clone())),
            Err(e) => Err(self.store.unavailable("DeleteItem", &e).into()),
        }
    }
}

/// The item of `schedule` in the stage index partition `partition`.
fn schedule_to_item(schedule: &Schedule, partition: &str) -> Result<Item, ScheduleStoreError> {
    let notification = serde_json::to_string(&schedule.notification).map_err(|e| {
        ScheduleStoreError::Corrupt(format!("schedule {}: its notification: {e}", schedule.id))
    })?;
    let mut item: Item = HashMap::from([
        (
            ID.to_owned(),
            s(format!("{SCHEDULE_PREFIX}{}", schedule.id)),
        ),
        (
            CREATED_DATE.to_owned(),
            s(rez_core::time::format(schedule.created_date)),
        ),
        (STAGE.to_owned(), s(partition)),
        ("schedule_name".to_owned(), s(&schedule.name)),
        ("expression".to_owned(), s(&schedule.expression)),
        ("timezone".to_owned(), s(&schedule.timezone)),
        ("notification".to_owned(), s(notification)),
        ("schedule_state".to_owned(), s(schedule.state.as_str())),
        ("owner".to_owned(), s(schedule.owner.as_str())),
        (
            UPDATED_DATE.to_owned(),
            s(rez_core::time::format(schedule.updated_date)),
        ),
    ]);
    for (name, date) in [
        ("start_date", schedule.start_date),
        ("end_date", schedule.end_date),
    ] {
        if let Some(date) = date {
            item.insert(name.to_owned(), s(rez_core::time::format(date)));
        }
    }
    Ok(item)
}

/// The schedule an item holds; an attribute that does not read back is `Corrupt`.
fn item_to_schedule(item: &Item) -> Result<Schedule, ScheduleStoreError> {
    let key = get_s(item, ID).map_err(ScheduleStoreError::Corrupt)?;
    let corrupt =
        |what: &str, why: String| ScheduleStoreError::Corrupt(format!("item {key}: {what}: {why}"));
    let text = |name: &str| get_s(item, name).map_err(|e| corrupt(name, e));
    let date =
        |name: &str| rez_core::time::parse(text(name)?).map_err(|e| corrupt(name, e.to_string()));
    let optional_date = |name: &str| match item.get(name) {
        Some(_) => date(name).map(Some),
        None => Ok(None),
    };
    let id = key
        .strip_prefix(SCHEDULE_PREFIX)
        .ok_or_else(|| corrupt("id", "not a schedule".to_owned()))?
        .parse()
        .map_err(|e: rez_core::ValidationError| corrupt("id", e.to_string()))?;
    Ok(Schedule {
        id,
        name: text("schedule_name")?.to_owned(),
        expression: text("expression")?.to_owned(),
        timezone: text("timezone")?.to_owned(),
        start_date: optional_date("start_date")?,
        end_date: optional_date("end_date")?,
        notification: serde_json::from_str(text("notification")?)
            .map_err(|e| corrupt("notification", e.to_string()))?,
        state: text("schedule_state")?
            .parse()
            .map_err(|e: rez_core::ValidationError| corrupt("schedule_state", e.message))?,
        owner: text("owner")?
            .parse()
            .map_err(|e: rez_core::ValidationError| corrupt("owner", e.message))?,
        created_date: date(CREATED_DATE)?,
        updated_date: date(UPDATED_DATE)?,
    })
}
