//! The local Step Functions: run one state machine in-process, its Task
//! states served by a [`TaskHandler`], and record every execution.
//!
//! `rez-agent up` runs `notification.asl.json` with [`LocalTasks`] (the task
//! functions called in-process); `rez-agent stepfunctions` runs any
//! definition with [`crate::lambda::LambdaTasks`] (a Lambda Invoke API).

mod identity;
mod local_tasks;

use async_trait::async_trait;
use rez_core::ports::ExecutionStatus as RecordedStatus;
use rez_core::ports::{
    ExecutionRecord, ExecutionSummary, WorkflowError, WorkflowOutcome, WorkflowRequest,
    WorkflowStarter, WorkflowStatus,
};
use rez_states::{Execution, ExecutionOptions, ExecutionStatus, StateMachine, TaskHandler};
use std::sync::Arc;
use std::time::Duration;

use rez_sqlite::SqliteStore;

pub use identity::{InvalidMachineArn, MachineIdentity};
pub use local_tasks::{
    KNOWN_RESOURCES, LOAD_MESSAGE_RESOURCE, LocalTasks, RECORD_STATUS_RESOURCE,
    SEND_NOTIFICATION_RESOURCE,
};

/// Name of the local state machine (as in its ARN).
pub const STATE_MACHINE_NAME: &str = "rez-agent-notification";
/// ARN of the local state machine (`$$.StateMachine.Id`).
pub const STATE_MACHINE_ARN: &str =
    "arn:aws:states:local:000000000000:stateMachine:rez-agent-notification";
/// The name of the role executions run as.
pub const ROLE_NAME: &str = "rez-agent-local";
/// The role executions run as (`$$.Execution.RoleArn`).
pub const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/rez-agent-local";
/// What every execution ARN starts with: `<prefix><name>:<uuid>`, as Express executions are named.
pub const EXECUTION_ARN_PREFIX: &str =
    "arn:aws:states:local:000000000000:express:rez-agent-notification:";
/// Express executions stop after five minutes on AWS.
pub const EXPRESS_MAX_DURATION: Duration = Duration::from_secs(300);

/// A Task resource the chosen [`TaskHandler`] cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the definition uses resource {resource}; this runtime runs only {supported}")]
pub struct UnsupportedResource {
    /// The resource, as the definition writes it.
    pub resource: String,
    /// What the runtime runs instead, in words.
    pub supported: String,
}

impl MachineIdentity {
    /// The one state machine of `rez-agent up`: [`STATE_MACHINE_ARN`],
    /// running as [`ROLE_ARN`].
    pub fn local() -> Self {
        match MachineIdentity::from_arn(STATE_MACHINE_ARN, ROLE_NAME) {
            Ok(identity) => identity,
            // STATE_MACHINE_ARN is a constant the tests check parses.
            Err(_) => unreachable!("STATE_MACHINE_ARN is a state machine ARN"),
        }
    }
}

/// Runs one state machine locally, like StartSyncExecution.
pub struct LocalWorkflow {
    machine: Arc<StateMachine>,
    identity: MachineIdentity,
    tasks: Arc<dyn TaskHandler>,
    store: SqliteStore,
    time_scale: f64,
}

impl LocalWorkflow {
    /// A workflow running `machine` as `identity`, its Task states served
    /// by `tasks` (which the caller checked runs every resource), recording
    /// into `store`.
    pub fn new(
        machine: StateMachine,
        identity: MachineIdentity,
        tasks: Arc<dyn TaskHandler>,
        store: SqliteStore,
        time_scale: f64,
    ) -> Self {
        Self {
            machine: Arc::new(machine),
            identity,
            tasks,
            store,
            time_scale,
        }
    }

    /// The identity of the state machine it runs.
    pub fn identity(&self) -> &MachineIdentity {
        &self.identity
    }

    fn options(&self, name: &str) -> ExecutionOptions {
        ExecutionOptions {
            execution_name: name.to_owned(),
            execution_id: format!(
                "{}{name}:{}",
                self.identity.execution_arn_prefix(),
                uuid::Uuid::new_v4()
            ),
            state_machine_id: self.identity.arn().to_owned(),
            state_machine_name: self.identity.name().to_owned(),
            role_arn: self.identity.role_arn().to_owned(),
            time_scale: self.time_scale,
            max_duration: Some(EXPRESS_MAX_DURATION),
            value_limit_bytes: rez_states::value::DEFAULT_LIMIT_BYTES,
        }
    }

    /// Records a new execution as RUNNING, so it is visible before it runs.
    ///
    /// # Errors
    /// The store could not record it.
    pub async fn begin(
        &self,
        request: &WorkflowRequest,
    ) -> Result<PendingExecution, WorkflowError> {
        let options = self.options(&request.name);
        let start_date = chrono::Utc::now();
        let started = running_summary(&options, &request.input, start_date);
        self.store.begin_execution(&started, &request.input).await?;
        Ok(PendingExecution {
            options,
            input: request.input.clone(),
            start_date,
        })
    }

    /// Runs an execution [`LocalWorkflow::begin`] recorded, then records how it ended.
    ///
    /// # Errors
    /// The store could not record the result (the execution itself ran).
    pub async fn run(&self, pending: PendingExecution) -> Result<Execution, WorkflowError> {
        let execution = rez_states::execute(
            &self.machine,
            pending.input.clone(),
            self.tasks.as_ref(),
            &pending.options,
        )
        .await;
        let record = to_record(&pending.options, &pending.input, &execution);
        self.store.record_execution(&record).await?;
        Ok(execution)
    }
}

/// An execution recorded as RUNNING that has not run yet.
#[derive(Debug, Clone)]
pub struct PendingExecution {
    options: ExecutionOptions,
    input: serde_json::Value,
    start_date: chrono::DateTime<chrono::Utc>,
}

impl PendingExecution {
    /// Its execution ARN.
    pub fn execution_arn(&self) -> &str {
        &self.options.execution_id
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.options.execution_name
    }

    /// Its input.
    pub fn input(&self) -> &serde_json::Value {
        &self.input
    }

    /// When it was recorded as started.
    pub fn start_date(&self) -> chrono::DateTime<chrono::Utc> {
        self.start_date
    }
}

#[async_trait]
impl WorkflowStarter for LocalWorkflow {
    async fn start_sync(
        &self,
        request: &WorkflowRequest,
    ) -> Result<WorkflowOutcome, WorkflowError> {
        let pending = self.begin(request).await?;
        let execution_id = pending.execution_arn().to_owned();
        let execution = self.run(pending).await?;
        let status = match execution.status {
            ExecutionStatus::Succeeded => WorkflowStatus::Succeeded,
            ExecutionStatus::Failed => WorkflowStatus::Failed {
                error: execution.error,
                cause: execution.cause,
            },
            ExecutionStatus::TimedOut => WorkflowStatus::TimedOut,
        };
        Ok(WorkflowOutcome {
            execution_id,
            status,
            output: execution.output.map(serde_json::Value::from),
            start_date: execution.start_date,
            stop_date: execution.stop_date,
        })
    }
}

fn message_id_of(input: &serde_json::Value) -> Option<String> {
    input
        .get("message_id")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn running_summary(
    options: &ExecutionOptions,
    input: &serde_json::Value,
    start_date: chrono::DateTime<chrono::Utc>,
) -> ExecutionSummary {
    ExecutionSummary {
        execution_id: options.execution_id.clone(),
        name: options.execution_name.clone(),
        message_id: message_id_of(input),
        status: RecordedStatus::Running,
        start_date: rez_core::time::format(start_date),
        stop_date: None,
        duration_ms: None,
        task_attempts: Some(0),
        error: None,
        cause: None,
    }
}

/// Turns an engine result into the record the store keeps and the API shows.
pub fn to_record(
    options: &ExecutionOptions,
    input: &serde_json::Value,
    execution: &Execution,
) -> ExecutionRecord {
    let status = match execution.status {
        ExecutionStatus::Succeeded => RecordedStatus::Succeeded,
        ExecutionStatus::Failed => RecordedStatus::Failed,
        ExecutionStatus::TimedOut => RecordedStatus::TimedOut,
    };
    let history: Vec<serde_json::Value> = execution
        .history
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect();
    let task_attempts = execution
        .history
        .iter()
        .filter(|e| matches!(e.event_type, rez_states::EventType::TaskScheduled))
        .count();
    ExecutionRecord {
        summary: ExecutionSummary {
            execution_id: options.execution_id.clone(),
            name: options.execution_name.clone(),
            message_id: message_id_of(input),
            status,
            start_date: rez_core::time::format(execution.start_date),
            stop_date: Some(rez_core::time::format(execution.stop_date)),
            duration_ms: Some((execution.stop_date - execution.start_date).num_milliseconds()),
            task_attempts: Some(u32::try_from(task_attempts).unwrap_or(u32::MAX)),
            error: execution.error.clone(),
            cause: execution.cause.clone(),
        },
        input: input.clone(),
        output: execution.output.as_deref().cloned(),
        history,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_identity_is_the_constants() {
        let local = MachineIdentity::local();
        assert_eq!(local.arn(), STATE_MACHINE_ARN);
        assert_eq!(local.name(), STATE_MACHINE_NAME);
        assert_eq!(local.execution_arn_prefix(), EXECUTION_ARN_PREFIX);
        assert_eq!(local.role_arn(), ROLE_ARN);
    }
}
