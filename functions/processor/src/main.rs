//! The processor on AWS Lambda: SQS batches (≤ 10 records, partial batch
//! responses) into synchronous Express executions of the notification
//! state machine (`REZ_STATE_MACHINE_ARN`).

use std::sync::Arc;

use anyhow::Context;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use rez_aws::{AwsSettings, SfnWorkflowStarter, load_sdk_config, sfn_client};
use rez_processor::Deps;
use rez_processor::lambda::handle_event;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let deps = &rez_lambda::init::or_report(deps()).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        handle_event(deps, &event.payload).await
    }))
    .await
}

/// The handler's ports, built once per container.
async fn deps() -> anyhow::Result<Deps> {
    let settings = AwsSettings::from_env().context("reading the function's settings")?;
    let state_machine_arn = settings.require_state_machine_arn()?;
    let sdk = load_sdk_config().context("reading the function's AWS environment")?;
    Ok(Deps {
        workflow: Arc::new(SfnWorkflowStarter::new(sfn_client(&sdk), state_machine_arn)),
    })
}
