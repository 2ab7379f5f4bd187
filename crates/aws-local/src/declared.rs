//! What the Pulumi program declares, as `infrastructure/test/declare.ts`
//! writes it: the one source of every name, ARN, setting and environment
//! variable the harness creates, so the program cannot drift from it
//! unnoticed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::AwsLocalError;

/// The whole deployment as the program declares it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Declared {
    /// The stack's stage (`dev`, `prod`).
    pub stage: String,
    /// The region every ARN names.
    pub region: String,
    /// The account every ARN names.
    pub account: String,
    /// The Lambda functions.
    pub functions: Vec<DeclaredFunction>,
    /// The DynamoDB table.
    pub table: DeclaredTable,
    /// The SNS topic.
    pub topic: DeclaredTopic,
    /// The SQS queues (the queue and its DLQ).
    pub queues: Vec<DeclaredQueue>,
    /// The SNS subscriptions.
    pub subscriptions: Vec<DeclaredSubscription>,
    /// The SSM parameters, their values revealed.
    pub parameters: Vec<DeclaredParameter>,
    /// The Lambda event source mappings.
    pub event_source_mappings: Vec<DeclaredEventSourceMapping>,
    /// The EventBridge Scheduler schedules.
    pub schedules: Vec<DeclaredSchedule>,
    /// The schedule groups (where the API creates the schedules people define).
    #[serde(default)]
    pub schedule_groups: Vec<DeclaredScheduleGroup>,
    /// The API Gateway HTTP APIs.
    pub http_apis: Vec<DeclaredHttpApi>,
    /// The Step Functions state machines.
    pub state_machines: Vec<DeclaredStateMachine>,
}

/// One EventBridge Scheduler schedule group.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredScheduleGroup {
    /// The group's name.
    pub name: String,
    /// The group's ARN.
    pub arn: String,
}

/// One Lambda function.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredFunction {
    /// The program's short name (`processor`, `load-message`, …).
    pub key: String,
    /// The function name.
    pub name: String,
    /// The unqualified function ARN.
    pub arn: String,
    /// The version `publish` creates.
    pub version: String,
    /// The package: a zip holding `bootstrap`.
    pub zip: PathBuf,
    /// The handler (`bootstrap` for a custom runtime).
    pub handler: String,
    /// The runtime (`provided.al2023`).
    pub runtime: String,
    /// Memory in MB.
    pub memory_size: u32,
    /// Timeout in seconds.
    pub timeout: u64,
    /// The environment variables.
    pub environment: BTreeMap<String, String>,
    /// The alias everything invokes.
    pub alias: DeclaredAlias,
}

/// A function's alias.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredAlias {
    /// The alias name (`live`).
    pub name: String,
    /// The alias ARN.
    pub arn: String,
    /// The version it points at.
    pub function_version: String,
    /// Other versions and the share of invocations each receives.
    pub additional_version_weights: BTreeMap<String, f64>,
}

/// The DynamoDB table.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredTable {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The partition key.
    pub hash_key: String,
    /// The sort key.
    pub range_key: Option<String>,
    /// The key attributes and their types.
    pub attributes: Vec<DeclaredAttribute>,
    /// The global secondary indexes.
    pub global_secondary_indexes: Vec<DeclaredIndex>,
    /// The TTL attribute, when TTL is on.
    pub ttl_attribute: Option<String>,
}

/// A key attribute.
#[derive(Debug, Clone, Deserialize)]
pub struct DeclaredAttribute {
    /// Its name.
    pub name: String,
    /// `S`, `N` or `B`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A global secondary index.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredIndex {
    /// Its name.
    pub name: String,
    /// Its partition key.
    pub hash_key: String,
    /// Its sort key.
    pub range_key: Option<String>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: String,
}

/// The SNS topic.
#[derive(Debug, Clone, Deserialize)]
pub struct DeclaredTopic {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
}

/// An SQS queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredQueue {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The URL AWS gives it (`https://sqs.<region>.amazonaws.com/<account>/<name>`),
    /// which functions name it by in their environment.
    pub url: String,
    /// How long a received message stays hidden, in seconds.
    pub visibility_timeout_seconds: Option<u64>,
    /// How long a message is kept, in seconds.
    pub message_retention_seconds: Option<u64>,
    /// The long-poll wait of ReceiveMessage, in seconds.
    pub receive_wait_time_seconds: Option<u64>,
    /// Where a message goes after too many receives.
    pub redrive_policy: Option<DeclaredRedrive>,
}

/// A queue's redrive policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredRedrive {
    /// The dead-letter queue's ARN.
    pub dead_letter_target_arn: String,
    /// Receives before a message moves there.
    pub max_receive_count: u32,
}

/// An SNS subscription.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredSubscription {
    /// The topic's ARN.
    pub topic_arn: String,
    /// `sqs`.
    pub protocol: String,
    /// The queue's ARN.
    pub endpoint: String,
    /// Whether the message is delivered as it was published.
    pub raw_message_delivery: bool,
}

/// An SSM parameter.
#[derive(Debug, Clone, Deserialize)]
pub struct DeclaredParameter {
    /// Its name (`/rez-agent/dev/ntfy-url`).
    pub name: String,
    /// `String` or `SecureString`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its value.
    pub value: String,
}

/// A Lambda event source mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredEventSourceMapping {
    /// The queue's ARN.
    pub event_source_arn: String,
    /// The function (alias) invoked.
    pub function_arn: String,
    /// Most records in one invocation.
    pub batch_size: usize,
    /// `ReportBatchItemFailures` when the function reports failed records.
    pub function_response_types: Vec<String>,
    /// How long to gather a batch, in seconds.
    pub maximum_batching_window_in_seconds: Option<u64>,
    /// Whether it polls.
    pub enabled: bool,
}

/// An EventBridge Scheduler schedule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredSchedule {
    /// Its name.
    pub name: String,
    /// `cron(…)`, `rate(…)` or `at(…)`.
    pub schedule_expression: String,
    /// The time zone of the expression.
    pub schedule_expression_timezone: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// The function (alias) it invokes.
    pub target_arn: String,
    /// The target's input, with `<aws.scheduler.*>` placeholders.
    pub input: String,
    /// How often a failed invocation is retried.
    pub retry_policy: Option<DeclaredRetryPolicy>,
}

/// A schedule target's retry policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredRetryPolicy {
    /// Retries after the first attempt.
    pub maximum_retry_attempts: u32,
    /// How old an event may be and still be retried, in seconds.
    pub maximum_event_age_in_seconds: u64,
}

/// An API Gateway HTTP API.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredHttpApi {
    /// Its name.
    pub name: String,
    /// Its routes.
    pub routes: Vec<DeclaredRoute>,
    /// The stage's burst limit.
    pub throttling_burst_limit: Option<u32>,
    /// The stage's steady rate, requests per second.
    pub throttling_rate_limit: Option<f64>,
}

/// A route and its Lambda proxy integration.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredRoute {
    /// `$default` or `METHOD /path`.
    pub route_key: String,
    /// `AWS_PROXY`.
    pub integration_type: String,
    /// `2.0` or `1.0`.
    pub payload_format_version: String,
    /// The function (alias) it invokes.
    pub function_arn: String,
}

/// A Step Functions state machine.
#[derive(Debug, Clone, Deserialize)]
pub struct DeclaredStateMachine {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// `EXPRESS` or `STANDARD`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The definition as the program substitutes it.
    pub definition: String,
    /// The log group its executions' histories go to (level `ALL`).
    #[serde(rename = "logGroup", default)]
    pub log_group: Option<String>,
}

impl Declared {
    /// Reads the file `declare.ts` wrote.
    ///
    /// # Errors
    /// [`AwsLocalError::Declared`] when it cannot be read or is not the expected shape.
    pub fn read(path: &Path) -> Result<Self, AwsLocalError> {
        let text = std::fs::read_to_string(path).map_err(|e| AwsLocalError::Declared {
            path: path.to_owned(),
            problem: e.to_string(),
        })?;
        serde_json::from_str(&text).map_err(|e| AwsLocalError::Declared {
            path: path.to_owned(),
            problem: e.to_string(),
        })
    }

    /// The function a (possibly qualified, possibly partial) name or ARN
    /// names, and the qualifier it carries.
    pub fn function(&self, name_or_arn: &str) -> Option<(&DeclaredFunction, Option<String>)> {
        let (name, qualifier) = split_function_name(name_or_arn);
        self.functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| (f, qualifier))
    }

    /// The queue with this ARN.
    pub fn queue(&self, arn: &str) -> Option<&DeclaredQueue> {
        self.queues.iter().find(|q| q.arn == arn)
    }

    /// The one state machine.
    ///
    /// # Errors
    /// [`AwsLocalError::Unsupported`] when there is not exactly one.
    pub fn state_machine(&self) -> Result<&DeclaredStateMachine, AwsLocalError> {
        match self.state_machines.as_slice() {
            [one] => Ok(one),
            other => Err(AwsLocalError::Unsupported(format!(
                "the program declares {} state machines; the harness runs exactly one",
                other.len()
            ))),
        }
    }
}

/// Splits what Lambda accepts as a FunctionName (`name`, `name:qualifier`,
/// `account:function:name[:qualifier]`, a full ARN) into the name and the
/// qualifier.
pub fn split_function_name(name_or_arn: &str) -> (&str, Option<String>) {
    let parts: Vec<&str> = name_or_arn.split(':').collect();
    let after_function = parts.iter().position(|p| *p == "function").map(|i| i + 1);
    let rest = match after_function {
        Some(i) if i < parts.len() => &parts[i..],
        _ => &parts[..],
    };
    match rest {
        [name] => (name, None),
        [name, qualifier, ..] => (name, Some((*qualifier).to_owned())),
        [] => (name_or_arn, None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_function_name;

    #[test]
    fn every_spelling_lambda_accepts_names_the_function_and_its_qualifier() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:rez-agent-webapi-dev";
        assert_eq!(split_function_name(arn), ("rez-agent-webapi-dev", None));
        assert_eq!(
            split_function_name(&format!("{arn}:live")),
            ("rez-agent-webapi-dev", Some("live".to_owned()))
        );
        assert_eq!(
            split_function_name("123456789012:function:f:7"),
            ("f", Some("7".to_owned()))
        );
        assert_eq!(split_function_name("f"), ("f", None));
        assert_eq!(
            split_function_name("f:live"),
            ("f", Some("live".to_owned()))
        );
    }
}
