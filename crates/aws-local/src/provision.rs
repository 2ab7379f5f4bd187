//! Creates in moto what the program declares: the table, the queues (the
//! DLQ first, for the redrive policy), the topic and its subscriptions, and
//! the parameters, the state machine's log group; then the functions'
//! environment names moto's queues.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_ssm::types::ParameterType;

use crate::AwsLocalError;
use crate::declared::{Declared, DeclaredQueue, DeclaredTable};

/// The SDK clients the harness talks to moto with.
#[derive(Clone)]
pub struct MotoClients {
    /// DynamoDB.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// SSM.
    pub ssm: aws_sdk_ssm::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// EventBridge Scheduler (the schedule groups, and the schedules the
    /// API creates in them).
    pub scheduler: aws_sdk_scheduler::Client,
}

impl MotoClients {
    /// Clients for moto at `endpoint`, in `region`, with test keys.
    ///
    /// # Errors
    /// [`AwsLocalError::Unsupported`] when the SDK configuration cannot be built.
    pub fn new(endpoint: &str, region: &str) -> Result<Self, AwsLocalError> {
        let vars: BTreeMap<&str, String> = BTreeMap::from([
            ("AWS_REGION", region.to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ]);
        let config = rez_aws::sdk_config_from(|name| vars.get(name).cloned())
            .map_err(|e| AwsLocalError::Unsupported(e.to_string()))?;
        Ok(Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            sns: aws_sdk_sns::Client::new(&config),
            sqs: aws_sdk_sqs::Client::new(&config),
            ssm: aws_sdk_ssm::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            scheduler: aws_sdk_scheduler::Client::new(&config),
        })
    }
}

/// What provisioning changes from the declarations, each saying why.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Parameter name → value: the ntfy URL of this machine instead of the
    /// deployed one.
    pub parameter_values: BTreeMap<String, String>,
    /// A visibility timeout for every queue, in seconds, so a failed record
    /// comes back within a test's wait instead of the declared minutes.
    pub visibility_timeout_seconds: Option<u64>,
}

/// Creates every declared resource in moto.
///
/// # Errors
/// [`AwsLocalError::Provision`] naming the resource moto refused.
pub async fn provision(
    clients: &MotoClients,
    declared: &Declared,
    overrides: &Overrides,
) -> Result<(), AwsLocalError> {
    create_table(&clients.dynamodb, &declared.table).await?;
    // Dead-letter targets first: a redrive policy names an existing queue.
    let mut queues: Vec<&DeclaredQueue> = declared.queues.iter().collect();
    queues.sort_by_key(|q| q.redrive_policy.is_some());
    for queue in queues {
        create_queue(&clients.sqs, queue, overrides.visibility_timeout_seconds).await?;
    }
    clients
        .sns
        .create_topic()
        .name(&declared.topic.name)
        .send()
        .await
        .map_err(|e| {
            AwsLocalError::provision(format!("topic {}", declared.topic.name))(
                &DisplayErrorContext(&e),
            )
        })?;
    for subscription in &declared.subscriptions {
        let mut request = clients
            .sns
            .subscribe()
            .topic_arn(&subscription.topic_arn)
            .protocol(&subscription.protocol)
            .endpoint(&subscription.endpoint);
        if subscription.raw_message_delivery {
            request = request.attributes("RawMessageDelivery", "true");
        }
        request.send().await.map_err(|e| {
            AwsLocalError::provision(format!("subscription to {}", subscription.endpoint))(&e)
        })?;
    }
    for parameter in &declared.parameters {
        let value = overrides
            .parameter_values
            .get(&parameter.name)
            .unwrap_or(&parameter.value);
        clients
            .ssm
            .put_parameter()
            .name(&parameter.name)
            .r#type(ParameterType::from(parameter.kind.as_str()))
            .value(value)
            .overwrite(true)
            .send()
            .await
            .map_err(|e| {
                AwsLocalError::provision(format!("parameter {}", parameter.name))(
                    &DisplayErrorContext(&e),
                )
            })?;
    }
    for log_group in declared
        .state_machines
        .iter()
        .filter_map(|machine| machine.log_group.as_deref())
    {
        clients
            .logs
            .create_log_group()
            .log_group_name(log_group)
            .send()
            .await
            .map_err(|e| {
                AwsLocalError::provision(format!("log group {log_group}"))(&DisplayErrorContext(&e))
            })?;
    }
    for group in &declared.schedule_groups {
        clients
            .scheduler
            .create_schedule_group()
            .name(&group.name)
            .send()
            .await
            .map_err(|e| {
                AwsLocalError::provision(format!("schedule group {}", group.name))(
                    &DisplayErrorContext(&e),
                )
            })?;
    }
    Ok(())
}

/// Every declared queue's URL → the URL moto gives the queue of that name.
///
/// # Errors
/// [`AwsLocalError::Provision`] when moto does not know a declared queue.
pub async fn queue_urls(
    clients: &MotoClients,
    declared: &Declared,
) -> Result<BTreeMap<String, String>, AwsLocalError> {
    let mut urls = BTreeMap::new();
    for queue in &declared.queues {
        let local = clients
            .sqs
            .get_queue_url()
            .queue_name(&queue.name)
            .send()
            .await
            .map_err(|e| {
                AwsLocalError::provision(format!("queue {}", queue.name))(&DisplayErrorContext(&e))
            })?
            .queue_url
            .unwrap_or_default();
        urls.insert(queue.url.clone(), local);
    }
    Ok(urls)
}

/// Points every function's environment variable whose value is a declared
/// queue's URL (`REZ_QUEUE_URL`, `REZ_DLQ_URL`) at the queue's URL in `urls`.
pub fn point_at_local_queues(declared: &mut Declared, urls: &BTreeMap<String, String>) {
    for function in &mut declared.functions {
        for value in function.environment.values_mut() {
            if let Some(local) = urls.get(value.as_str()) {
                value.clone_from(local);
            }
        }
    }
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, AwsLocalError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| AwsLocalError::provision(format!("key {name}"))(&DisplayErrorContext(&e)))
}

fn key_schema(hash: &str, range: Option<&str>) -> Result<Vec<KeySchemaElement>, AwsLocalError> {
    let mut schema = vec![key(hash, KeyType::Hash)?];
    if let Some(range) = range {
        schema.push(key(range, KeyType::Range)?);
    }
    Ok(schema)
}

async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    table: &DeclaredTable,
) -> Result<(), AwsLocalError> {
    let what = || format!("table {}", table.name);
    let mut request = client
        .create_table()
        .table_name(&table.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(
            &table.hash_key,
            table.range_key.as_deref(),
        )?));
    for attribute in &table.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&attribute.name)
                .attribute_type(ScalarAttributeType::from(attribute.kind.as_str()))
                .build()
                .map_err(|e| AwsLocalError::provision(what())(&DisplayErrorContext(&e)))?,
        );
    }
    for index in &table.global_secondary_indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(
                    &index.hash_key,
                    index.range_key.as_deref(),
                )?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection_type.as_str()))
                        .build(),
                )
                .build()
                .map_err(|e| AwsLocalError::provision(what())(&DisplayErrorContext(&e)))?,
        );
    }
    request
        .send()
        .await
        .map_err(|e| AwsLocalError::provision(what())(&DisplayErrorContext(&e)))?;
    if let Some(attribute) = &table.ttl_attribute {
        client
            .update_time_to_live()
            .table_name(&table.name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()
                    .map_err(|e| AwsLocalError::provision(what())(&DisplayErrorContext(&e)))?,
            )
            .send()
            .await
            .map_err(|e| AwsLocalError::provision(what())(&DisplayErrorContext(&e)))?;
    }
    Ok(())
}

async fn create_queue(
    client: &aws_sdk_sqs::Client,
    queue: &DeclaredQueue,
    visibility_override: Option<u64>,
) -> Result<(), AwsLocalError> {
    let mut request = client.create_queue().queue_name(&queue.name);
    if let Some(v) = visibility_override.or(queue.visibility_timeout_seconds) {
        request = request.attributes(QueueAttributeName::VisibilityTimeout, v.to_string());
    }
    if let Some(v) = queue.message_retention_seconds {
        request = request.attributes(QueueAttributeName::MessageRetentionPeriod, v.to_string());
    }
    if let Some(v) = queue.receive_wait_time_seconds {
        request = request.attributes(
            QueueAttributeName::ReceiveMessageWaitTimeSeconds,
            v.to_string(),
        );
    }
    if let Some(redrive) = &queue.redrive_policy {
        let policy = serde_json::json!({
            "deadLetterTargetArn": redrive.dead_letter_target_arn,
            "maxReceiveCount": redrive.max_receive_count,
        });
        request = request.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
    }
    request.send().await.map_err(|e| {
        AwsLocalError::provision(format!("queue {}", queue.name))(&DisplayErrorContext(&e))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_variables_naming_a_declared_queue_url_are_pointed_at_the_local_queue() {
        let declared = |env: serde_json::Value| -> Declared {
            serde_json::from_value(serde_json::json!({
                "stage": "dev", "region": "us-east-1", "account": "123456789012",
                "functions": [{"key": "processor", "name": "p", "arn": "arn:p", "version": "1", "zip": "/z",
                    "handler": "bootstrap", "runtime": "provided.al2023", "memorySize": 128, "timeout": 300,
                    "environment": env,
                    "alias": {"name": "live", "arn": "arn:p:live", "functionVersion": "1", "additionalVersionWeights": {}}}],
                "table": {"name": "t", "arn": "arn:t", "hashKey": "id", "rangeKey": null, "attributes": [],
                          "globalSecondaryIndexes": [], "ttlAttribute": null},
                "topic": {"name": "n", "arn": "arn:n"}, "queues": [], "subscriptions": [], "parameters": [],
                "eventSourceMappings": [], "schedules": [], "httpApis": [], "stateMachines": []
            }))
            .unwrap()
        };
        let aws = "https://sqs.us-east-1.amazonaws.com/123456789012/q";
        let mut d = declared(serde_json::json!({"REZ_QUEUE_URL": aws, "REZ_TABLE_NAME": "q"}));
        let urls = BTreeMap::from([(
            aws.to_owned(),
            "http://127.0.0.1:5000/123456789012/q".to_owned(),
        )]);
        point_at_local_queues(&mut d, &urls);
        let env = &d.functions[0].environment;
        assert_eq!(env["REZ_QUEUE_URL"], "http://127.0.0.1:5000/123456789012/q");
        assert_eq!(env["REZ_TABLE_NAME"], "q");
    }
}
