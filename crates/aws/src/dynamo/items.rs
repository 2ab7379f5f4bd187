//! How a [`Message`] is laid out as a DynamoDB item, and the other items the
//! table holds.
//!
//! A message is its JSON form, attribute by attribute: strings as `S`,
//! numbers as `N`, the payload and arguments as maps (`M`), absent optional
//! fields left out (so sparse attributes cost nothing). Its key is `id` (S)
//! plus `created_date` (S, the sortable text of [`rez_core::time::format`]),
//! and `stage` / `status` / `created_date` feed the two GSIs. `ttl` is the
//! message's own expiry (created + 90 days).
//!
//! The other items never carry `status`, so they stay out of the status
//! index; only the execution items carry a `stage`, one no message has, so
//! they stay out of every message list:
//!
//! | id | created_date | what |
//! |---|---|---|
//! | `idempotency-key#<stored key>` | `#` | `message_id`, `message_created_date`, `ttl` |
//! | `idempotency#<unnamespaced key>` | `#` | the same, written before keys had namespaces; read, never written |
//! | `counters#<shard>` | `YYYY-MM-DD` | the metrics counters of the messages created that day, `ttl` (see `metrics.rs`) |
//! | `counters#<shard>` | `#` | the counters over all days, written before they were per day; never read |
//! | `execution#<execution ARN>` | the start date | one execution's summary, input and output; its `stage` is `execution#<stage>` (see `executions.rs`) |
//!
//! An idempotency item's id holds its key's stored form
//! ([`IdempotencyKey::stored`]: `client:<text>` or `scheduler:<fire time>`).
//! The items from before namespaces held the key as sent (the scheduler's as
//! `schedule:<fire time>`), so a client's key could name the scheduler's
//! item; their prefix differs, so no stored form names one of them. Each
//! expires with its message (`ttl`, [`rez_core::message::RETENTION_DAYS`]
//! after the message was created).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use rez_core::{IdempotencyKey, Message, StoreError};
use serde_json::{Map, Number, Value};

/// A DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// Partition key attribute.
pub(crate) const ID: &str = "id";
/// Sort key attribute.
pub(crate) const CREATED_DATE: &str = "created_date";
/// Status attribute (a DynamoDB reserved word: always `#status` in expressions).
pub(crate) const STATUS: &str = "status";
/// Stage attribute.
pub(crate) const STAGE: &str = "stage";
/// Last-change attribute, part of every transition's condition.
pub(crate) const UPDATED_DATE: &str = "updated_date";
/// The sort key of the items that are not messages.
pub(crate) const AUX_SORT_KEY: &str = "#";

/// What the id of an idempotency item starts with, before the key's stored form.
const IDEMPOTENCY_PREFIX: &str = "idempotency-key#";
/// What the id of an idempotency item written before namespaces starts
/// with, before the unnamespaced key.
const UNNAMESPACED_IDEMPOTENCY_PREFIX: &str = "idempotency#";

/// The item id of an idempotency key.
pub(crate) fn idempotency_id(key: &IdempotencyKey) -> String {
    format!("{IDEMPOTENCY_PREFIX}{}", key.stored())
}

/// The id of the item that would have held `key` before namespaces
/// ([`IdempotencyKey::unnamespaced`]); it may have held another key of the
/// same text.
pub(crate) fn unnamespaced_idempotency_id(key: &IdempotencyKey) -> String {
    format!("{UNNAMESPACED_IDEMPOTENCY_PREFIX}{}", key.unnamespaced())
}

/// A string attribute.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The item storing `message`.
///
/// # Errors
/// [`StoreError::Corrupt`] if the message does not serialise as an object
/// (it always does).
pub(crate) fn message_to_item(message: &Message) -> Result<Item, StoreError> {
    match serde_json::to_value(message) {
        Ok(Value::Object(fields)) => Ok(fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), to_attribute(v)))
            .collect()),
        Ok(_) => Err(StoreError::Corrupt("a message is not a JSON object".into())),
        Err(e) => Err(StoreError::Corrupt(format!("message {}: {e}", message.id))),
    }
}

/// The message an item stores.
///
/// # Errors
/// [`StoreError::Corrupt`] naming the item's id when it is not a message.
pub(crate) fn item_to_message(item: &Item) -> Result<Message, StoreError> {
    let id = item
        .get(ID)
        .and_then(|v| v.as_s().ok())
        .map_or("<no id>", String::as_str);
    let corrupt = |why: String| StoreError::Corrupt(format!("item {id}: {why}"));
    let mut fields = Map::new();
    for (name, value) in item {
        fields.insert(
            name.clone(),
            from_attribute(value).map_err(|e| corrupt(format!("{name}: {e}")))?,
        );
    }
    serde_json::from_value(Value::Object(fields)).map_err(|e| corrupt(e.to_string()))
}

/// A JSON value as an attribute value.
pub(crate) fn to_attribute(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(num) => AttributeValue::N(num.to_string()),
        Value::String(text) => AttributeValue::S(text.clone()),
        Value::Array(items) => AttributeValue::L(items.iter().map(to_attribute).collect()),
        Value::Object(fields) => AttributeValue::M(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), to_attribute(v)))
                .collect(),
        ),
    }
}

/// An attribute value as JSON; sets and binaries are not ours.
pub(crate) fn from_attribute(value: &AttributeValue) -> Result<Value, String> {
    Ok(match value {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(text) => Value::Number(parse_number(text)?),
        AttributeValue::S(text) => Value::String(text.clone()),
        AttributeValue::L(items) => {
            Value::Array(items.iter().map(from_attribute).collect::<Result<_, _>>()?)
        }
        AttributeValue::M(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), from_attribute(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => return Err(format!("unexpected attribute type {other:?}")),
    })
}

/// A DynamoDB number as a JSON number (integers stay exact).
pub(crate) fn parse_number(text: &str) -> Result<Number, String> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Number::from(i));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Ok(Number::from(u));
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .ok_or_else(|| format!("'{text}' is not a number"))
}

/// A number attribute of `item` as `i64` (absent → 0).
pub(crate) fn get_i64(item: &Item, name: &str) -> Result<i64, String> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(text)) => text
            .parse()
            .map_err(|_| format!("{name} is not an integer: {text}")),
        Some(other) => Err(format!("{name} is not a number: {other:?}")),
    }
}

/// A string attribute of `item`.
pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, String> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| format!("{name} is missing or not a string"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rez_core::{MessageType, Notification, Priority, Stage, Status};

    fn message() -> Message {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .unwrap();
        let mut payload = Notification::text("hello");
        payload.title = Some("Title".into());
        payload.priority = Some(Priority::High);
        payload.tags = vec!["a".into(), "b".into()];
        payload.markdown = true;
        let mut m = Message::new(at, "api", Stage::Dev, MessageType::Notification, payload);
        m.arguments.insert("n".into(), serde_json::json!(1.5));
        m.arguments
            .insert("nested".into(), serde_json::json!({"x": [1, null, true]}));
        m
    }

    #[test]
    fn a_message_round_trips_through_an_item() {
        let mut m = message();
        assert_eq!(item_to_message(&message_to_item(&m).unwrap()).unwrap(), m);
        m.status = Status::Completed;
        m.delivered_at = Some(m.created_date + chrono::Duration::milliseconds(1234));
        m.ntfy_message_id = Some("abc".into());
        m.error_message = Some(String::new());
        assert_eq!(item_to_message(&message_to_item(&m).unwrap()).unwrap(), m);
    }

    #[test]
    fn the_index_attributes_are_plain_strings_and_absent_fields_are_left_out() {
        let item = message_to_item(&message()).unwrap();
        assert_eq!(item[CREATED_DATE], s("2026-11-30T12:00:00.000000Z"));
        assert_eq!(item[STATUS], s("created"));
        assert_eq!(item[STAGE], s("dev"));
        assert_eq!(item["ttl"], n(message().ttl));
        assert!(!item.contains_key("delivered_at") && !item.contains_key("error_message"));
        assert!(matches!(item["payload"], AttributeValue::M(_)));
    }

    #[test]
    fn an_item_that_is_not_a_message_is_corrupt_and_named() {
        let m = message();
        let mut item = message_to_item(&m).unwrap();
        item.insert(STATUS.into(), s("lost"));
        let err = item_to_message(&item).unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt(why) if why.contains(m.id.as_str()) && why.contains("lost")),
            "{err}"
        );
        item.insert(STATUS.into(), AttributeValue::Bs(vec![]));
        assert!(matches!(
            item_to_message(&item),
            Err(StoreError::Corrupt(_))
        ));
    }
}
