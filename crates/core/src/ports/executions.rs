//! The execution reader port: what the API shows about executions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::ValidationError;
use crate::message::text_enum;

text_enum!(
    /// Where an execution stands: Step Functions' `ExecutionStatus`, the
    /// values the API, the CLI and both stores show and filter by.
    ExecutionStatus, "status" {
        /// Started, not ended (the embedded engine records this at the start).
        Running => "RUNNING",
        /// Ended in a Succeed state or an `End` state.
        Succeeded => "SUCCEEDED",
        /// A state failed and nothing caught the error.
        Failed => "FAILED",
        /// The machine's `TimeoutSeconds` elapsed.
        TimedOut => "TIMED_OUT",
        /// Stopped before it ended (a process that died mid-execution).
        Aborted => "ABORTED",
    }
);

impl ExecutionStatus {
    /// Reads a status in any case (`failed`, `FAILED`), as the API's and
    /// the CLI's filters take it.
    ///
    /// # Errors
    /// A [`ValidationError`] on `status` naming the values it takes.
    pub fn parse_any_case(text: &str) -> Result<Self, ValidationError> {
        text.to_ascii_uppercase().parse().map_err(|_| {
            ValidationError::new(
                "status",
                format!(
                    "unknown status '{text}': expected one of {}",
                    Self::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }
}

/// One execution in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionSummary {
    /// Its id (ARN-shaped).
    pub execution_id: String,
    /// Its name.
    pub name: String,
    /// The message it delivered, when the input named one.
    pub message_id: Option<String>,
    /// Where it stands.
    pub status: ExecutionStatus,
    /// Start time (sortable format).
    pub start_date: String,
    /// End time, when it ended.
    pub stop_date: Option<String>,
    /// Run time in milliseconds, when it ended.
    pub duration_ms: Option<i64>,
    /// How many times a Task was started (first tries and retries); `None`
    /// where the list is read without the histories (on AWS, where each
    /// history is a read of the state machine's log group, only
    /// `GET /api/executions/{id}` counts them).
    pub task_attempts: Option<u32>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause it failed with.
    pub cause: Option<String>,
}

/// One execution with its input, output and event history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: ExecutionSummary,
    /// The execution input.
    pub input: serde_json::Value,
    /// The execution output, when it succeeded.
    pub output: Option<serde_json::Value>,
    /// The history events in AWS's GetExecutionHistory shape.
    pub history: Vec<serde_json::Value>,
}

/// A filtered, paged execution list request, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionQuery {
    /// Only this status.
    pub status: Option<ExecutionStatus>,
    /// Only executions of this message.
    pub message_id: Option<String>,
    /// Page size.
    pub limit: u32,
    /// Continue after this execution (the previous page's `next_cursor`).
    pub cursor: Option<String>,
}

/// One page of executions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionPage {
    /// Newest first.
    pub items: Vec<ExecutionSummary>,
    /// The cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Keeps the summaries of the executions that the workflow service does not
/// list itself.
///
/// Step Functions keeps no list of Express executions, so on AWS the
/// processor records each execution it started once `StartSyncExecution`
/// has answered how it ended. The embedded engine records its own
/// executions and needs no recorder.
#[async_trait::async_trait]
pub trait ExecutionRecorder: Send + Sync {
    /// Records an execution that ended, with its input and output.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn record_execution(
        &self,
        summary: &ExecutionSummary,
        input: &serde_json::Value,
        output: Option<&serde_json::Value>,
    ) -> Result<(), StoreError>;
}

/// Reads recorded executions.
#[async_trait::async_trait]
pub trait ExecutionReader: Send + Sync {
    /// Lists executions newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn list_executions(&self, query: &ExecutionQuery) -> Result<ExecutionPage, StoreError>;

    /// One execution with its history.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn get_execution(
        &self,
        execution_id: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_in_any_case_and_a_wrong_one_names_every_value() {
        assert_eq!(
            ExecutionStatus::parse_any_case("timed_out"),
            Ok(ExecutionStatus::TimedOut)
        );
        assert_eq!(
            serde_json::to_value(ExecutionStatus::TimedOut).ok(),
            Some(serde_json::json!("TIMED_OUT"))
        );
        let wrong = ExecutionStatus::parse_any_case("done").err();
        assert_eq!(
            wrong.map(|e| e.message),
            Some(
                "unknown status 'done': expected one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED"
                    .to_owned()
            )
        );
    }
}
