//! `DescribeExecution`, `ListExecutions`, `GetExecutionHistory`: what the
//! SQLite store recorded, in AWS's shapes.

use rez_core::ports::{ExecutionQuery, ExecutionRecord, ExecutionStatus};

use super::SfnState;
use super::arn::{check_execution, check_map_run, check_state_machine};
use super::error::SfnError;
use super::history::{page, to_aws_event};
use super::protocol::{page_size, stored_epoch_seconds};
use super::shapes::{
    DataDetails, DescribeExecutionInput, DescribeExecutionOutput, ExecutionListItem,
    GetExecutionHistoryInput, GetExecutionHistoryOutput, ListExecutionsInput, ListExecutionsOutput,
};

/// The one status `ListExecutions` may filter by that no execution of the
/// local engine has (it redrives nothing): the filter lists none.
const PENDING_REDRIVE: &str = "PENDING_REDRIVE";
/// AWS's default and largest page sizes for executions and history events.
const DEFAULT_PAGE: u32 = 100;
const MAX_PAGE: u32 = 1000;

/// The recorded execution an ARN names.
async fn recorded(state: &SfnState, arn: Option<String>) -> Result<ExecutionRecord, SfnError> {
    let arn = arn.ok_or_else(|| SfnError::missing("executionArn"))?;
    check_execution(&arn, state.strict)?;
    state.executions.get_execution(&arn).await?.ok_or_else(|| {
        SfnError::ExecutionDoesNotExist(format!("Execution Does Not Exist: '{arn}'"))
    })
}

/// `DescribeExecution`.
pub(crate) async fn describe(
    state: &SfnState,
    input: DescribeExecutionInput,
) -> Result<DescribeExecutionOutput, SfnError> {
    let record = recorded(state, input.execution_arn).await?;
    let summary = record.summary;
    let output = record.output.as_ref().map(|o| o.to_string());
    Ok(DescribeExecutionOutput {
        state_machine_arn: state.machine().arn().to_owned(),
        name: summary.name,
        status: summary.status.to_string(),
        start_date: stored_epoch_seconds(&summary.start_date)?,
        stop_date: summary
            .stop_date
            .as_deref()
            .map(stored_epoch_seconds)
            .transpose()?,
        input: record.input.to_string(),
        input_details: DataDetails { included: true },
        output_details: output.as_ref().map(|_| DataDetails { included: true }),
        output,
        error: summary.error,
        cause: summary.cause,
        execution_arn: summary.execution_id,
    })
}

/// `ListExecutions`: newest first; the token is the last ARN of the previous page.
pub(crate) async fn list(
    state: &SfnState,
    input: ListExecutionsInput,
) -> Result<ListExecutionsOutput, SfnError> {
    let limit = page_size(input.max_results, DEFAULT_PAGE, MAX_PAGE)?;
    let pending_redrive = input.status_filter.as_deref() == Some(PENDING_REDRIVE);
    let status = match input.status_filter.as_deref() {
        Some(text) if !pending_redrive => Some(text.parse::<ExecutionStatus>().map_err(|_| {
            let all: Vec<&str> = ExecutionStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .chain([PENDING_REDRIVE])
                .collect();
            SfnError::constraint(
                "statusFilter",
                text,
                &format!("Member must satisfy enum value set: [{}]", all.join(", ")),
            )
        })?),
        _ => None,
    };
    match (
        input.state_machine_arn.as_deref(),
        input.map_run_arn.as_deref(),
    ) {
        (Some(arn), None) => {
            check_state_machine(arn, state.machine())?;
            if state.strict {
                return Err(SfnError::StateMachineTypeNotSupported(
                    "This operation is not supported by this type of state machine".into(),
                ));
            }
        }
        (None, Some(arn)) => {
            check_map_run(arn)?;
            return Err(SfnError::ResourceNotFound(format!(
                "Resource Not Found: '{arn}' (the local engine runs no Map Runs)"
            )));
        }
        _ => {
            return Err(SfnError::Validation(
                "Must provide exactly one of a StateMachine ARN or a MapRun ARN".into(),
            ));
        }
    }
    if let Some(token) = input
        .next_token
        .as_deref()
        .filter(|t| !t.starts_with(state.machine().execution_arn_prefix()))
    {
        return Err(SfnError::InvalidToken(format!("Invalid Token: '{token}'")));
    }
    if pending_redrive {
        return Ok(ListExecutionsOutput {
            executions: Vec::new(),
            next_token: None,
        });
    }
    let page = state
        .executions
        .list_executions(&ExecutionQuery {
            status,
            message_id: None,
            limit,
            cursor: input.next_token,
        })
        .await?;
    let executions = page
        .items
        .into_iter()
        .map(|s| {
            Ok(ExecutionListItem {
                state_machine_arn: state.machine().arn().to_owned(),
                start_date: stored_epoch_seconds(&s.start_date)?,
                stop_date: s
                    .stop_date
                    .as_deref()
                    .map(stored_epoch_seconds)
                    .transpose()?,
                execution_arn: s.execution_id,
                name: s.name,
                status: s.status.to_string(),
            })
        })
        .collect::<Result<_, SfnError>>()?;
    Ok(ListExecutionsOutput {
        executions,
        next_token: page.next_cursor,
    })
}

/// `GetExecutionHistory`: oldest first unless `reverseOrder`; the token is an offset.
pub(crate) async fn history(
    state: &SfnState,
    input: GetExecutionHistoryInput,
) -> Result<GetExecutionHistoryOutput, SfnError> {
    let size = page_size(input.max_results, DEFAULT_PAGE, MAX_PAGE)?;
    let record = recorded(state, input.execution_arn).await?;
    let mut events = record.history;
    if input.reverse_order.unwrap_or(false) {
        events.reverse();
    }
    let (events, next_token) = page(&events, input.next_token.as_deref(), size)?;
    let include_data = input.include_execution_data.unwrap_or(true);
    let events = events
        .iter()
        .map(|e| to_aws_event(e, include_data))
        .collect::<Result<_, _>>()?;
    Ok(GetExecutionHistoryOutput { events, next_token })
}
