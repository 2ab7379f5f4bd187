//! Request and answer shapes in AWS's member names (Step Functions API
//! reference). Required members are `Option`s here so that a missing one is
//! a `ValidationException`, as on AWS, rather than a serialization error.
//! Timestamps are epoch seconds.

use serde::{Deserialize, Serialize};

/// `StartExecution` / `StartSyncExecution` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartExecutionInput {
    /// Required.
    pub(crate) state_machine_arn: Option<String>,
    /// Defaults to a UUID.
    pub(crate) name: Option<String>,
    /// JSON text; defaults to `{}`.
    pub(crate) input: Option<String>,
}

/// `StartSyncExecution` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartSyncExecutionOutput {
    pub(crate) execution_arn: String,
    pub(crate) state_machine_arn: String,
    pub(crate) name: String,
    pub(crate) start_date: f64,
    pub(crate) stop_date: f64,
    /// `SUCCEEDED`, `FAILED` or `TIMED_OUT`.
    pub(crate) status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cause: Option<String>,
    pub(crate) input: String,
    pub(crate) input_details: DataDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output_details: Option<DataDetails>,
}

/// `StartExecution` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartExecutionOutput {
    pub(crate) execution_arn: String,
    pub(crate) start_date: f64,
}

/// `inputDetails` / `outputDetails`: whether the data is included.
#[derive(Debug, Serialize)]
pub(crate) struct DataDetails {
    pub(crate) included: bool,
}

/// `DescribeExecution` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeExecutionInput {
    /// Required.
    pub(crate) execution_arn: Option<String>,
}

/// `DescribeExecution` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeExecutionOutput {
    pub(crate) execution_arn: String,
    pub(crate) state_machine_arn: String,
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) start_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stop_date: Option<f64>,
    pub(crate) input: String,
    pub(crate) input_details: DataDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output_details: Option<DataDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cause: Option<String>,
}

/// `ListExecutions` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListExecutionsInput {
    pub(crate) state_machine_arn: Option<String>,
    pub(crate) map_run_arn: Option<String>,
    pub(crate) status_filter: Option<String>,
    pub(crate) max_results: Option<i64>,
    pub(crate) next_token: Option<String>,
}

/// `ListExecutions` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListExecutionsOutput {
    pub(crate) executions: Vec<ExecutionListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_token: Option<String>,
}

/// One execution in `ListExecutions`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExecutionListItem {
    pub(crate) execution_arn: String,
    pub(crate) state_machine_arn: String,
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) start_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stop_date: Option<f64>,
}

/// `GetExecutionHistory` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetExecutionHistoryInput {
    /// Required.
    pub(crate) execution_arn: Option<String>,
    pub(crate) max_results: Option<i64>,
    pub(crate) reverse_order: Option<bool>,
    pub(crate) next_token: Option<String>,
    /// Defaults to true.
    pub(crate) include_execution_data: Option<bool>,
}

/// `GetExecutionHistory` output: AWS-shaped events as JSON objects.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetExecutionHistoryOutput {
    pub(crate) events: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_token: Option<String>,
}

/// `ListStateMachines` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListStateMachinesInput {
    pub(crate) max_results: Option<i64>,
    pub(crate) next_token: Option<String>,
}

/// `ListStateMachines` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListStateMachinesOutput {
    pub(crate) state_machines: Vec<StateMachineListItem>,
}

/// One state machine in `ListStateMachines`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StateMachineListItem {
    pub(crate) state_machine_arn: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) machine_type: String,
    pub(crate) creation_date: f64,
}

/// `DescribeStateMachine` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeStateMachineInput {
    /// Required.
    pub(crate) state_machine_arn: Option<String>,
}

/// `DescribeStateMachine` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeStateMachineOutput {
    pub(crate) state_machine_arn: String,
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) definition: String,
    pub(crate) role_arn: String,
    #[serde(rename = "type")]
    pub(crate) machine_type: String,
    pub(crate) creation_date: f64,
    pub(crate) logging_configuration: serde_json::Value,
    pub(crate) tracing_configuration: serde_json::Value,
}

/// `ValidateStateMachineDefinition` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ValidateInput {
    /// Required.
    pub(crate) definition: Option<String>,
    /// `STANDARD` or `EXPRESS`; the engine checks both alike.
    #[serde(rename = "type")]
    pub(crate) machine_type: Option<String>,
    /// `ERROR` (default), `WARNING`: the engine reports only errors.
    pub(crate) severity: Option<String>,
    pub(crate) max_results: Option<i64>,
}

/// `ValidateStateMachineDefinition` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ValidateOutput {
    /// `OK` or `FAIL`.
    pub(crate) result: String,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) truncated: bool,
}

/// One finding of `ValidateStateMachineDefinition`.
#[derive(Debug, Serialize)]
pub(crate) struct Diagnostic {
    /// `ERROR` or `WARNING`.
    pub(crate) severity: String,
    /// e.g. `SCHEMA_VALIDATION_FAILED`.
    pub(crate) code: String,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<String>,
}
