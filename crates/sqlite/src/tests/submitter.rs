//! The one-transaction submission: what the store and the queue hold after it.

use std::sync::Arc;
use std::time::Duration;

use rez_core::ports::{AtomicSubmitter, Created, MessageEvent, MessageStore};
use rez_core::{
    IdempotencyKey, MessageType, OneWrite, Stage, Status, StoreError, StoreThenPublish, Submitted,
    Submitter,
};
use tokio::time::timeout;

use super::fixtures::{TestResult, at, message, temp_db};
use crate::publisher::QueuePublisher;
use crate::{
    DEFAULT_MAX_RECEIVE_COUNT, Database, QueueDepth, SqliteQueue, SqliteStore, SqliteSubmitter,
};

/// A key as a client sends it.
fn client_key(text: &str) -> IdempotencyKey {
    IdempotencyKey::Client(text.to_owned())
}

const LONG: Duration = Duration::from_secs(3600);

struct Stack {
    store: SqliteStore,
    queue: SqliteQueue,
    submitter: SqliteSubmitter,
}

fn stack(db: &Database) -> Result<Stack, Box<dyn std::error::Error>> {
    let store = SqliteStore::new(db.clone());
    let queue = SqliteQueue::new(db.clone(), DEFAULT_MAX_RECEIVE_COUNT);
    let submitter = SqliteSubmitter::new(&store, &queue).ok_or("one database")?;
    Ok(Stack {
        store,
        queue,
        submitter,
    })
}

fn visible(n: u64) -> QueueDepth {
    QueueDepth {
        visible: n,
        in_flight: 0,
        dead: 0,
    }
}

fn new_message() -> rez_core::Message {
    message(
        at(0),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    )
}

/// The event bodies in the queue, oldest first (receiving hides them).
async fn bodies(queue: &SqliteQueue) -> Result<Vec<MessageEvent>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for r in queue.receive(100, LONG).await? {
        out.push(serde_json::from_str(&r.body)?);
    }
    Ok(out)
}

#[tokio::test]
async fn one_submit_stores_the_message_queued_with_one_queue_record() -> TestResult {
    let (_dir, db) = temp_db()?;
    let s = stack(&db)?;
    let m = new_message();
    let Created::New(stored) = s
        .submitter
        .create_queued(&m, Some(&client_key("k1")))
        .await?
    else {
        return Err("expected a new message".into());
    };
    assert_eq!(
        (stored.id.clone(), stored.status),
        (m.id.clone(), Status::Queued)
    );
    assert_eq!(s.store.get(&m.id).await?, Some(stored));
    assert_eq!(s.queue.depth().await?, visible(1));
    assert_eq!(bodies(&s.queue).await?, vec![MessageEvent::of(&m)]);
    Ok(())
}

#[tokio::test]
async fn a_replayed_key_answers_the_first_message_and_adds_no_queue_record() -> TestResult {
    let (_dir, db) = temp_db()?;
    let s = stack(&db)?;
    let first = new_message();
    s.submitter
        .create_queued(&first, Some(&client_key("k1")))
        .await?;
    let second = new_message();
    let replayed = OneWrite::new(Arc::new(s.submitter.clone()))
        .submit(&second, Some(&client_key("k1")))
        .await?;
    let Submitted::Replayed(m) = replayed else {
        return Err("expected a replay".into());
    };
    assert_eq!((m.id, m.status), (first.id.clone(), Status::Queued));
    assert_eq!(s.store.get(&second.id).await?, None);
    assert_eq!(s.queue.depth().await?, visible(1));
    Ok(())
}

#[tokio::test]
async fn a_replayed_key_of_a_message_never_published_queues_it_once() -> TestResult {
    let (_dir, db) = temp_db()?;
    let s = stack(&db)?;
    // A three-step submission stored it, then failed to publish it.
    let stranded = new_message();
    s.store.create(&stranded, Some(&client_key("k1"))).await?;
    assert_eq!(s.queue.depth().await?, visible(0));

    let Created::Existing(m) = s
        .submitter
        .create_queued(&new_message(), Some(&client_key("k1")))
        .await?
    else {
        return Err("expected the existing message".into());
    };
    assert_eq!(
        (m.id.clone(), m.status),
        (stranded.id.clone(), Status::Queued)
    );
    assert_eq!(m.updated_date, stranded.updated_date);
    assert_eq!(s.store.get(&stranded.id).await?, Some(m));
    // Once queued, a further replay writes nothing.
    s.submitter
        .create_queued(&new_message(), Some(&client_key("k1")))
        .await?;
    assert_eq!(bodies(&s.queue).await?, vec![MessageEvent::of(&stranded)]);
    Ok(())
}

#[tokio::test]
async fn a_failed_submit_writes_neither_the_message_nor_a_queue_record() -> TestResult {
    let (_dir, db) = temp_db()?;
    let s = stack(&db)?;
    let m = new_message();
    s.submitter.create_queued(&m, None).await?;
    let again = s.submitter.create_queued(&m, Some(&client_key("k2"))).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );
    assert_eq!(s.queue.depth().await?, visible(1));
    // The key was not claimed either.
    let fresh = new_message();
    let Created::New(_) = s
        .submitter
        .create_queued(&fresh, Some(&client_key("k2")))
        .await?
    else {
        return Err("the failed submit claimed the key".into());
    };
    Ok(())
}

#[tokio::test]
async fn it_leaves_what_the_three_steps_leave() -> TestResult {
    let m = new_message();
    let (_one, one) = temp_db()?;
    let atomic = stack(&one)?;
    let (_three, three) = temp_db()?;
    let stepwise = stack(&three)?;
    let publisher = Arc::new(QueuePublisher::new(stepwise.queue.clone()));
    let a = OneWrite::new(Arc::new(atomic.submitter.clone()))
        .submit(&m, Some(&client_key("k")))
        .await?;
    let b = StoreThenPublish::new(Arc::new(stepwise.store.clone()), publisher)
        .submit(&m, Some(&client_key("k")))
        .await?;
    assert_eq!(a, b);
    assert_eq!(
        atomic.store.get(&m.id).await?,
        stepwise.store.get(&m.id).await?
    );
    assert_eq!(bodies(&atomic.queue).await?, bodies(&stepwise.queue).await?);
    Ok(())
}

#[tokio::test]
async fn a_submit_wakes_a_waiting_receiver() -> TestResult {
    let (_dir, db) = temp_db()?;
    let s = stack(&db)?;
    let queue = s.queue.clone();
    let waiter = tokio::spawn(async move { queue.wait(LONG).await });
    // Let the waiter register before the submit.
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.submitter.create_queued(&new_message(), None).await?;
    timeout(Duration::from_secs(5), waiter).await???;
    Ok(())
}

#[tokio::test]
async fn a_store_and_a_queue_over_two_databases_get_no_submitter() -> TestResult {
    let (_a, a) = temp_db()?;
    let (_b, b) = temp_db()?;
    let store = SqliteStore::new(a);
    let queue = SqliteQueue::new(b, DEFAULT_MAX_RECEIVE_COUNT);
    assert!(SqliteSubmitter::new(&store, &queue).is_none());
    Ok(())
}
