//! The HTTP API on AWS Lambda: API Gateway HTTP API (payload 2.0) requests
//! served by the same axum Router as `rez-agent up`, over DynamoDB and SNS,
//! with `/api/dlq` over the queue (`REZ_QUEUE_URL`) and its dead-letter
//! queue (`REZ_DLQ_URL`), and `/api/executions` over the summaries the
//! processor records and the state machine's log group
//! (`REZ_EXECUTION_LOG_GROUP`).
//!
//! Every route but `/api/health` needs `Authorization: Bearer <key>`; the
//! key is read from SSM (`REZ_API_KEY_PARAMETER`) once per container, and
//! the function does not start without it.

use std::sync::Arc;

use anyhow::Context;
use rez_aws::{
    AwsExecutionReader, AwsSettings, DynamoExecutionStore, DynamoMessageStore, ExecutionLogGroup,
    SnsPublisher, SqsDeadLetterQueue, SsmSecrets, load_sdk_config,
};
use rez_core::ports::SystemClock;
use rez_webapi::{ApiKey, ApiState, router};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let state = rez_lambda::init::or_report(state()).await?;
    lambda_http::run(router(state)).await
}

/// The API's ports and key, built once per container.
async fn state() -> anyhow::Result<ApiState> {
    let settings = AwsSettings::from_env().context("reading the function's settings")?;
    let topic_arn = settings.require_topic_arn()?.to_owned();
    let queue_url = settings.require_queue_url()?.to_owned();
    let dlq_url = settings.require_dlq_url()?.to_owned();
    let log_group = settings.require_execution_log_group()?.to_owned();
    let sdk = load_sdk_config().context("reading the function's AWS environment")?;
    let secrets = SsmSecrets::new(aws_sdk_ssm::Client::new(&sdk), &settings)
        .get()
        .await
        .context("reading the API key from SSM")?;
    let api_key = secrets
        .api_key
        .context("REZ_API_KEY_PARAMETER is not set: the API does not run without a key")?;
    let store = DynamoMessageStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        settings.table_name.clone(),
        settings.stage,
    );
    let executions = AwsExecutionReader::new(
        DynamoExecutionStore::beside(&store),
        ExecutionLogGroup::new(aws_sdk_cloudwatchlogs::Client::new(&sdk), log_group),
    );
    Ok(ApiState {
        store: Arc::new(store),
        publisher: Arc::new(SnsPublisher::new(aws_sdk_sns::Client::new(&sdk), topic_arn)),
        // DynamoDB and SNS share no transaction: store, publish, mark queued.
        atomic_submitter: None,
        clock: Arc::new(SystemClock),
        executions: Some(Arc::new(executions)),
        dead_letters: Some(Arc::new(SqsDeadLetterQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            queue_url,
            dlq_url,
        ))),
        metrics: Arc::new(rez_lambda::emf::EmfSink::stdout()),
        state_machine: None,
        api_key: Some(ApiKey::new(api_key).context("the API key parameter")?),
        stage: settings.stage,
        cors_origins: Vec::new(),
    })
}
