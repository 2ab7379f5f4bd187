//! The JSON the API answers with, where rez-core has no `Deserialize` type
//! for it (pages, the redrive body and answer); items are rez-core's own
//! types (`Message`, `ExecutionSummary`), and `GET /api/dlq` is rez-core's
//! `DeadLetterList`.

use chrono::{DateTime, Utc};
use rez_core::Message;
use rez_core::ports::ExecutionSummary;
use rez_core::schedule::Schedule;
use serde::{Deserialize, Serialize};

/// `GET /api/messages`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessagePage {
    /// The messages.
    pub items: Vec<Message>,
    /// The cursor of the next page, when there is one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `GET /api/executions`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExecutionPage {
    /// The executions.
    pub items: Vec<ExecutionSummary>,
    /// The cursor of the next page, when there is one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A schedule as the API shows it: its fields and its next fire times.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShownSchedule {
    /// The schedule.
    #[serde(flatten)]
    pub schedule: Schedule,
    /// Its next fire times; none while disabled.
    #[serde(default)]
    pub next_fire_times: Vec<DateTime<Utc>>,
}

/// `GET /api/schedules`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SchedulePage {
    /// The schedules.
    pub items: Vec<ShownSchedule>,
    /// The cursor of the next page, when there is one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only this status (`queued`, `completed`, …).
    pub status: Option<String>,
    /// Only this stage.
    pub stage: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Filters of `GET /api/executions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    /// Only this status.
    pub status: Option<rez_core::ports::ExecutionStatus>,
    /// Only executions of this message.
    pub message_id: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The body of `POST /api/dlq/redrive`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RedriveRequest {
    /// Only these records; all of them when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
}

/// `POST /api/dlq/redrive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Redriven {
    /// How many records went back to the queue.
    pub redriven: u64,
}
