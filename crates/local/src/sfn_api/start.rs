//! `StartSyncExecution` and `StartExecution`: run the local state machine
//! through the processor's [`LocalWorkflow`](crate::workflow::LocalWorkflow),
//! so every execution is recorded like the processor's.

use rez_core::ports::WorkflowRequest;
use rez_states::ExecutionStatus;
use rez_states::errors::MAX_PAYLOAD_BYTES;
use tracing::Instrument;

use super::SfnState;
use super::arn::{check_name, check_state_machine};
use super::error::SfnError;
use super::protocol::epoch_seconds;
use super::shapes::{
    DataDetails, StartExecutionInput, StartExecutionOutput, StartSyncExecutionOutput,
};
use crate::workflow::MachineIdentity;

/// A start request that passed every check, with the input as the client wrote it.
struct Checked {
    request: WorkflowRequest,
    input_text: String,
}

/// Checks the members in AWS's order: constraints, the ARN, the name, the input.
fn check(input: StartExecutionInput, served: &MachineIdentity) -> Result<Checked, SfnError> {
    let arn = input
        .state_machine_arn
        .ok_or_else(|| SfnError::missing("stateMachineArn"))?;
    let input_text = input.input.unwrap_or_else(|| "{}".to_owned());
    if input_text.len() > MAX_PAYLOAD_BYTES {
        return Err(SfnError::constraint(
            "input",
            "…",
            &format!("Member must have length less than or equal to {MAX_PAYLOAD_BYTES}"),
        ));
    }
    check_state_machine(&arn, served)?;
    let name = match input.name {
        Some(name) => {
            check_name(&name)?;
            name
        }
        None => uuid::Uuid::new_v4().to_string(),
    };
    let value = serde_json::from_str(&input_text).map_err(|e| {
        SfnError::InvalidExecutionInput(format!("Invalid State Machine Execution Input: '{e}'"))
    })?;
    Ok(Checked {
        request: WorkflowRequest { name, input: value },
        input_text,
    })
}

/// `StartSyncExecution`: run to the end and answer how it ended.
pub(crate) async fn start_sync(
    state: &SfnState,
    input: StartExecutionInput,
) -> Result<StartSyncExecutionOutput, SfnError> {
    let Checked {
        request,
        input_text,
    } = check(input, state.machine())?;
    // Held until the execution ends: bounds the executions a burst of
    // synchronous calls can run at once.
    let _permit = state
        .sync_permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            SfnError::Throttling(format!(
                "Rate exceeded: {} synchronous executions are already running",
                super::MAX_SYNC_EXECUTIONS
            ))
        })?;
    let pending = state.workflow.begin(&request).await?;
    let execution_arn = pending.execution_arn().to_owned();
    tracing::info!(%execution_arn, "running a synchronous execution");
    let execution = state.workflow.run(pending).await?;
    let status = match execution.status {
        ExecutionStatus::Succeeded => "SUCCEEDED",
        ExecutionStatus::Failed => "FAILED",
        ExecutionStatus::TimedOut => "TIMED_OUT",
    };
    let output = execution.output.as_ref().map(|o| o.to_string());
    Ok(StartSyncExecutionOutput {
        execution_arn,
        state_machine_arn: state.machine().arn().to_owned(),
        name: request.name,
        start_date: epoch_seconds(execution.start_date),
        stop_date: epoch_seconds(execution.stop_date),
        status: status.to_owned(),
        error: execution.error,
        cause: execution.cause,
        input: input_text,
        input_details: DataDetails { included: true },
        output_details: output.as_ref().map(|_| DataDetails { included: true }),
        output,
    })
}

/// `StartExecution`: record it as RUNNING, run it in the background, answer at once.
///
/// The run is tracked by the stack, so shutdown waits for it.
pub(crate) async fn start(
    state: &SfnState,
    input: StartExecutionInput,
) -> Result<StartExecutionOutput, SfnError> {
    let Checked { request, .. } = check(input, state.machine())?;
    let permit = state.permits.clone().try_acquire_owned().map_err(|_| {
        SfnError::ExecutionLimitExceeded(format!(
            "{} executions started by StartExecution are still running; wait for one to end",
            super::MAX_ASYNC_EXECUTIONS
        ))
    })?;
    let pending = state.workflow.begin(&request).await?;
    let answer = StartExecutionOutput {
        execution_arn: pending.execution_arn().to_owned(),
        start_date: epoch_seconds(pending.start_date()),
    };
    let workflow = state.workflow.clone();
    let abandon = state.abandon.clone();
    let span = tracing::info_span!("sfn_execution", execution_arn = %answer.execution_arn);
    state.background.spawn(
        async move {
            let _permit = permit;
            tokio::select! {
                ran = workflow.run(pending) => if let Err(error) = ran {
                    tracing::error!(%error, "an execution started by StartExecution was not recorded");
                },
                () = abandon.cancelled() => {
                    tracing::warn!("rez-agent stopped before the execution ended: it stays RUNNING until the next start closes it");
                }
            }
        }
        .instrument(span),
    );
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::STATE_MACHINE_ARN;

    fn input(arn: Option<&str>, name: Option<&str>, text: Option<&str>) -> StartExecutionInput {
        StartExecutionInput {
            state_machine_arn: arn.map(str::to_owned),
            name: name.map(str::to_owned),
            input: text.map(str::to_owned),
        }
    }

    #[test]
    fn a_start_defaults_to_a_uuid_name_and_empty_input() {
        let checked = check(
            input(Some(STATE_MACHINE_ARN), None, None),
            &MachineIdentity::local(),
        )
        .ok();
        let request = checked.as_ref().map(|c| &c.request);
        assert_eq!(
            request.map(|r| r.input.clone()),
            Some(serde_json::json!({}))
        );
        assert!(request.is_some_and(|r| uuid::Uuid::parse_str(&r.name).is_ok()));
        assert_eq!(checked.map(|c| c.input_text), Some("{}".to_owned()));
    }

    #[test]
    fn bad_starts_are_refused_with_aws_error_names() {
        let big = format!("\"{}\"", "x".repeat(MAX_PAYLOAD_BYTES));
        let other = "arn:aws:states:local:000000000000:stateMachine:other";
        let cases = [
            (input(None, None, None), "ValidationException"),
            (input(Some("nope"), None, None), "InvalidArn"),
            (input(Some(other), None, None), "StateMachineDoesNotExist"),
            (
                input(Some(STATE_MACHINE_ARN), Some("a b"), None),
                "InvalidName",
            ),
            (
                input(Some(STATE_MACHINE_ARN), None, Some("{x")),
                "InvalidExecutionInput",
            ),
            (
                input(Some(STATE_MACHINE_ARN), None, Some(&big)),
                "ValidationException",
            ),
        ];
        for (start, expected) in cases {
            let error = check(start, &MachineIdentity::local())
                .err()
                .map(|e| e.type_name());
            assert!(
                error.as_deref().is_some_and(|t| t.ends_with(expected)),
                "{expected}: {error:?}"
            );
        }
    }
}
