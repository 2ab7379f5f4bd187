//! What a DynamoDB write costs in write request units, by DynamoDB's
//! documented rules, from the item before and after it.
//!
//! - An item's size is the sum, over its attributes, of the name's UTF-8
//!   length and the value's size: a string its UTF-8 length, a number
//!   about one byte per two significant digits plus one, a binary its
//!   length, a boolean or null one byte, a list or map 3 bytes plus one per
//!   element plus the elements (and a map's names)
//!   (<https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html>).
//! - A standard write costs one unit per started KB of the larger of the
//!   item before and after it; a write in `TransactWriteItems` (a
//!   `ConditionCheck` included) costs twice that.
//! - Each global secondary index the item is in before or after costs its
//!   own write: one per started KB of the projected item (every index here
//!   projects ALL), and two writes (a delete and a put) when the write
//!   changes the item's index key. Index writes are not doubled in a
//!   transaction: only the table's are transactional.
//!
//! The items are DynamoDB JSON (`{"name": {"S": "…"}}`), as the wire carries them.

use serde_json::{Map, Value};

use crate::declared::{DeclaredIndex, DeclaredTable};

/// The write request units of one write: the table's and its indexes'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteUnits {
    /// The table's units (doubled in a transaction).
    pub table: u64,
    /// The global secondary indexes' units.
    pub indexes: u64,
}

impl WriteUnits {
    /// Both together.
    pub fn total(self) -> u64 {
        self.table + self.indexes
    }
}

/// The units of one write to `table` that found `before` and left `after`
/// (either absent); `transactional` for an item of `TransactWriteItems`.
pub fn write_units(
    table: &DeclaredTable,
    before: Option<&Map<String, Value>>,
    after: Option<&Map<String, Value>>,
    transactional: bool,
) -> WriteUnits {
    let size_before = before.map_or(0, item_size);
    let size_after = after.map_or(0, item_size);
    let base = kilobytes(size_before.max(size_after)).max(1);
    let mut indexes = 0;
    for index in &table.global_secondary_indexes {
        indexes += match (index_key(index, before), index_key(index, after)) {
            (None, None) => 0,
            (Some(_), None) => kilobytes(size_before).max(1),
            (None, Some(_)) => kilobytes(size_after).max(1),
            (Some(_), Some(_)) if before == after => 0,
            (Some(old), Some(new)) if old == new => kilobytes(size_after).max(1),
            (Some(_), Some(_)) => kilobytes(size_before).max(1) + kilobytes(size_after).max(1),
        };
    }
    WriteUnits {
        table: if transactional { 2 * base } else { base },
        indexes,
    }
}

/// The item's key in `index`, if the item is in it (it has the index's keys).
fn index_key<'a>(
    index: &DeclaredIndex,
    item: Option<&'a Map<String, Value>>,
) -> Option<(&'a Value, Option<&'a Value>)> {
    let item = item?;
    let hash = item.get(&index.hash_key)?;
    let range = match &index.range_key {
        Some(name) => Some(item.get(name)?),
        None => None,
    };
    Some((hash, range))
}

/// Started kilobytes of `bytes`.
fn kilobytes(bytes: usize) -> u64 {
    u64::try_from(bytes.div_ceil(1024)).unwrap_or(u64::MAX)
}

/// An item's size in bytes, by DynamoDB's sizing rules.
pub fn item_size(item: &Map<String, Value>) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// One attribute value's size (`{"S": …}`, `{"N": …}`, …).
fn value_size(value: &Value) -> usize {
    let Some((kind, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    match (kind.as_str(), inner) {
        ("S", Value::String(s)) => s.len(),
        ("N", Value::String(n)) => number_size(n),
        ("B", Value::String(b64)) => b64.len() * 3 / 4,
        ("BOOL" | "NULL", _) => 1,
        ("SS", Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::len).sum(),
        ("NS", Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(number_size)
            .sum(),
        ("BS", Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|b| b.len() * 3 / 4)
            .sum(),
        ("L", Value::Array(items)) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        ("M", Value::Object(fields)) => {
            3 + fields
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// A number's size: one byte per two significant digits, plus one.
fn number_size(text: &str) -> usize {
    let digits: String = text
        .chars()
        .take_while(|c| *c != 'e' && *c != 'E')
        .filter(char::is_ascii_digit)
        .collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    significant.len().max(1).div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn table() -> DeclaredTable {
        let index = |name: &str, hash: &str| DeclaredIndex {
            name: name.into(),
            hash_key: hash.into(),
            range_key: Some("created_date".into()),
            projection_type: "ALL".into(),
        };
        DeclaredTable {
            name: "messages".into(),
            arn: "arn:aws:dynamodb:us-east-1:1:table/messages".into(),
            hash_key: "id".into(),
            range_key: Some("created_date".into()),
            attributes: vec![],
            global_secondary_indexes: vec![
                index("by-stage", "stage"),
                index("by-status", "status"),
            ],
            ttl_attribute: None,
        }
    }

    fn item(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn sizes_follow_dynamodbs_rules() {
        // "id" 2 + "abc" 3; "n" 1 + 12345 → 3 digits pairs + 1 = 4; "ok" 2 + 1.
        let i = item(json!({"id": {"S": "abc"}, "n": {"N": "12345"}, "ok": {"BOOL": true}}));
        assert_eq!(item_size(&i), 5 + 5 + 3);
        // A map: 3 + per field 1 + name + value.
        let m = item(json!({"m": {"M": {"a": {"S": "xy"}}}}));
        assert_eq!(item_size(&m), 1 + 3 + 1 + 1 + 2);
        // Two significant digits (12): one byte, plus one.
        assert_eq!(number_size("-0.00120"), 1 + 1);
    }

    #[test]
    fn a_new_message_in_both_indexes_costs_its_kilobytes_in_the_table_and_each_index() {
        let new = item(
            json!({"id": {"S": "m"}, "created_date": {"S": "d"}, "stage": {"S": "dev"}, "status": {"S": "created"}, "text": {"S": "x".repeat(1500)}}),
        );
        let units = write_units(&table(), None, Some(&new), false);
        assert_eq!(
            units,
            WriteUnits {
                table: 2,
                indexes: 4
            }
        );
        let in_transaction = write_units(&table(), None, Some(&new), true);
        assert_eq!(
            in_transaction,
            WriteUnits {
                table: 4,
                indexes: 4
            }
        );
    }

    #[test]
    fn a_status_change_moves_the_item_in_the_status_index_delete_and_put() {
        let before = item(
            json!({"id": {"S": "m"}, "created_date": {"S": "d"}, "stage": {"S": "dev"}, "status": {"S": "queued"}}),
        );
        let mut after = before.clone();
        after.insert("status".into(), json!({"S": "processing"}));
        let units = write_units(&table(), Some(&before), Some(&after), true);
        // Stage index: same key, one write; status index: delete + put.
        assert_eq!(
            units,
            WriteUnits {
                table: 2,
                indexes: 3
            }
        );
    }

    #[test]
    fn an_item_in_no_index_costs_only_the_table_and_a_no_op_costs_no_index_write() {
        let counters = item(
            json!({"id": {"S": "counters#1"}, "created_date": {"S": "2026-12-07"}, "total": {"N": "3"}}),
        );
        assert_eq!(
            write_units(&table(), Some(&counters), Some(&counters), true),
            WriteUnits {
                table: 2,
                indexes: 0
            }
        );
        let message = item(
            json!({"id": {"S": "m"}, "created_date": {"S": "d"}, "stage": {"S": "dev"}, "status": {"S": "queued"}}),
        );
        assert_eq!(
            write_units(&table(), Some(&message), Some(&message), false),
            WriteUnits {
                table: 1,
                indexes: 0
            }
        );
    }
}
