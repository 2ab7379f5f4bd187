//! The reconciler against the in-memory store and publisher.

use super::*;
use crate::memory::{MemoryPublisher, MemoryStore};
use crate::ports::CLAIM_LEASE;
use crate::{MessageType, Notification, Stage};

/// A clock that always answers [`now`].
struct FixedNow;

impl Clock for FixedNow {
    fn now(&self) -> DateTime<Utc> {
        now()
    }
}

/// A reconciler over `store` and `publisher` at [`now`], with no dead letters.
fn reconciler<'a>(
    store: &'a MemoryStore,
    publisher: &'a MemoryPublisher,
    policy: &'a ReconcilePolicy,
) -> Reconciler<'a> {
    Reconciler {
        store,
        publisher,
        clock: &FixedNow,
        policy,
        dead_letters: None,
    }
}

fn now() -> DateTime<Utc> {
    "2026-12-06T21:30:00Z".parse().unwrap_or_default()
}

/// A message in `status`, last changed `idle` before [`now`].
fn message(status: Status, idle: TimeDelta, retry_count: u32) -> Message {
    let mut m = Message::new(
        now() - idle,
        "test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("overdue?"),
    );
    m.status = status;
    m.retry_count = retry_count;
    if status == Status::Processing {
        m.execution_id = Some("exec-gone".to_owned());
    }
    m
}

async fn run(messages: &[Message]) -> (Reconciled, MemoryStore, MemoryPublisher) {
    let store = MemoryStore::new();
    for m in messages {
        store
            .create(m, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let publisher = MemoryPublisher::new();
    let policy = ReconcilePolicy::default();
    let done = reconciler(&store, &publisher, &policy)
        .run()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (done, store, publisher)
}

async fn stored(store: &MemoryStore, m: &Message) -> Message {
    store
        .get(&m.id)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{} is stored", m.id))
}

#[tokio::test]
async fn each_overdue_message_is_published_again_and_marked_queued() {
    let overdue = [
        message(Status::Created, TimeDelta::minutes(6), 0),
        message(Status::Queued, TimeDelta::minutes(61), 0),
        message(Status::Processing, CLAIM_LEASE + TimeDelta::seconds(1), 0),
        message(Status::Deferred, TimeDelta::hours(22), 0),
    ];
    let (done, store, publisher) = run(&overdue).await;
    assert_eq!(
        (done.republished, done.abandoned, done.conflicts),
        (4, 0, 0)
    );
    let published: Vec<_> = publisher
        .events()
        .into_iter()
        .map(|e| e.message_id)
        .collect();
    for m in &overdue {
        assert!(published.contains(&m.id), "{} published again", m.status);
        let now_stored = stored(&store, m).await;
        assert_eq!(now_stored.status, Status::Queued, "{}", m.status);
        let counted = u32::from(matches!(m.status, Status::Queued | Status::Processing));
        assert_eq!(now_stored.retry_count, counted, "{}", m.status);
    }
}

#[tokio::test]
async fn what_is_on_time_or_final_is_left_alone() {
    let on_time = [
        message(Status::Created, TimeDelta::minutes(4), 0),
        message(Status::Queued, TimeDelta::minutes(59), 0),
        message(Status::Processing, CLAIM_LEASE - TimeDelta::seconds(1), 0),
        // Deferred at 21:00 today: tried again at 00:01 tomorrow.
        message(Status::Deferred, TimeDelta::minutes(30), 0),
        message(Status::Completed, TimeDelta::days(3), 0),
        message(Status::Failed, TimeDelta::days(3), 9),
    ];
    let (done, store, publisher) = run(&on_time).await;
    assert_eq!((done.scanned, done.republished, done.abandoned), (4, 0, 0));
    assert!(publisher.events().is_empty());
    for m in &on_time {
        assert_eq!(stored(&store, m).await, *m);
    }
}

#[tokio::test]
async fn a_message_taken_up_too_often_is_failed_with_a_named_reason_not_sent_again() {
    let stuck = message(Status::Processing, TimeDelta::hours(1), 5);
    let (done, store, publisher) = run(std::slice::from_ref(&stuck)).await;
    assert_eq!((done.republished, done.abandoned), (0, 1));
    assert!(publisher.events().is_empty());
    let failed = stored(&store, &stuck).await;
    assert_eq!(failed.status, Status::Failed);
    let reason = failed.error_message.unwrap_or_default();
    assert!(
        reason.starts_with("Delivery.Abandoned: taken up 5 times"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_publish_that_fails_leaves_the_message_as_it_was_for_the_next_run() {
    let store = MemoryStore::new();
    let m = message(Status::Created, TimeDelta::hours(1), 0);
    store
        .create(&m, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let publisher = MemoryPublisher::new();
    publisher.fail_publishes(Some("topic unreachable"));
    let policy = ReconcilePolicy::default();
    let reconciler = reconciler(&store, &publisher, &policy);
    let done = reconciler.run().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((done.republished, done.publish_failures), (0, 1));
    assert_eq!(stored(&store, &m).await.status, Status::Created);
    publisher.fail_publishes(None);
    let done = reconciler.run().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.republished, 1);
    // A second run finds nothing more to do: the run is idempotent.
    let done = reconciler.run().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((done.republished, done.abandoned), (0, 0));
    assert_eq!(publisher.events().len(), 1);
}

#[tokio::test]
async fn one_run_moves_at_most_max_moved_messages() {
    let many: Vec<_> = (0..7)
        .map(|_| message(Status::Created, TimeDelta::hours(1), 0))
        .collect();
    let store = MemoryStore::new();
    for m in &many {
        store
            .create(m, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let publisher = MemoryPublisher::new();
    let policy = ReconcilePolicy {
        max_moved: 3,
        ..ReconcilePolicy::default()
    };
    let reconciler = reconciler(&store, &publisher, &policy);
    let mut moved = Vec::new();
    for _ in 0..3 {
        moved.push(
            reconciler
                .run()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .republished,
        );
    }
    assert_eq!(moved, [3, 3, 1]);
}

#[test]
fn a_quota_wait_ends_a_minute_past_the_next_midnight_utc() {
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
    assert_eq!(
        quota_retry_at(at("2026-12-06T21:30:00Z")),
        at("2026-12-07T00:01:00Z")
    );
    assert_eq!(
        quota_retry_at(at("2026-12-31T00:00:00Z")),
        at("2027-01-01T00:01:00Z")
    );
}

/// A dead-letter queue holding fixed entries.
struct DeadLetters(Vec<crate::ports::DeadLetterEntry>);

#[async_trait::async_trait]
impl DeadLetterQueue for DeadLetters {
    async fn list(&self) -> Result<crate::ports::DeadLetterList, StoreError> {
        Ok(crate::ports::DeadLetterList {
            items: self.0.clone(),
            depth: crate::ports::QueueCounts::default(),
        })
    }

    async fn redrive(&self, _ids: Option<Vec<String>>) -> Result<u64, StoreError> {
        Ok(0)
    }
}

fn dead_letter(message: &Message) -> crate::ports::DeadLetterEntry {
    crate::ports::DeadLetterEntry {
        id: format!("record-of-{}", message.id),
        message_id: Some(message.id.to_string()),
        body: String::new(),
        receive_count: 3,
        sent_at: String::new(),
        dead_at: String::new(),
    }
}

#[tokio::test]
async fn a_dead_letters_message_is_failed_with_the_reason_unless_final_or_claimed() {
    let stranded = message(Status::Queued, TimeDelta::minutes(20), 0);
    let delivered = message(Status::Completed, TimeDelta::minutes(20), 0);
    let claimed = message(Status::Processing, TimeDelta::seconds(30), 0);
    let store = MemoryStore::new();
    for m in [&stranded, &delivered, &claimed] {
        store
            .create(m, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let publisher = MemoryPublisher::new();
    let policy = ReconcilePolicy::default();
    let dead = DeadLetters(vec![
        dead_letter(&stranded),
        dead_letter(&delivered),
        dead_letter(&claimed),
    ]);
    let done = Reconciler {
        dead_letters: Some(&dead),
        ..reconciler(&store, &publisher, &policy)
    }
    .run()
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((done.dead_lettered, done.republished), (1, 0));
    let failed = stored(&store, &stranded).await;
    assert_eq!(
        (failed.status, failed.error_message),
        (Status::Failed, Some(dead_lettered_reason(3)))
    );
    assert_eq!(stored(&store, &delivered).await.status, Status::Completed);
    assert_eq!(stored(&store, &claimed).await.status, Status::Processing);
    assert!(publisher.events().is_empty());
}
