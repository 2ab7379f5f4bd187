//! The [`ExecutionReader`] on AWS: the summaries the processor recorded in
//! the message table, each history from the state machine's log group.

use rez_core::StoreError;
use rez_core::ports::{ExecutionPage, ExecutionQuery, ExecutionReader, ExecutionRecord};

use crate::dynamo::DynamoExecutionStore;
use crate::logs::ExecutionLogGroup;

/// Executions as the API shows them on AWS.
///
/// The list reads only the table, so its summaries carry no
/// `task_attempts`; one execution is its summary plus the history its log
/// events hold, with the Task starts counted from them. An execution whose
/// log events have not arrived (CloudWatch Logs delivers them best-effort,
/// after a delay) has an empty history and no count.
#[derive(Debug, Clone)]
pub struct AwsExecutionReader {
    summaries: DynamoExecutionStore,
    log_group: ExecutionLogGroup,
}

impl AwsExecutionReader {
    /// Reads `summaries` and the histories in `log_group`.
    pub fn new(summaries: DynamoExecutionStore, log_group: ExecutionLogGroup) -> Self {
        Self {
            summaries,
            log_group,
        }
    }
}

#[async_trait::async_trait]
impl ExecutionReader for AwsExecutionReader {
    async fn list_executions(&self, query: &ExecutionQuery) -> Result<ExecutionPage, StoreError> {
        self.summaries.list(query).await
    }

    async fn get_execution(
        &self,
        execution_id: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError> {
        let Some(recorded) = self.summaries.get(execution_id).await? else {
            return Ok(None);
        };
        let mut summary = recorded.summary;
        let corrupt = |field: &str, text: &str| {
            StoreError::Corrupt(format!("execution {execution_id}: {field} '{text}'"))
        };
        let start = rez_core::time::parse(&summary.start_date)
            .map_err(|_| corrupt("start_date", &summary.start_date))?;
        let stop = match &summary.stop_date {
            Some(text) => rez_core::time::parse(text).map_err(|_| corrupt("stop_date", text))?,
            None => start,
        };
        let history = self.log_group.history(execution_id, start, stop).await?;
        let scheduled = history
            .iter()
            .filter(|event| event["type"] == "TaskScheduled")
            .count();
        summary.task_attempts =
            (!history.is_empty()).then(|| u32::try_from(scheduled).unwrap_or(u32::MAX));
        Ok(Some(ExecutionRecord {
            summary,
            input: recorded.input,
            output: recorded.output,
            history,
        }))
    }
}
