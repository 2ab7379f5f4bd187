//! The scheduler on AWS Lambda: one invocation per EventBridge Scheduler
//! fire time creates (at most) one message in DynamoDB and publishes it to
//! SNS; the reconcile schedule's invocation runs the reconciler over the
//! table and the dead-letter queue (`REZ_QUEUE_URL`, `REZ_DLQ_URL`). The
//! events are described in `rez_scheduler::lambda`.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use rez_aws::{DynamoScheduleStore, FunctionEnvironment};
use rez_core::StoreThenPublish;
use rez_core::ports::MessageStore;
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
    let environment = FunctionEnvironment::from_env()?;
    let store = environment.message_store();
    let schedules = Arc::new(DynamoScheduleStore::beside(&store));
    let store: Arc<dyn MessageStore> = Arc::new(store);
    let publisher = environment.publisher()?;
    Ok(Deps {
        schedules: Some(schedules),
        // DynamoDB and SNS share no transaction: store queued, then publish.
        submitter: Arc::new(StoreThenPublish::new(store.clone(), publisher.clone())),
        store,
        publisher,
        stage: environment.settings.stage,
        title: rez_core::schedule::DAILY_TITLE.to_owned(),
        metrics: rez_lambda::emf::sink_from_env(),
        dead_letters: Some(Arc::new(environment.dead_letter_queue()?)),
    })
}
