//! The DynamoDB write meter: the write request units every write the
//! functions make would cost on AWS, for the cost model.
//!
//! The edge sends DynamoDB writes to moto one at a time; with the meter on
//! it reads each item a write names before and after it (a consistent
//! `GetItem` each), and adds what [`write_units`] says the write costs.
//! moto reports no consumed capacity of its own that could serve.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::declared::DeclaredTable;
use crate::write_units::{WriteUnits, write_units};

/// The units counted for one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableUnits {
    /// Write requests (each item of a transaction or batch is one).
    pub writes: u64,
    /// Those writes by operation (`PutItem`, `TransactWriteItems`, …).
    pub writes_by_operation: BTreeMap<String, u64>,
    /// The table's write request units.
    pub table_units: u64,
    /// The global secondary indexes' write request units.
    pub index_units: u64,
}

/// One item a write names.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The table.
    pub table: String,
    /// The item's key, as DynamoDB JSON.
    pub key: Map<String, Value>,
    /// Whether it is an item of `TransactWriteItems`.
    pub transactional: bool,
    /// The operation, without its prefix (`PutItem`, …).
    pub operation: String,
}

/// The meter: the tables it knows and what it counted.
pub struct WriteMeter {
    region: String,
    tables: Vec<DeclaredTable>,
    counted: Mutex<BTreeMap<String, TableUnits>>,
}

impl WriteMeter {
    /// A meter for `tables`, in `region` (moto keeps tables per region).
    pub fn new(region: impl Into<String>, tables: Vec<DeclaredTable>) -> Self {
        Self {
            region: region.into(),
            tables,
            counted: Mutex::new(BTreeMap::new()),
        }
    }

    /// What was counted so far, by table name.
    pub fn counted(&self) -> BTreeMap<String, TableUnits> {
        self.counted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The items the write `operation` (`DynamoDB_20120810.PutItem`, …) with
    /// `body` names, in tables the meter knows.
    pub fn targets(&self, operation: &str, body: &[u8]) -> Vec<Target> {
        let Ok(body) = serde_json::from_slice::<Value>(body) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let name = operation.rsplit('.').next().unwrap_or_default();
        let mut add = |request: &Value, transactional: bool| {
            let Some(table) = request["TableName"].as_str() else {
                return;
            };
            let key = match request.get("Key").and_then(Value::as_object) {
                Some(key) => Some(key.clone()),
                None => request["Item"]
                    .as_object()
                    .and_then(|item| self.key_of(table, item)),
            };
            if let Some(key) = key {
                found.push(Target {
                    table: table.to_owned(),
                    key,
                    transactional,
                    operation: name.to_owned(),
                });
            }
        };
        match name {
            "PutItem" | "UpdateItem" | "DeleteItem" => add(&body, false),
            "TransactWriteItems" => {
                for item in body["TransactItems"].as_array().into_iter().flatten() {
                    for kind in ["Put", "Update", "Delete", "ConditionCheck"] {
                        if let Some(request) = item.get(kind) {
                            add(request, true);
                        }
                    }
                }
            }
            "BatchWriteItem" => {
                let tables = body["RequestItems"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                for (table, requests) in tables {
                    for request in requests.as_array().into_iter().flatten() {
                        if let Some(key) = request.pointer("/DeleteRequest/Key") {
                            add(&json!({"TableName": table, "Key": key}), false);
                        }
                        if let Some(item) = request.pointer("/PutRequest/Item") {
                            add(&json!({"TableName": table, "Item": item}), false);
                        }
                    }
                }
            }
            _ => {}
        }
        found
    }

    /// The key attributes of `item` in `table`.
    fn key_of(&self, table: &str, item: &Map<String, Value>) -> Option<Map<String, Value>> {
        let declared = self.tables.iter().find(|t| t.name == table)?;
        let mut key = Map::new();
        for name in std::iter::once(&declared.hash_key).chain(declared.range_key.as_ref()) {
            key.insert(name.clone(), item.get(name)?.clone());
        }
        Some(key)
    }

    /// The items `targets` name as moto holds them now (`None`: absent).
    pub async fn read(
        &self,
        client: &reqwest::Client,
        moto: &str,
        targets: &[Target],
    ) -> Vec<Option<Map<String, Value>>> {
        let mut items = Vec::with_capacity(targets.len());
        for target in targets {
            let answer = client
                .post(format!("{moto}/"))
                .header("x-amz-target", "DynamoDB_20120810.GetItem")
                .header("content-type", "application/x-amz-json-1.0")
                .header(
                    "authorization",
                    format!(
                        "AWS4-HMAC-SHA256 Credential=testing/20260101/{}/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
                        self.region
                    ),
                )
                .body(
                    json!({"TableName": target.table, "Key": target.key, "ConsistentRead": true})
                        .to_string(),
                )
                .send()
                .await;
            let item = match answer {
                Ok(answer) => answer
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|body| body["Item"].as_object().cloned()),
                Err(e) => {
                    tracing::warn!(error = %e, "the write meter could not read an item");
                    None
                }
            };
            items.push(item);
        }
        items
    }

    /// Counts the writes of `targets`, which found `before` and left `after`.
    pub fn record(
        &self,
        targets: &[Target],
        before: &[Option<Map<String, Value>>],
        after: &[Option<Map<String, Value>>],
    ) {
        let mut counted = self
            .counted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for ((target, before), after) in targets.iter().zip(before).zip(after) {
            let Some(table) = self.tables.iter().find(|t| t.name == target.table) else {
                continue;
            };
            let WriteUnits { table: t, indexes } =
                write_units(table, before.as_ref(), after.as_ref(), target.transactional);
            let entry = counted.entry(target.table.clone()).or_default();
            entry.writes += 1;
            *entry
                .writes_by_operation
                .entry(target.operation.clone())
                .or_default() += 1;
            entry.table_units += t;
            entry.index_units += indexes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter() -> WriteMeter {
        WriteMeter::new(
            "us-east-1",
            vec![DeclaredTable {
                name: "messages".into(),
                arn: "arn:aws:dynamodb:us-east-1:1:table/messages".into(),
                hash_key: "id".into(),
                range_key: Some("created_date".into()),
                attributes: vec![],
                global_secondary_indexes: vec![],
                ttl_attribute: None,
            }],
        )
    }

    #[test]
    fn a_put_is_keyed_by_the_tables_key_and_every_item_of_a_transaction_is_a_target() {
        let put = json!({"TableName": "messages", "Item": {"id": {"S": "m"}, "created_date": {"S": "d"}, "text": {"S": "t"}}});
        let targets = meter().targets("DynamoDB_20120810.PutItem", put.to_string().as_bytes());
        assert_eq!(targets.len(), 1);
        assert_eq!(
            Value::Object(targets[0].key.clone()),
            json!({"id": {"S": "m"}, "created_date": {"S": "d"}})
        );
        assert!(!targets[0].transactional);

        let transaction = json!({"TransactItems": [
            {"Put": put},
            {"Update": {"TableName": "messages", "Key": {"id": {"S": "c"}, "created_date": {"S": "x"}}}},
            {"ConditionCheck": {"TableName": "messages", "Key": {"id": {"S": "k"}, "created_date": {"S": "y"}}}},
        ]});
        let targets = meter().targets(
            "DynamoDB_20120810.TransactWriteItems",
            transaction.to_string().as_bytes(),
        );
        assert_eq!(targets.len(), 3);
        assert!(targets.iter().all(|t| t.transactional));
        assert!(
            meter()
                .targets("DynamoDB_20120810.GetItem", b"{}")
                .is_empty()
        );
        assert!(
            meter()
                .targets("DynamoDB_20120810.PutItem", b"not json")
                .is_empty()
        );
    }
}
