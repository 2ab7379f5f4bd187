//! The [`WorkflowStarter`] on Step Functions: `StartSyncExecution` of the
//! Express notification state machine.

use aws_sdk_sfn::operation::start_sync_execution::StartSyncExecutionOutput;
use aws_sdk_sfn::types::SyncExecutionStatus;
use rez_core::ports::{
    WorkflowError, WorkflowOutcome, WorkflowRequest, WorkflowStarter, WorkflowStatus,
};

use crate::error::describe;

/// Runs executions with `StartSyncExecution` and reads how they ended.
///
/// The call answers HTTP 200 whether the workflow succeeded, failed or timed
/// out: the outcome is in the response's `status` (with `error` and `cause`
/// when it failed). Only a call that could not be made or answered is a
/// [`WorkflowError`]. Point the client at a local endpoint with
/// [`crate::sfn_client`], which strips the `sync-` host prefix there.
#[derive(Debug, Clone)]
pub struct SfnWorkflowStarter {
    client: aws_sdk_sfn::Client,
    state_machine_arn: String,
}

impl SfnWorkflowStarter {
    /// A starter of executions of `state_machine_arn`.
    pub fn new(client: aws_sdk_sfn::Client, state_machine_arn: impl Into<String>) -> Self {
        Self {
            client,
            state_machine_arn: state_machine_arn.into(),
        }
    }
}

#[async_trait::async_trait]
impl WorkflowStarter for SfnWorkflowStarter {
    async fn start_sync(
        &self,
        request: &WorkflowRequest,
    ) -> Result<WorkflowOutcome, WorkflowError> {
        let output = self
            .client
            .start_sync_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(&request.name)
            .input(request.input.to_string())
            .send()
            .await
            .map_err(|e| {
                WorkflowError::Unavailable(format!(
                    "StartSyncExecution {} on {}: {}",
                    request.name,
                    self.state_machine_arn,
                    describe(&e)
                ))
            })?;
        outcome(&output)
    }
}

/// Maps a `StartSyncExecution` answer to the port's outcome.
fn outcome(output: &StartSyncExecutionOutput) -> Result<WorkflowOutcome, WorkflowError> {
    let status = match output.status() {
        SyncExecutionStatus::Succeeded => WorkflowStatus::Succeeded,
        SyncExecutionStatus::Failed => WorkflowStatus::Failed {
            error: output.error().map(str::to_owned),
            cause: output.cause().map(str::to_owned),
        },
        SyncExecutionStatus::TimedOut => WorkflowStatus::TimedOut,
        other => {
            return Err(WorkflowError::Unreadable(format!(
                "execution {} ended in unknown status {}",
                output.execution_arn(),
                other.as_str()
            )));
        }
    };
    let output_value = match (&status, output.output()) {
        (WorkflowStatus::Succeeded, Some(text)) => Some(
            // An output that is not JSON is still kept, as a string.
            serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.to_owned())),
        ),
        _ => None,
    };
    Ok(WorkflowOutcome {
        execution_id: output.execution_arn().to_owned(),
        status,
        output: output_value,
        start_date: date(output.start_date(), "startDate", output)?,
        stop_date: date(output.stop_date(), "stopDate", output)?,
    })
}

/// A date of the answer as a UTC time.
fn date(
    value: &aws_sdk_sfn::primitives::DateTime,
    field: &str,
    output: &StartSyncExecutionOutput,
) -> Result<chrono::DateTime<chrono::Utc>, WorkflowError> {
    value
        .to_millis()
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .ok_or_else(|| {
            WorkflowError::Unreadable(format!(
                "execution {} answered a {field} out of range: {value}",
                output.execution_arn()
            ))
        })
}

#[cfg(test)]
mod tests;
