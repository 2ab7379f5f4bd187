//! The scheduler on AWS Lambda: one invocation per EventBridge Scheduler
//! fire time creates (at most) one message in DynamoDB and publishes it to
//! SNS; the reconcile schedule's invocation runs the reconciler over the
//! table and the dead-letter queue (`REZ_QUEUE_URL`, `REZ_DLQ_URL`). The
//! events are described in `rez_scheduler::lambda`.

use std::sync::Arc;

use anyhow::Context;
use lambda_runtime::{LambdaEvent, service_fn};
use rez_aws::{
    AwsSettings, DynamoMessageStore, DynamoScheduleStore, SnsPublisher, SqsDeadLetterQueue,
    load_sdk_config,
};
use rez_core::StoreThenPublish;
use rez_core::ports::{MessageStore, Publisher};
use rez_scheduler::Deps;
use rez_scheduler::lambda::invoke;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rez_lambda::logging::init();
    let deps = &rez_lambda::init::or_report(deps()).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        invoke(deps, event.payload)
    }))
    .await
}

/// The handler's ports, built once per container.
async fn deps() -> anyhow::Result<Deps> {
    let settings = AwsSettings::from_env().context("reading the function's settings")?;
    let topic_arn = settings.require_topic_arn()?.to_owned();
    let queue_url = settings.require_queue_url()?.to_owned();
    let dlq_url = settings.require_dlq_url()?.to_owned();
    let sdk = load_sdk_config().context("reading the function's AWS environment")?;
    let store = DynamoMessageStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        settings.table_name,
        settings.stage,
    );
    let schedules = Arc::new(DynamoScheduleStore::beside(&store));
    let store: Arc<dyn MessageStore> = Arc::new(store);
    let publisher: Arc<dyn Publisher> =
        Arc::new(SnsPublisher::new(aws_sdk_sns::Client::new(&sdk), topic_arn));
    Ok(Deps {
        schedules: Some(schedules),
        // DynamoDB and SNS share no transaction: store queued, then publish.
        submitter: Arc::new(StoreThenPublish::new(store.clone(), publisher.clone())),
        store,
        publisher,
        stage: settings.stage,
        title: rez_core::schedule::DAILY_TITLE.to_owned(),
        metrics: rez_lambda::emf::sink_from_env(),
        dead_letters: Some(Arc::new(SqsDeadLetterQueue::new(
            aws_sdk_sqs::Client::new(&sdk),
            queue_url,
            dlq_url,
        ))),
    })
}
