//! The workflow port: run the notification state machine for one message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One synchronous execution to start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRequest {
    /// A unique execution name.
    pub name: String,
    /// The execution input, e.g. `{"message_id": "…"}`.
    pub input: serde_json::Value,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    /// It reached a Succeed or End state.
    Succeeded,
    /// It reached a Fail state or an uncaught error.
    Failed {
        /// The States error name.
        error: Option<String>,
        /// The cause text.
        cause: Option<String>,
    },
    /// It ran past the execution's time limit.
    TimedOut,
}

/// The result of a synchronous execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowOutcome {
    /// The execution's id (ARN on AWS).
    pub execution_id: String,
    /// How it ended.
    pub status: WorkflowStatus,
    /// Its output, when it succeeded.
    pub output: Option<serde_json::Value>,
    /// When it started, as the service reports it.
    pub start_date: DateTime<Utc>,
    /// When it ended, as the service reports it.
    pub stop_date: DateTime<Utc>,
}

/// The execution could not be started, or how it ended not be known.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The workflow service could not be reached or refused the start
    /// (`StartSyncExecution` failed).
    #[error("starting the workflow failed: {0}")]
    Unavailable(String),
    /// The service answered something this code does not read (an unknown
    /// status, a date out of range).
    #[error("the workflow's answer is not understood: {0}")]
    Unreadable(String),
    /// The local engine could not record the execution's start or end.
    #[error("recording the execution failed: {0}")]
    NotRecorded(#[from] crate::StoreError),
}

/// Starts executions and waits for their end (StartSyncExecution).
#[async_trait::async_trait]
pub trait WorkflowStarter: Send + Sync {
    /// Runs one execution to its end.
    ///
    /// # Errors
    /// The service could not start it or answer.
    async fn start_sync(&self, request: &WorkflowRequest)
    -> Result<WorkflowOutcome, WorkflowError>;
}
