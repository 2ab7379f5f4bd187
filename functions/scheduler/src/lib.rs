//! The scheduler function: create the scheduled message for one fire time.
//!
//! EventBridge Scheduler (or the local scheduler) calls it once per fire
//! time, at least once. The fire time becomes the idempotency key, in the
//! scheduler's own namespace ([`IdempotencyKey::Scheduler`]), so a repeated
//! call creates nothing new (at most one message per fire time), and no key
//! a client sends can stand in for it.

pub mod defined;
#[cfg(feature = "lambda")]
pub mod lambda;

use chrono::{DateTime, Utc};
use rez_core::idempotency::{SCHEDULED_TIME_ARGUMENT, SCHEDULER_CREATED_BY};
use rez_core::ports::{
    DeadLetterQueue, MessageStore, MetricEvent, MetricsSink, Publisher, ScheduleStore,
};
use rez_core::{
    IdempotencyKey, Message, MessageType, Notification, Stage, SubmitError, Submitted, Submitter,
};
use serde::Deserialize;
use std::sync::Arc;

/// What the scheduler needs from the world.
#[derive(Clone)]
pub struct Deps {
    /// Where messages live.
    pub store: Arc<dyn MessageStore>,
    /// The queue's topic.
    pub publisher: Arc<dyn Publisher>,
    /// Stores each scheduled message `queued` and publishes it (one write
    /// locally, store then publish on DynamoDB and SNS).
    pub submitter: Arc<dyn Submitter>,
    /// The stage the messages belong to.
    pub stage: Stage,
    /// Title of the scheduled notification.
    pub title: String,
    /// Where MessagesCreated goes for every scheduled message accepted.
    pub metrics: Arc<dyn MetricsSink>,
    /// The queue's dead letters, whose messages the reconcile job marks
    /// failed (SQS); `None` where the queue marks them itself (locally).
    pub dead_letters: Option<Arc<dyn DeadLetterQueue>>,
    /// The schedules people define, which EventBridge Scheduler fires
    /// through this function; `None` where something else fires them (the
    /// embedded stack's schedules loop).
    pub schedules: Option<Arc<dyn ScheduleStore>>,
}

/// The scheduler's event: EventBridge Scheduler's `<aws.scheduler.scheduled-time>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScheduleEvent {
    /// The fire time this call is for.
    pub scheduled_time: DateTime<Utc>,
}

/// Creates, publishes and queues the message for `event.scheduled_time`.
///
/// # Errors
/// [`SubmitError`] when storing or publishing fails.
// An ERROR-level span, so its ids stay on the lines written at every log level.
#[tracing::instrument(
    level = "error",
    skip_all,
    fields(fire_time = %event.scheduled_time, message_id)
)]
pub async fn handle(deps: &Deps, event: &ScheduleEvent) -> Result<Submitted, SubmitError> {
    let fire = event.scheduled_time;
    let payload = Notification {
        title: Some(deps.title.clone()),
        tags: vec!["calendar".into()],
        ..Notification::text(format!(
            "Scheduled notification for {} UTC.",
            fire.format("%A %-d %B %Y, %H:%M")
        ))
    };
    let mut message = Message::new(
        fire,
        SCHEDULER_CREATED_BY,
        deps.stage,
        MessageType::Scheduled,
        payload,
    );
    message.arguments.insert(
        SCHEDULED_TIME_ARGUMENT.into(),
        rez_core::time::format(fire).into(),
    );
    submit_fire(deps, &message, &IdempotencyKey::Scheduler(fire)).await
}

/// Submits the message of one fire under its key, records its id on the
/// current span, logs it, and counts it in MessagesCreated when it is new.
pub(crate) async fn submit_fire(
    deps: &Deps,
    message: &Message,
    key: &IdempotencyKey,
) -> Result<Submitted, SubmitError> {
    let submitted = deps.submitter.submit(message, Some(key)).await?;
    tracing::Span::current().record(
        "message_id",
        tracing::field::display(&submitted.message().id),
    );
    match &submitted {
        Submitted::Replayed(m) => tracing::info!(message_id = %m.id, "fire already handled"),
        Submitted::Accepted(m) => {
            tracing::info!(message_id = %m.id, "scheduled message accepted");
            deps.metrics.record(&MetricEvent::created(m));
        }
    }
    Ok(submitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rez_core::StoreThenPublish;
    use rez_core::memory::{MemoryPublisher, MemoryStore};

    #[tokio::test]
    async fn a_fire_time_creates_one_queued_scheduled_message_however_often_it_is_called() {
        let store = Arc::new(MemoryStore::new());
        let publisher = Arc::new(MemoryPublisher::new());
        let metrics = Arc::new(rez_core::ports::RecordedMetrics::default());
        let deps = Deps {
            submitter: Arc::new(StoreThenPublish::new(store.clone(), publisher.clone())),
            store: store.clone(),
            publisher: publisher.clone(),
            stage: Stage::Dev,
            title: "Daily".into(),
            metrics: metrics.clone(),
            dead_letters: None,
            schedules: None,
        };
        let event: ScheduleEvent =
            serde_json::from_str(r#"{"scheduled_time":"2026-11-30T12:00:00Z"}"#).unwrap();
        let first = handle(&deps, &event).await.unwrap();
        let second = handle(&deps, &event).await.unwrap();
        assert!(matches!(first, Submitted::Accepted(_)));
        assert!(matches!(second, Submitted::Replayed(_)));
        assert_eq!(
            metrics.events(),
            vec![MetricEvent::MessageCreated {
                stage: Stage::Dev,
                message_type: MessageType::Scheduled
            }],
            "one MessagesCreated for the one message stored"
        );
        assert_eq!(first.message().id, second.message().id);
        assert_eq!(first.message().status, rez_core::Status::Queued);
        assert_eq!(first.message().message_type, MessageType::Scheduled);
        assert_eq!(publisher.events().len(), 1);
    }

    #[tokio::test]
    async fn a_client_key_with_the_fire_time_s_text_does_not_suppress_the_fire() {
        let (store, publisher) = (
            Arc::new(MemoryStore::new()),
            Arc::new(MemoryPublisher::new()),
        );
        let deps = Deps {
            submitter: Arc::new(StoreThenPublish::new(store.clone(), publisher.clone())),
            store,
            publisher,
            stage: Stage::Dev,
            title: "Daily".into(),
            metrics: Arc::new(rez_core::ports::NoMetrics),
            dead_letters: None,
            schedules: None,
        };
        let fire: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        let posted = Message::new(
            fire,
            "api",
            Stage::Dev,
            MessageType::Notification,
            Notification::text("mine"),
        );
        let text = format!("schedule:{}", rez_core::time::format(fire));
        let client = deps
            .submitter
            .submit(&posted, Some(&IdempotencyKey::Client(text)))
            .await
            .unwrap();
        assert!(matches!(client, Submitted::Accepted(_)));
        let fired = handle(
            &deps,
            &ScheduleEvent {
                scheduled_time: fire,
            },
        )
        .await
        .unwrap();
        assert!(matches!(fired, Submitted::Accepted(_)), "{fired:?}");
        assert_eq!(fired.message().message_type, MessageType::Scheduled);
        assert_ne!(fired.message().id, posted.id);
    }
}
