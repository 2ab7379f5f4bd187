//! The HTTP API on AWS Lambda: API Gateway HTTP API (payload 2.0) requests
//! served by the same axum Router as `rez-agent up`, over DynamoDB and SNS,
//! with `/api/dlq` over the queue (`REZ_QUEUE_URL`) and its dead-letter
//! queue (`REZ_DLQ_URL`), and `/api/executions` over the summaries the
//! processor records and the state machine's log group
//! (`REZ_EXECUTION_LOG_GROUP`). Browsers may call it from the origins of
//! `REZ_CORS_ORIGINS`.
//!
//! `/api/schedules` keeps the schedules people define in the table and runs
//! each as an EventBridge Scheduler schedule in the stack's group
//! (`REZ_SCHEDULE_GROUP`, invoking `REZ_SCHEDULE_TARGET_ARN` as
//! `REZ_SCHEDULE_ROLE_ARN`, dead letters to `REZ_SCHEDULE_DLQ_ARN`); the
//! deployment's own daily schedule (`REZ_CONFIGURATION_SCHEDULE`) is listed
//! beside them.
//!
//! Every route but `/api/health` needs `Authorization: Bearer <key>`; the
//! key is read from SSM (`REZ_API_KEY_PARAMETER`) once per container. When
//! it cannot be read, the function still starts: `/api/health` says what is
//! wrong and every other route answers 503.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use rez_aws::{
    AwsExecutionReader, AwsSettings, DynamoExecutionStore, DynamoMessageStore, DynamoScheduleStore,
    EventBridgeScheduleRunner, ExecutionLogGroup, FunctionEnvironment, SsmSecrets,
};
use rez_core::StoreThenPublish;
use rez_core::ports::{MessageStore, SystemClock};
use rez_core::schedule::{DAILY_TITLE, Schedule, show_configuration_schedule};
use rez_webapi::{ApiKey, ApiState, Schedules, router, unavailable_router};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    rez_lambda::logging::init();
    let app = rez_lambda::init::or_report(app()).await?;
    lambda_http::run(app).await
}

/// The API, built once per container: the whole router, or the one that
/// says the key is unavailable.
async fn app() -> anyhow::Result<Router> {
    let environment = FunctionEnvironment::from_env()?;
    let FunctionEnvironment { settings, sdk } = &environment;
    let publisher = environment.publisher()?;
    let dead_letters = environment.dead_letter_queue()?;
    let log_group = settings.require_execution_log_group()?.to_owned();
    let api_key = match api_key(settings, aws_sdk_ssm::Client::new(sdk)).await {
        Ok(key) => key,
        Err(problem) => {
            tracing::error!(%problem, "the API key is unavailable: only /api/health answers");
            return Ok(unavailable_router(&problem));
        }
    };
    let store = environment.message_store();
    let schedules = schedules(settings, aws_sdk_scheduler::Client::new(sdk), &store).await?;
    let executions = AwsExecutionReader::new(
        DynamoExecutionStore::beside(&store),
        ExecutionLogGroup::new(aws_sdk_cloudwatchlogs::Client::new(sdk), log_group),
    );
    let store: Arc<dyn MessageStore> = Arc::new(store);
    Ok(router(ApiState {
        store: store.clone(),
        // DynamoDB and SNS share no transaction: store queued, then publish.
        submitter: Arc::new(StoreThenPublish::new(store.clone(), publisher.clone())),
        publisher,
        clock: Arc::new(SystemClock),
        executions: Some(Arc::new(executions)),
        dead_letters: Some(Arc::new(dead_letters)),
        schedules,
        metrics: rez_lambda::emf::sink_from_env(),
        state_machine: None,
        api_key: Some(api_key),
        stage: settings.stage,
        cors_origins: settings.cors_origins.clone(),
    }))
}

/// The schedules people define: in the table, run by EventBridge Scheduler
/// in the stack's schedule group; `None` (the routes answer 404) where the
/// function is given no schedule group. The deployment's own daily schedule
/// is stored too, so the API lists it.
async fn schedules(
    settings: &AwsSettings,
    scheduler: aws_sdk_scheduler::Client,
    messages: &DynamoMessageStore,
) -> anyhow::Result<Option<Schedules>> {
    let Some(target) = settings.schedule_target.clone() else {
        tracing::warn!("REZ_SCHEDULE_GROUP is not set: the /api/schedules routes answer 404");
        return Ok(None);
    };
    let store = DynamoScheduleStore::beside(messages);
    if let Some(expression) = &settings.configuration_schedule {
        let expression = expression
            .parse()
            .with_context(|| format!("REZ_CONFIGURATION_SCHEDULE {expression:?}"))?;
        let daily = Schedule::configuration(&expression, DAILY_TITLE, chrono::Utc::now());
        // A store that cannot be reached now only leaves it unlisted.
        if let Err(e) = show_configuration_schedule(&store, &daily).await {
            tracing::warn!(error = %e, "the deployment's schedule is not listed");
        }
    }
    Ok(Some(Schedules {
        store: Arc::new(store),
        runner: Arc::new(EventBridgeScheduleRunner::new(scheduler, target)),
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
