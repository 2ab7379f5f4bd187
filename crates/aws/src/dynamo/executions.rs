//! The executions' summaries in the message table: what the processor
//! records of each execution it started, and the list the API reads.
//!
//! Step Functions keeps no list of Express executions, so the processor
//! writes one item per execution once `StartSyncExecution` has answered:
//!
//! | attribute | value |
//! |---|---|
//! | `id` | `execution#<execution ARN>` |
//! | `created_date` | the start date (sortable text), the table's sort key |
//! | `stage` | `execution#<stage>`: a partition of the stage index that no message list reads |
//! | `execution_status` | `SUCCEEDED`, `FAILED`, `TIMED_OUT` (never `status`, so the item stays out of the status index) |
//! | the other summary fields | `execution_id`, `name`, `message_id`, `stop_date`, `duration_ms`, `error`, `cause` |
//! | `input`, `output` | the execution's JSON input and output |
//! | `ttl` | the start date plus [`RETENTION_DAYS`], as a message's |
//!
//! The list is a Query on the stage index's `execution#<stage>` partition,
//! newest first; the status and message filters are FilterExpressions. The
//! cursor is the last execution id of the page, as the local store's.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use rez_core::message::RETENTION_DAYS;
use rez_core::ports::{
    ExecutionPage, ExecutionQuery, ExecutionRecorder, ExecutionSummary, MAX_LIST_LIMIT,
};
use rez_core::{Stage, StoreError};
use serde_json::Value;

use super::cursor::{IndexKey, Plan};
use super::items::{CREATED_DATE, ID, Item, STAGE, from_attribute, get_s, n, s, to_attribute};
use super::{DynamoMessageStore, STAGE_INDEX};

/// What the id of an execution item starts with, before the execution ARN.
const EXECUTION_PREFIX: &str = "execution#";
/// The attribute holding an execution's status.
const EXECUTION_STATUS: &str = "execution_status";

/// The summaries of executions in the message table: the processor records
/// them ([`ExecutionRecorder`]), the API lists them.
#[derive(Debug, Clone)]
pub struct DynamoExecutionStore {
    /// The message store of the same table: its client, table and stage,
    /// and its newest-first index reads.
    store: DynamoMessageStore,
}

/// One recorded execution: its summary, input and output.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedExecution {
    /// The summary fields.
    pub summary: ExecutionSummary,
    /// Its input.
    pub input: Value,
    /// Its output, when it succeeded.
    pub output: Option<Value>,
}

impl DynamoExecutionStore {
    /// The executions of `stage` in `table` (the message table of that stage).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, stage: Stage) -> Self {
        Self::beside(&DynamoMessageStore::new(client, table, stage))
    }

    /// The executions store beside a message store, on its table and client.
    pub fn beside(store: &DynamoMessageStore) -> Self {
        Self {
            store: store.clone(),
        }
    }

    /// The stage index partition of this stage's executions.
    fn partition(&self) -> String {
        format!("{EXECUTION_PREFIX}{}", self.store.stage)
    }

    /// The item of the execution `execution_id`, whatever its start date.
    async fn item(&self, execution_id: &str) -> Result<Option<Item>, StoreError> {
        self.store
            .item_with_id(format!("{EXECUTION_PREFIX}{execution_id}"))
            .await
    }

    /// One execution's summary, input and output; `None` when none was
    /// recorded under `execution_id`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    pub async fn get(&self, execution_id: &str) -> Result<Option<RecordedExecution>, StoreError> {
        self.item(execution_id)
            .await?
            .as_ref()
            .map(item_to_execution)
            .transpose()
    }

    /// One page of summaries, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    pub async fn list(&self, query: &ExecutionQuery) -> Result<ExecutionPage, StoreError> {
        let limit = usize::try_from(query.limit.clamp(1, MAX_LIST_LIMIT)).unwrap_or(1);
        let partition = self.partition();
        let start = match &query.cursor {
            Some(after) => match self.item(after).await? {
                Some(item) => Some(index_key(&item, &partition)?),
                // Not an execution of this table: an empty page, never a repeat.
                None => {
                    return Ok(ExecutionPage {
                        items: Vec::new(),
                        next_cursor: None,
                    });
                }
            },
            None => None,
        };
        let mut plan = Plan {
            key: IndexKey {
                index: STAGE_INDEX,
                attribute: STAGE,
                value: partition.clone(),
            },
            filter: None,
            names: HashMap::from([("#pk".to_owned(), STAGE.to_owned())]),
            values: HashMap::from([(":pk".to_owned(), s(&partition))]),
        };
        let mut filters = Vec::new();
        if let Some(status) = &query.status {
            filters.push("#execution_status = :execution_status");
            plan.names
                .insert("#execution_status".into(), EXECUTION_STATUS.into());
            plan.values
                .insert(":execution_status".into(), s(status.as_str()));
        }
        if let Some(message_id) = &query.message_id {
            filters.push("#message_id = :message_id");
            plan.names.insert("#message_id".into(), "message_id".into());
            plan.values.insert(":message_id".into(), s(message_id));
        }
        plan.filter = (!filters.is_empty()).then(|| filters.join(" AND "));
        let page = self.store.newest_first(&plan, start, limit).await?;
        let found = page
            .items
            .iter()
            .map(|item| item_to_execution(item).map(|recorded| recorded.summary))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = page
            .next
            .as_ref()
            .map(|key| execution_id_of(key).map(str::to_owned))
            .transpose()?;
        Ok(ExecutionPage {
            items: found,
            next_cursor,
        })
    }
}

#[async_trait::async_trait]
impl ExecutionRecorder for DynamoExecutionStore {
    async fn record_execution(
        &self,
        summary: &ExecutionSummary,
        input: &Value,
        output: Option<&Value>,
    ) -> Result<(), StoreError> {
        let item = execution_to_item(summary, input, output, &self.partition())?;
        self.store
            .client
            .put_item()
            .table_name(&self.store.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| self.store.unavailable("PutItem", &e))?;
        Ok(())
    }
}

/// The item recording an execution in the stage index partition `partition`.
fn execution_to_item(
    summary: &ExecutionSummary,
    input: &Value,
    output: Option<&Value>,
    partition: &str,
) -> Result<Item, StoreError> {
    let corrupt =
        |why: String| StoreError::Corrupt(format!("execution {}: {why}", summary.execution_id));
    let started = rez_core::time::parse(&summary.start_date).map_err(|e| corrupt(e.to_string()))?;
    let Ok(Value::Object(fields)) = serde_json::to_value(summary) else {
        return Err(corrupt("its summary is not a JSON object".to_owned()));
    };
    let mut item: Item = fields
        .into_iter()
        .filter(|(name, value)| !value.is_null() && name != "start_date")
        .map(|(name, value)| {
            let name = if name == "status" {
                EXECUTION_STATUS.to_owned()
            } else {
                name
            };
            (name, to_attribute(&value))
        })
        .collect();
    let expires = started + chrono::Duration::days(RETENTION_DAYS);
    item.extend([
        (
            ID.to_owned(),
            s(format!("{EXECUTION_PREFIX}{}", summary.execution_id)),
        ),
        (CREATED_DATE.to_owned(), s(&summary.start_date)),
        (STAGE.to_owned(), s(partition)),
        ("input".to_owned(), to_attribute(input)),
        ("ttl".to_owned(), n(expires.timestamp())),
    ]);
    if let Some(output) = output {
        item.insert("output".to_owned(), to_attribute(output));
    }
    Ok(item)
}

/// The execution an item records.
fn item_to_execution(item: &Item) -> Result<RecordedExecution, StoreError> {
    let id = item
        .get(ID)
        .and_then(|v| v.as_s().ok())
        .map_or("<no id>", String::as_str);
    let corrupt = |why: String| StoreError::Corrupt(format!("item {id}: {why}"));
    let mut fields = serde_json::Map::new();
    let mut input = Value::Null;
    let mut output = None;
    for (name, value) in item {
        let value = from_attribute(value).map_err(|e| corrupt(format!("{name}: {e}")))?;
        match name.as_str() {
            "input" => input = value,
            "output" => output = Some(value),
            EXECUTION_STATUS => {
                fields.insert("status".to_owned(), value);
            }
            CREATED_DATE => {
                fields.insert("start_date".to_owned(), value);
            }
            ID | STAGE | "ttl" => {}
            _ => {
                fields.insert(name.clone(), value);
            }
        }
    }
    let summary =
        serde_json::from_value(Value::Object(fields)).map_err(|e| corrupt(e.to_string()))?;
    Ok(RecordedExecution {
        summary,
        input,
        output,
    })
}

/// The stage index key of an execution item, to continue a list after it.
fn index_key(item: &Item, partition: &str) -> Result<Item, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("list position: {e}"));
    Ok(HashMap::from([
        (ID.to_owned(), s(get_s(item, ID).map_err(corrupt)?)),
        (
            CREATED_DATE.to_owned(),
            s(get_s(item, CREATED_DATE).map_err(corrupt)?),
        ),
        (STAGE.to_owned(), AttributeValue::S(partition.to_owned())),
    ]))
}

/// The execution id of an execution item's key.
fn execution_id_of(key: &Item) -> Result<&str, StoreError> {
    let id = get_s(key, ID).map_err(|e| StoreError::Corrupt(format!("list position: {e}")))?;
    id.strip_prefix(EXECUTION_PREFIX)
        .ok_or_else(|| StoreError::Corrupt(format!("list position: {id} is not an execution")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary() -> ExecutionSummary {
        ExecutionSummary {
            execution_id: "arn:aws:states:us-east-1:1:express:n:e-1:u".to_owned(),
            name: "e-1".to_owned(),
            message_id: Some("m-1".to_owned()),
            status: rez_core::ports::ExecutionStatus::Failed,
            start_date: "2026-12-07T10:00:00.000000Z".to_owned(),
            stop_date: Some("2026-12-07T10:00:01.500000Z".to_owned()),
            duration_ms: Some(1500),
            task_attempts: None,
            error: Some("Ntfy.ServerError".to_owned()),
            cause: Some("503".to_owned()),
        }
    }

    #[test]
    fn an_execution_item_reads_back_as_the_execution_and_stays_out_of_the_message_indexes() {
        let input = json!({"message_id": "m-1"});
        let item = execution_to_item(&summary(), &input, None, "execution#dev").unwrap();
        assert!(!item.contains_key("status"), "{item:?}");
        assert_eq!(item[STAGE], s("execution#dev"));
        assert_eq!(item[ID], s(format!("execution#{}", summary().execution_id)));
        assert_eq!(item[CREATED_DATE], s(&summary().start_date));
        // 90 days after 2026-12-07T10:00:00Z.
        assert_eq!(item["ttl"], n(1_804_413_600));
        let back = item_to_execution(&item).unwrap();
        assert_eq!(back.summary, summary());
        assert_eq!(back.input, input);
        assert_eq!(back.output, None);
        assert_eq!(execution_id_of(&item).unwrap(), summary().execution_id);
    }
}
