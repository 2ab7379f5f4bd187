//! The AWS adapters of the rez-agent ports: DynamoDB, SNS, SQS, Step Functions, SSM,
//! CloudWatch Logs.
//!
//! | module | what it holds |
//! |---|---|
//! | [`function`] | [`FunctionEnvironment`]: a Lambda function's settings and SDK configuration, and the adapters several functions share |
//! | [`settings`] | [`AwsSettings`]: the table, topic, state machine and parameter names from the environment |
//! | [`sdk`] | [`load_sdk_config`], [`sfn_client`] and the [`strip_sync_host_prefix`] interceptor for local endpoints |
//! | [`dynamo`] | [`DynamoMessageStore`]: the `MessageStore` on one DynamoDB table per stage; [`DynamoExecutionStore`]: the `ExecutionRecorder` in the same table |
//! | [`logs`] | [`ExecutionLogGroup`]: an Express execution's history from the state machine's log group |
//! | [`executions`] | [`AwsExecutionReader`]: the `ExecutionReader` over those two |
//! | [`scheduler`] | [`EventBridgeScheduleRunner`]: the `ScheduleRunner` on EventBridge Scheduler, in the stack's schedule group |
//! | [`sns`] | [`SnsPublisher`]: the `Publisher` on an SNS topic |
//! | [`sqs`] | [`SqsRedelivery`]: the `RedeliveryScheduler` on the queue; [`SqsDeadLetterQueue`]: the `DeadLetterQueue` on its DLQ |
//! | [`sfn`] | [`SfnWorkflowStarter`]: the `WorkflowStarter` on StartSyncExecution |
//! | [`ssm`] | [`SsmSecrets`]: the ntfy URL and token and the API key, read once per container |
//! | [`cutover`] | [`cutover::LegacyTable`]: the original Go system's messages copied into the table (`rez-agent-cutover`, docs/cutover.md) |
//! | [`error`] | [`SettingsError`], [`SecretsError`], [`SqsError`] |
//!
//! A Lambda `main` starts from a [`FunctionEnvironment`] and builds the
//! adapters it needs from it.

pub mod cutover;
pub mod dynamo;
pub mod error;
pub mod executions;
pub mod function;
pub mod logs;
pub mod scheduler;
pub mod sdk;
pub mod settings;
pub mod sfn;
pub mod sns;
pub mod sqs;
pub mod ssm;

#[cfg(test)]
mod test_support;

pub use dynamo::{DynamoExecutionStore, DynamoMessageStore, DynamoScheduleStore};
pub use error::{SecretsError, SettingsError, SqsError};
pub use executions::AwsExecutionReader;
pub use function::{EnvironmentError, FunctionEnvironment};
pub use logs::ExecutionLogGroup;
pub use scheduler::{EventBridgeScheduleRunner, ScheduleTarget};
pub use sdk::{https_client, load_sdk_config, sdk_config_from, sfn_client, strip_sync_host_prefix};
pub use settings::AwsSettings;
pub use sfn::SfnWorkflowStarter;
pub use sns::SnsPublisher;
pub use sqs::{SqsDeadLetterQueue, SqsRedelivery, queue_visibility_timeout};
pub use ssm::{Secrets, SsmSecrets};
