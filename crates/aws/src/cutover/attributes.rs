//! Reading the attributes of the Go system's items, which rez-agent did not
//! write: every reader says what is wrong with a field in words the report
//! can show.
//!
//! This is not rez-agent's item layout (that is `dynamo/items.rs`, which
//! rejects sets because it never writes them): the Go system marshalled its
//! maps with the AWS SDK for Go, which may write string and number sets, so
//! here they read as lists.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value};

use crate::dynamo::items::parse_number;

/// The attributes of one item (or of one map attribute).
pub(crate) type Attributes = HashMap<String, AttributeValue>;

/// A string attribute, `None` when absent or `NULL`.
pub(crate) fn optional_string<'a>(
    attributes: &'a Attributes,
    name: &str,
) -> Result<Option<&'a str>, String> {
    match attributes.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(text)) => Ok(Some(text)),
        Some(other) => Err(format!("{name} is not a string: {}", kind(other))),
    }
}

/// A string attribute that must be there.
pub(crate) fn required_string<'a>(
    attributes: &'a Attributes,
    name: &str,
) -> Result<&'a str, String> {
    optional_string(attributes, name)?.ok_or_else(|| format!("{name} is missing"))
}

/// An RFC 3339 timestamp attribute in UTC, to the microsecond rez-agent
/// stores; `None` when absent or `NULL`.
pub(crate) fn optional_date(
    attributes: &Attributes,
    name: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    optional_string(attributes, name)?
        .map(|text| {
            rez_core::time::parse(text)
                .map(|at| at.trunc_subsecs(6))
                .map_err(|e| format!("{name} '{text}' is not an RFC 3339 date: {e}"))
        })
        .transpose()
}

/// A whole, non-negative number attribute (`N`, or `S` holding digits);
/// `None` when absent or `NULL`.
pub(crate) fn optional_count(attributes: &Attributes, name: &str) -> Result<Option<u32>, String> {
    let text = match attributes.get(name) {
        None | Some(AttributeValue::Null(_)) => return Ok(None),
        Some(AttributeValue::N(text) | AttributeValue::S(text)) => text,
        Some(other) => return Err(format!("{name} is not a number: {}", kind(other))),
    };
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| format!("{name} '{text}' is not a whole number"))
}

/// A map attribute as a JSON object; empty when absent or `NULL`.
pub(crate) fn optional_object(
    attributes: &Attributes,
    name: &str,
) -> Result<Map<String, Value>, String> {
    match attributes.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(Map::new()),
        Some(AttributeValue::M(fields)) => fields
            .iter()
            .map(|(k, v)| Ok((k.clone(), json(v).map_err(|e| format!("{name}.{k}: {e}"))?)))
            .collect(),
        Some(other) => Err(format!("{name} is not a map: {}", kind(other))),
    }
}

/// Any attribute as JSON: sets become lists; binaries have no JSON form.
pub(crate) fn json(value: &AttributeValue) -> Result<Value, String> {
    Ok(match value {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::S(text) => Value::String(text.clone()),
        AttributeValue::N(text) => Value::Number(parse_number(text)?),
        AttributeValue::Ss(items) => {
            Value::Array(items.iter().cloned().map(Value::String).collect())
        }
        AttributeValue::Ns(items) => Value::Array(
            items
                .iter()
                .map(|text| parse_number(text).map(Value::Number))
                .collect::<Result<_, _>>()?,
        ),
        AttributeValue::L(items) => Value::Array(items.iter().map(json).collect::<Result<_, _>>()?),
        AttributeValue::M(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => return Err(format!("a {} has no JSON form", kind(other))),
    })
}

/// The DynamoDB type of an attribute, for messages.
pub(crate) fn kind(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::B(_) => "binary",
        AttributeValue::Bool(_) => "boolean",
        AttributeValue::Bs(_) => "binary set",
        AttributeValue::L(_) => "list",
        AttributeValue::M(_) => "map",
        AttributeValue::N(_) => "number",
        AttributeValue::Ns(_) => "number set",
        AttributeValue::Null(_) => "null",
        AttributeValue::S(_) => "string",
        AttributeValue::Ss(_) => "string set",
        _ => "value of an unknown type",
    }
}
