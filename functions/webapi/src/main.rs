//! The HTTP API on AWS Lambda: API Gateway HTTP API (payload 2.0) requests
//! served by the same axum Router as `rez-agent up`, over DynamoDB and SNS,
//! with `/api/dlq` over the queue (`REZ_QUEUE_URL`) and its dead-letter
//! queue (`REZ_DLQ_URL`), and `/api/executions` over the summaries the
//! processor records and the state machine's log group
//! (`REZ_EXECUTION_LOG_GROUP`). Browsers may call it from the origins of
//! `REZ_CORS_ORIGINS`.
//!
//! Every route but `/api/health` needs `Authorization: Bearer <key>`; the
//! key is read from SSM (`REZ_API_KEY_PARAMETER`) once per container. When
//! it cannot be read, the function still starts: `/api/health` says what is
//! wrong and every other route answers 503.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use rez_aws::{
    AwsExecutionReader, AwsSettings, DynamoExecutionStore, DynamoMessageStore, ExecutionLogGroup,
    SnsPublisher, SqsDeadLetterQueue, SsmSecrets, load_sdk_config,
};
use rez_core::ports::SystemClock;
use rez_webapi::{ApiKey, ApiState, router, unavailable_router};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    rez_lambda::logging::init();
    let app = rez_lambda::init::or_report(app()).await?;
    lambda_http::run(app).await
}

/// The API, built once per container: the whole router, or the one that
/// says the key is unavailable.
async fn app() -> anyhow::Result<Router> {
    let settings = AwsSettings::from_env().context("reading the function's settings")?;
    let topic_arn = settings.require_topic_arn()?.to_owned();
    let queue_url = settings.require_queue_url()?.to_owned();
    let dlq_url = settings.require_dlq_url()?.to_owned();
    let log_group = settings.require_execution_log_group()?.to_owned();
    let sdk = load_sdk_config().context("reading the function's AWS environment")?;
    let api_key = match api_key(&settings, aws_sdk_ssm::Client::new(&sdk)).await {
        Ok(key) => key,
        Err(problem) => {
            tracing::error!(%problem, "the API key is unavailable: only /api/health answers");
            return Ok(unavailable_router(&problem));
        }
    };
    let store = DynamoMessageStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        settings.table_name.clone(),
        settings.stage,
    );
    let executions = AwsExecutionReader::new(
        DynamoExecutionStore::beside(&store),
        ExecutionLogGroup::new(aws_sdk_cloudwatchlogs::Client::new(&sdk), log_group),
    );
    Ok(router(ApiState {
        store: Arc::new(store),
        publisher: Arc::new(SnsPublisher::new(aws_sdk_sns::Client::new(&sdk), topic_arn)),
        // DynamoDB and SNS share no transaction: store queued, then publish.
        atomic_submitter: None,
        clock: Arc::new(SystemClock),
        executions: Some(Arc::new(executions)),
        dead_letters: Some(Arc::new(SqsDeadLetterQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            queue_url,
            dlq_url,
        ))),
        // Not run on AWS yet: EventBridge Scheduler does not fire them.
        schedules: None,
        metrics: rez_lambda::emf::sink_from_env(),
        state_machine: None,
        api_key: Some(api_key),
        stage: settings.stage,
        cors_origins: settings.cors_origins.clone(),
    }))
}

/// The API key from SSM, or what keeps it from being read, in words the
/// health answer may show (no secret, no account).
async fn api_key(settings: &AwsSettings, ssm: aws_sdk_ssm::Client) -> Result<ApiKey, String> {
    let secrets = SsmSecrets::new(ssm, settings).get().await.map_err(|e| {
        tracing::error!(error = %e, "reading the API key from SSM");
        e.summary()
    })?;
    let key = secrets.api_key.ok_or_else(|| {
        "REZ_API_KEY_PARAMETER is not set: the API does not run without a key".to_owned()
    })?;
    ApiKey::new(key).map_err(|e| format!("the API key parameter holds no usable key: {e}"))
}
