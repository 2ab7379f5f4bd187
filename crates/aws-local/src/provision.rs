//! Creates in moto what the program declares: the table, the queues (the
//! DLQ first, for the redrive policy), the topic and its subscriptions, and
//! the parameters.

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
    Ok(())
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
