//! The processor function: turn queue records into executions.
//!
//! Each record is classified on its own: a body that does not
//! parse, a delivered message, or a permanently failed execution is
//! acknowledged; a transient failure, a timeout, a workflow that could not
//! be started, or an execution that found another one holding the
//! message's claim is reported back so the queue redelivers it, and after
//! the queue's `maxReceiveCount` it lands in the dead-letter queue.
//!
//! | module | what it holds |
//! |---|---|
//! | this one | [`handle_batch`] and [`classify`]: records in, dispositions out |
//! | [`redelivery`] | [`RedeliveryPolicy`](redelivery::RedeliveryPolicy): how long a record waits before it is tried again |
//! | [`lambda`] | the SQS event in, the partial batch response out |

#[cfg(feature = "lambda")]
pub mod lambda;
pub mod redelivery;

use futures::future::join_all;
use rez_core::ports::{
    ClaimRule, Clock, ExecutionRecorder, ExecutionStatus, ExecutionSummary, MessageEvent,
    MessageStore, StatusChange, StoreError, SystemClock, WorkflowOutcome, WorkflowRequest,
    WorkflowStarter, WorkflowStatus,
};
use rez_core::{Status, error_names};
use std::sync::Arc;

/// What the processor needs from the world.
#[derive(Clone)]
pub struct Deps {
    /// Starts the notification state machine synchronously.
    pub workflow: Arc<dyn WorkflowStarter>,
    /// Where messages live: the claim of an execution that ended without
    /// recording an outcome is given back here.
    pub store: Arc<dyn MessageStore>,
    /// Where each execution's summary is recorded once it ended, where the
    /// workflow service keeps no list of its own (Step Functions Express);
    /// `None` where the engine records its executions itself (`up`).
    pub executions: Option<Arc<dyn ExecutionRecorder>>,
}

/// One queue record: the queue's id for it and its raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRecord {
    /// The queue's message id (SQS `messageId`), reported back on failure.
    pub id: String,
    /// The raw body: a [`MessageEvent`] as JSON.
    pub body: String,
}

/// What to do with a record after it was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Delete it from the queue: the outcome is final.
    Acknowledge(String),
    /// Leave it for redelivery: the outcome may change on another try.
    Retry(String),
}

/// The result of one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Ids of the records to redeliver (SQS `batchItemFailures`).
    pub failed_ids: Vec<String>,
    /// Each record's id and disposition, in input order.
    pub dispositions: Vec<(String, Disposition)>,
}

/// Handles a batch; records run concurrently.
pub async fn handle_batch(deps: &Deps, records: &[QueueRecord]) -> BatchOutcome {
    let results = join_all(records.iter().map(|r| handle_record(deps, r))).await;
    let mut outcome = BatchOutcome::default();
    for (record, disposition) in records.iter().zip(results) {
        if matches!(disposition, Disposition::Retry(_)) {
            outcome.failed_ids.push(record.id.clone());
        }
        outcome.dispositions.push((record.id.clone(), disposition));
    }
    outcome
}

/// Handles one record: parse, run the workflow, classify the outcome.
// An ERROR-level span, so its ids stay on the lines written at every log level.
#[tracing::instrument(level = "error", skip_all, fields(record_id = %record.id, message_id, execution_id))]
pub async fn handle_record(deps: &Deps, record: &QueueRecord) -> Disposition {
    let event: MessageEvent = match serde_json::from_str(&record.body) {
        Ok(event) => event,
        Err(e) => {
            tracing::error!(error = %e, "record body is not a message event; dropping it");
            return Disposition::Acknowledge(format!("unreadable body: {e}"));
        }
    };
    tracing::Span::current().record("message_id", event.message_id.as_str());
    let request = WorkflowRequest {
        name: execution_name(&event),
        input: serde_json::json!({ "message_id": event.message_id }),
    };
    let outcome = match deps.workflow.start_sync(&request).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::warn!(error = %e, "workflow not started; will retry");
            return Disposition::Retry(e.to_string());
        }
    };
    tracing::Span::current().record("execution_id", outcome.execution_id.as_str());
    if let Some(recorder) = &deps.executions {
        record_execution(recorder.as_ref(), &event, &request, &outcome).await;
    }
    let disposition = if claimed_elsewhere(&outcome) {
        tracing::info!("another execution holds the message's claim; the record comes back");
        Disposition::Retry(
            "another execution holds the message's claim: the record's next delivery finds its outcome"
                .into(),
        )
    } else {
        classify(&outcome.status)
    };
    if matches!(disposition, Disposition::Retry(_)) {
        release_claim(deps, &event, &outcome.execution_id).await;
    }
    disposition
}

/// Records how the execution ended, for `GET /api/executions`. A failure is
/// logged and changes nothing else: the delivery's outcome is the message's
/// status, which the execution itself recorded.
async fn record_execution(
    recorder: &dyn ExecutionRecorder,
    event: &MessageEvent,
    request: &WorkflowRequest,
    outcome: &WorkflowOutcome,
) {
    let (status, error, cause) = match &outcome.status {
        WorkflowStatus::Succeeded => (ExecutionStatus::Succeeded, None, None),
        WorkflowStatus::Failed { error, cause } => {
            (ExecutionStatus::Failed, error.clone(), cause.clone())
        }
        WorkflowStatus::TimedOut => (ExecutionStatus::TimedOut, None, None),
    };
    let summary = ExecutionSummary {
        execution_id: outcome.execution_id.clone(),
        name: request.name.clone(),
        message_id: Some(event.message_id.to_string()),
        status,
        start_date: rez_core::time::format(outcome.start_date),
        stop_date: Some(rez_core::time::format(outcome.stop_date)),
        duration_ms: Some((outcome.stop_date - outcome.start_date).num_milliseconds()),
        task_attempts: None,
        error,
        cause,
    };
    if let Err(e) = recorder
        .record_execution(&summary, &request.input, outcome.output.as_ref())
        .await
    {
        tracing::warn!(error = %e, "the execution's summary was not recorded");
    }
}

/// Gives back the claim of an execution that ended (timed out, or failed
/// transiently) while the message was still `processing` under it, so the
/// record's next delivery takes the message up at once instead of waiting
/// for the claim's lease. The execution is over: StartSyncExecution
/// answered. The change is the claim holder's own (`ClaimRule::Holder`), so
/// it touches nothing another execution has claimed since. A failure to
/// give it back loses nothing: the lease runs out and the reconciler sends
/// the message round.
async fn release_claim(deps: &Deps, event: &MessageEvent, execution_id: &str) {
    let mut change = StatusChange::new(
        event.message_id.clone(),
        &[Status::Processing],
        Status::Queued,
        SystemClock.now(),
    );
    change.execution_id = Some(execution_id.to_owned());
    change.claim = ClaimRule::Holder;
    change.increment_retry_count = true;
    match deps.store.transition(&change).await {
        Ok(_) => tracing::info!("gave back the claim of the ended execution"),
        // Not processing under this execution: it recorded an outcome, or
        // never claimed the message, or another took it since.
        Err(StoreError::Conflict { .. } | StoreError::NotFound(_)) => {}
        Err(e) => tracing::warn!(error = %e, "the claim stays until its lease runs out"),
    }
}

/// The member of the execution's output that the `ClaimedElsewhere` state
/// leaves (`Message.Claimed`, caught): another execution held the message.
const CLAIMED_MEMBER: &str = "claimed";

/// Whether the execution ended in `ClaimedElsewhere`: it published nothing
/// because another execution held the message's claim. Its record is not
/// acknowledged: that other execution may still fail transiently, and its
/// own queue record may be this very one, received again (a duplicate
/// delivery, or a visibility timeout shorter than the execution); deleting
/// it would leave the message with no record to retry it. The next
/// delivery finds the message completed (and is acknowledged), or free
/// again (and delivers it).
fn claimed_elsewhere(outcome: &WorkflowOutcome) -> bool {
    matches!(outcome.status, WorkflowStatus::Succeeded)
        && outcome
            .output
            .as_ref()
            .is_some_and(|output| output.get(CLAIMED_MEMBER).is_some())
}

/// Maps how an execution ended to what the queue should do.
pub fn classify(status: &WorkflowStatus) -> Disposition {
    match status {
        WorkflowStatus::Succeeded => Disposition::Acknowledge("delivered".into()),
        WorkflowStatus::TimedOut => Disposition::Retry("execution timed out".into()),
        WorkflowStatus::Failed { error, cause } => {
            let error = error.as_deref().unwrap_or("States.Runtime");
            let reason = format!("{error}: {}", cause.as_deref().unwrap_or(""));
            if error_names::is_permanent(error) {
                tracing::info!(error, "delivery failed permanently");
                Disposition::Acknowledge(reason)
            } else {
                tracing::warn!(error, "delivery failed transiently; will retry");
                Disposition::Retry(reason)
            }
        }
    }
}

/// A unique execution name that says which message it delivers.
pub fn execution_name(event: &MessageEvent) -> String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}-{}",
        event.message_id,
        suffix.get(..8).unwrap_or(&suffix)
    )
}

#[cfg(test)]
mod tests;
