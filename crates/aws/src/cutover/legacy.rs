//! A message of the Go system as one of rez-agent's.
//!
//! | Go attribute | rez-agent field |
//! |---|---|
//! | `id` (`msg_20240115120000_123456`) | `id`: [`legacy_message_id`]; the old id in `arguments.legacy_id` |
//! | `created_date` (RFC 3339) | `created_date`, to the microsecond |
//! | `created_by` | `created_by` (`legacy` when absent or empty) |
//! | `stage` | `stage`; absent: the stage copied; another stage: skipped |
//! | `message_type` | `hello_world`, `scheduled` → `scheduled`; `manual`, `notification` → `notification`; `web_action` and anything else: skipped |
//! | `status` | see below |
//! | `payload` | a string: the text; a map: `message` (required), `title`, `priority`, `tags`, `click`, `icon`, `markdown` |
//! | `arguments` (map) | `arguments`, plus `legacy_id` |
//! | `updated_date` | `updated_date` (`created_date` when absent or earlier) |
//! | `retry_count` | `retry_count` |
//! | `error_message` | `error_message` of a `failed` message |
//!
//! Status: `completed` stays `completed`, delivered at the old
//! `updated_date` (the Go system recorded no delivery time; its last change
//! of a completed message is the delivery). `failed` stays `failed`.
//! `created`, `queued` and `processing` become `failed` with
//! [`UNFINISHED_REASON`] and the copy's time as `updated_date`: rez-agent's
//! reconciler would otherwise publish such a message again (it sends round
//! every overdue `created`, `queued` and `processing` message), delivering
//! it a second time if the Go system finished it after all.
//!
//! The Go system recorded no publish attempts: `delivery_attempts` is 0.
//! `ttl` is `created_date` + [`RETENTION_DAYS`]; a message already past that
//! is skipped as expired unless the copy includes expired messages, which
//! then expire [`RETENTION_DAYS`] after the copy.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SubsecRound, Utc};
use rez_core::message::RETENTION_DAYS;
use rez_core::{Message, MessageType, Notification, Priority, Stage, Status};
use serde_json::Value;

use super::attributes::{
    Attributes, kind, optional_count, optional_date, optional_object, optional_string,
    required_string,
};
use super::id::legacy_message_id;
use super::options::CopyOptions;
use super::report::{SkipReason, Skipped};

/// The argument holding a copied message's id in the Go system.
pub const LEGACY_ID_ARGUMENT: &str = "legacy_id";

/// The `created_by` of a copied message whose old item named no creator.
pub const LEGACY_CREATED_BY: &str = "legacy";

/// The `error_message` of a copied message the Go system had not finished.
pub const UNFINISHED_REASON: &str = "Cutover.Unfinished: the Go system had not finished \
     delivering this message when it was copied to rez-agent, which does not deliver copied \
     messages; send it again if it is still wanted";

/// The `error_message` of a copied `failed` message whose old item gave no
/// reason.
pub const LEGACY_FAILED_REASON: &str = "failed in the Go system, which recorded no reason";

/// What `<no id>` stands for in a report: an item without a string `id`.
const NO_ID: &str = "<no id>";

/// Seconds a message is kept.
const RETENTION_SECONDS: i64 = RETENTION_DAYS * 24 * 3600;

/// An old item as the message to store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Converted {
    /// The item's `id` in the old table.
    pub(crate) legacy_id: String,
    /// The message, as rez-agent will hold it.
    pub(crate) message: Message,
    /// Whether the Go system had not finished it (it is copied as `failed`).
    pub(crate) unfinished: bool,
}

/// Converts one item of the old table, or says why it is not copied.
pub(crate) fn convert(item: &Attributes, options: &CopyOptions) -> Result<Converted, Skipped> {
    let legacy_id = match item.get("id") {
        Some(AttributeValue::S(id)) => id.as_str(),
        _ => NO_ID,
    };
    let skip = |reason: SkipReason, detail: String| Skipped {
        reason,
        legacy_id: legacy_id.to_owned(),
        detail,
    };
    let malformed = |detail: String| skip(SkipReason::Malformed, detail);
    if legacy_id == NO_ID {
        return Err(malformed("id is missing or not a string".to_owned()));
    }

    let message_type = match required_string(item, "message_type").map_err(malformed)? {
        "hello_world" | "scheduled" => MessageType::Scheduled,
        "manual" | "notification" => MessageType::Notification,
        "web_action" => {
            return Err(skip(
                SkipReason::WebAction,
                "message_type web_action".into(),
            ));
        }
        other => {
            return Err(skip(
                SkipReason::UnknownType,
                format!("message_type {other}"),
            ));
        }
    };
    let created_date = optional_date(item, "created_date")
        .and_then(|date| date.ok_or_else(|| "created_date is missing".to_owned()))
        .map_err(malformed)?;
    let stage = match optional_string(item, "stage").map_err(malformed)? {
        None => options.stage,
        Some(text) => text
            .parse::<Stage>()
            .map_err(|e| malformed(e.to_string()))?,
    };
    if stage != options.stage {
        return Err(skip(
            SkipReason::OtherStage,
            format!("stage {stage}, not {}", options.stage),
        ));
    }
    let ttl = ttl(created_date, options).ok_or_else(|| {
        skip(
            SkipReason::Expired,
            format!(
                "created {}, more than {RETENTION_DAYS} days ago",
                rez_core::time::format(created_date)
            ),
        )
    })?;

    let old_status = required_string(item, "status").map_err(malformed)?;
    let payload = payload(item).map_err(malformed)?;
    let mut arguments = optional_object(item, "arguments").map_err(malformed)?;
    arguments.insert(LEGACY_ID_ARGUMENT.to_owned(), Value::from(legacy_id));
    let updated_date = optional_date(item, "updated_date")
        .map_err(malformed)?
        .map_or(created_date, |at| at.max(created_date));
    let old_error = optional_string(item, "error_message").map_err(malformed)?;
    let created_by = optional_string(item, "created_by")
        .map_err(malformed)?
        .filter(|by| !by.trim().is_empty())
        .unwrap_or(LEGACY_CREATED_BY);
    let retry_count = optional_count(item, "retry_count")
        .map_err(malformed)?
        .unwrap_or(0);
    let id = legacy_message_id(legacy_id, created_date).map_err(malformed)?;

    let mut message = Message {
        id,
        created_date,
        created_by: created_by.to_owned(),
        stage,
        message_type,
        status: Status::Failed,
        payload,
        arguments,
        updated_date,
        error_message: None,
        retry_count,
        delivery_attempts: 0,
        execution_id: None,
        delivered_at: None,
        ntfy_message_id: None,
        ttl,
    };
    let mut unfinished = false;
    match old_status {
        "completed" => {
            message.status = Status::Completed;
            message.delivered_at = Some(updated_date);
        }
        "failed" => {
            message.error_message = Some(
                old_error
                    .filter(|why| !why.trim().is_empty())
                    .unwrap_or(LEGACY_FAILED_REASON)
                    .to_owned(),
            );
        }
        "created" | "queued" | "processing" => {
            unfinished = true;
            message.error_message = Some(UNFINISHED_REASON.to_owned());
            message.updated_date = options.now.trunc_subsecs(6).max(updated_date);
        }
        other => return Err(malformed(format!("status '{other}' is not a Go status"))),
    }
    Ok(Converted {
        legacy_id: legacy_id.to_owned(),
        message,
        unfinished,
    })
}

/// The expiry of a message created at `created`: `None` when that is
/// already past and expired messages are not copied.
fn ttl(created: DateTime<Utc>, options: &CopyOptions) -> Option<i64> {
    let expires = created.timestamp() + RETENTION_SECONDS;
    let now = options.now.timestamp();
    if expires > now {
        Some(expires)
    } else {
        options.include_expired.then_some(now + RETENTION_SECONDS)
    }
}

/// The notification of an old item: its `payload` string, or the ntfy
/// fields of its `payload` map.
fn payload(item: &Attributes) -> Result<Notification, String> {
    let notification = match item.get("payload") {
        Some(AttributeValue::S(text)) => Notification::text(text.as_str()),
        Some(AttributeValue::M(fields)) => notification(fields)?,
        None | Some(AttributeValue::Null(_)) => return Err("payload is missing".to_owned()),
        Some(other) => {
            return Err(format!(
                "payload is neither a string nor a map: {}",
                kind(other)
            ));
        }
    };
    if notification.message.trim().is_empty() {
        return Err("payload has no message text".to_owned());
    }
    Ok(notification)
}

/// The ntfy fields of a `payload` map (others are left behind).
fn notification(fields: &Attributes) -> Result<Notification, String> {
    let field = |name: &str| {
        optional_string(fields, name)
            .map(|text| text.filter(|t| !t.is_empty()).map(str::to_owned))
            .map_err(|e| format!("payload.{e}"))
    };
    let mut notification = Notification::text(
        optional_string(fields, "message")
            .map_err(|e| format!("payload.{e}"))?
            .ok_or_else(|| "payload.message is missing".to_owned())?,
    );
    notification.title = field("title")?;
    notification.click = field("click")?;
    notification.icon = field("icon")?;
    notification.priority = match fields.get("priority") {
        None | Some(AttributeValue::Null(_)) => None,
        Some(AttributeValue::N(text) | AttributeValue::S(text)) => Some(
            text.parse::<Priority>()
                .map_err(|e| format!("payload.priority: {e}"))?,
        ),
        Some(other) => return Err(format!("payload.priority is a {}", kind(other))),
    };
    notification.tags = match fields.get("tags") {
        None | Some(AttributeValue::Null(_)) => Vec::new(),
        Some(AttributeValue::Ss(tags)) => tags.clone(),
        Some(AttributeValue::L(tags)) => tags
            .iter()
            .map(|tag| match tag {
                AttributeValue::S(text) => Ok(text.clone()),
                other => Err(format!("payload.tags holds a {}", kind(other))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(format!("payload.tags is a {}", kind(other))),
    };
    notification.markdown = match fields.get("markdown") {
        None | Some(AttributeValue::Null(_)) => false,
        Some(AttributeValue::Bool(markdown)) => *markdown,
        Some(other) => return Err(format!("payload.markdown is a {}", kind(other))),
    };
    Ok(notification)
}
