//! The processor on AWS Lambda: SQS batches (≤ 10 records, partial batch
//! responses) into synchronous Express executions of the notification
//! state machine (`REZ_STATE_MACHINE_ARN`). A failed record is hidden on
//! the queue (`REZ_QUEUE_URL`) for its redelivery wait, at most the
//! queue's visibility timeout, which is read once per container.

use std::sync::Arc;

use anyhow::Context;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use rez_aws::{
    AwsSettings, SfnWorkflowStarter, SqsRedelivery, load_sdk_config, queue_visibility_timeout,
    sfn_client,
};
use rez_processor::Deps;
use rez_processor::lambda::handle_event;
use rez_processor::redelivery::{Redelivery, RedeliveryPolicy};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let (deps, redelivery) = &rez_lambda::init::or_report(deps()).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        handle_event(deps, redelivery, &event.payload).await
    }))
    .await
}

/// The handler's ports, built once per container.
async fn deps() -> anyhow::Result<(Deps, Redelivery)> {
    let settings = AwsSettings::from_env().context("reading the function's settings")?;
    let state_machine_arn = settings.require_state_machine_arn()?;
    let queue_url = settings.require_queue_url()?;
    let sdk = load_sdk_config().context("reading the function's AWS environment")?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let ceiling = queue_visibility_timeout(&sqs, queue_url)
        .await
        .context("reading the queue's visibility timeout, the longest redelivery wait")?;
    let deps = Deps {
        workflow: Arc::new(SfnWorkflowStarter::new(sfn_client(&sdk), state_machine_arn)),
    };
    let redelivery = Redelivery {
        scheduler: Arc::new(SqsRedelivery::new(sqs, queue_url)),
        policy: RedeliveryPolicy::standard(ceiling),
    };
    Ok((deps, redelivery))
}
