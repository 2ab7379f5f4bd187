//! The processor on AWS Lambda: SQS batches (≤ 10 records, partial batch
//! responses) into synchronous Express executions of the notification
//! state machine (`REZ_STATE_MACHINE_ARN`). A failed record is hidden on
//! the queue (`REZ_QUEUE_URL`) for its redelivery wait, at most the
//! queue's visibility timeout, which is read once per container (when it
//! cannot be read, the waits are capped at the longest standard one).
//! Each execution's summary is recorded in the message table, where the
//! API lists it.

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use rez_aws::{
    DynamoExecutionStore, FunctionEnvironment, SfnWorkflowStarter, SqsRedelivery,
    queue_visibility_timeout, sfn_client,
};
use rez_processor::Deps;
use rez_processor::lambda::handle_event;
use rez_processor::redelivery::{DEFAULT_REDELIVERY_DELAYS, Redelivery, RedeliveryPolicy};

/// The ceiling of the redelivery waits when the queue's visibility timeout
/// cannot be read: the longest standard wait.
const UNKNOWN_CEILING: std::time::Duration =
    DEFAULT_REDELIVERY_DELAYS[DEFAULT_REDELIVERY_DELAYS.len() - 1];

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rez_lambda::logging::init();
    let (deps, redelivery) = &rez_lambda::init::or_report(deps()).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        handle_event(deps, redelivery, &event.payload).await
    }))
    .await
}

/// The handler's ports, built once per container.
async fn deps() -> anyhow::Result<(Deps, Redelivery)> {
    let environment = FunctionEnvironment::from_env()?;
    let state_machine_arn = environment.settings.require_state_machine_arn()?;
    let queue_url = environment.settings.require_queue_url()?;
    let sqs = aws_sdk_sqs::Client::new(&environment.sdk);
    // A failed read does not fail the start: the waits keep their standard
    // lengths under the longest of them, and the record is reported for
    // redelivery whatever happens to its wait.
    let ceiling = match queue_visibility_timeout(&sqs, queue_url).await {
        Ok(ceiling) => ceiling,
        Err(e) => {
            tracing::warn!(error = %e, "the queue's visibility timeout is unknown; waits are capped at the longest standard one");
            UNKNOWN_CEILING
        }
    };
    let store = environment.message_store();
    let deps = Deps {
        workflow: Arc::new(SfnWorkflowStarter::new(
            sfn_client(&environment.sdk),
            state_machine_arn,
        )),
        executions: Some(Arc::new(DynamoExecutionStore::beside(&store))),
        store: Arc::new(store),
    };
    let redelivery = Redelivery {
        scheduler: Arc::new(SqsRedelivery::new(sqs, queue_url)),
        policy: RedeliveryPolicy::standard(ceiling),
    };
    Ok((deps, redelivery))
}
