//! The durable queue: visibility, receive counts, the dead-letter queue, waking.

use std::time::Duration;

use tokio::time::timeout;

use super::fixtures::{TestResult, temp_db};
use crate::{DEFAULT_MAX_RECEIVE_COUNT, Database, QueueDepth, QueueMessageId, SqliteQueue};

const LONG: Duration = Duration::from_secs(3600);
const BOUND: Duration = Duration::from_secs(5);

fn queue(db: &Database) -> SqliteQueue {
    SqliteQueue::new(db.clone(), DEFAULT_MAX_RECEIVE_COUNT)
}

fn depth(visible: u64, in_flight: u64, dead: u64) -> QueueDepth {
    QueueDepth {
        visible,
        in_flight,
        dead,
    }
}

#[tokio::test]
async fn sent_messages_are_received_in_order_once_and_deleted_by_handle() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = queue(&db);
    let a = q.send("a".into()).await?;
    let b = q.send("b".into()).await?;
    q.send("c".into()).await?;
    assert_eq!(q.depth().await?, depth(3, 0, 0));

    let got = q.receive(2, LONG).await?;
    let seen: Vec<_> = got
        .iter()
        .map(|r| (&r.id, r.body.as_str(), r.receive_count))
        .collect();
    assert_eq!(seen, vec![(&a, "a", 1), (&b, "b", 1)]);
    assert_eq!(q.depth().await?, depth(1, 2, 0));
    assert_eq!(
        q.receive(10, LONG).await?.len(),
        1,
        "only c is left visible"
    );
    assert!(q.receive(10, LONG).await?.is_empty());

    for r in &got {
        assert!(q.delete(&r.receipt_handle).await?);
        assert!(
            !q.delete(&r.receipt_handle).await?,
            "a second delete is ignored"
        );
    }
    assert_eq!(q.depth().await?, depth(0, 1, 0));
    Ok(())
}

#[tokio::test]
async fn a_received_message_reappears_after_its_visibility_timeout_with_a_new_handle() -> TestResult
{
    let (_dir, db) = temp_db()?;
    let q = queue(&db);
    let id = q.send("x".into()).await?;
    let first = q.receive(1, Duration::from_millis(50)).await?;
    assert_eq!(first.len(), 1);
    assert!(
        q.receive(1, LONG).await?.is_empty(),
        "hidden while in flight"
    );

    let again = timeout(BOUND, async {
        loop {
            q.wait(BOUND).await?;
            let got = q.receive(1, LONG).await?;
            if !got.is_empty() {
                return Ok::<_, crate::QueueError>(got);
            }
        }
    })
    .await??;
    assert_eq!((&again[0].id, again[0].receive_count), (&id, 2));
    assert_ne!(again[0].receipt_handle, first[0].receipt_handle);
    assert!(
        !q.delete(&first[0].receipt_handle).await?,
        "the old handle is stale"
    );
    assert!(q.delete(&again[0].receipt_handle).await?);
    Ok(())
}

#[tokio::test]
async fn change_visibility_to_zero_shows_the_message_at_once() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = queue(&db);
    q.send("x".into()).await?;
    let got = q.receive(1, LONG).await?;
    assert!(
        q.change_visibility(&got[0].receipt_handle, Duration::ZERO)
            .await?
    );
    assert_eq!(q.receive(1, LONG).await?.len(), 1);
    assert!(
        !q.change_visibility(&got[0].receipt_handle, Duration::ZERO)
            .await?,
        "stale"
    );
    Ok(())
}

#[tokio::test]
async fn a_message_received_three_times_goes_to_the_dead_letter_queue() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = queue(&db);
    let id = q.send("poison".into()).await?;
    for n in 1..=3 {
        let got = q.receive(10, Duration::ZERO).await?;
        assert_eq!(
            got.iter().map(|r| r.receive_count).collect::<Vec<_>>(),
            vec![n]
        );
    }
    assert!(q.receive(10, Duration::ZERO).await?.is_empty());
    let dead = q.dead_letters().await?;
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (&dead[0].id, dead[0].body.as_str(), dead[0].receive_count),
        (&id, "poison", 3)
    );
    assert_eq!(q.depth().await?, depth(0, 0, 1));
    Ok(())
}

#[tokio::test]
async fn the_receive_limit_is_a_constructor_argument() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = SqliteQueue::new(db, 1);
    q.send("x".into()).await?;
    assert_eq!(q.receive(1, Duration::ZERO).await?.len(), 1);
    assert!(q.receive(1, Duration::ZERO).await?.is_empty());
    assert_eq!(q.depth().await?, depth(0, 0, 1));
    Ok(())
}

#[tokio::test]
async fn redrive_moves_dead_letters_back_with_a_fresh_receive_count() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = SqliteQueue::new(db, 1);
    let a = q.send("a".into()).await?;
    let b = q.send("b".into()).await?;
    q.receive(10, Duration::ZERO).await?;
    q.receive(10, Duration::ZERO).await?;
    assert_eq!(q.depth().await?, depth(0, 0, 2));

    assert_eq!(
        q.redrive(Some(&[QueueMessageId::from("unknown")])).await?,
        0
    );
    assert_eq!(q.redrive(Some(std::slice::from_ref(&b))).await?, 1);
    assert_eq!(q.depth().await?, depth(1, 0, 1));
    let got = q.receive(10, LONG).await?;
    assert_eq!((&got[0].id, got[0].receive_count), (&b, 1));

    assert_eq!(q.redrive(None).await?, 1);
    let got = q.receive(10, LONG).await?;
    assert_eq!((&got[0].id, got[0].body.as_str()), (&a, "a"));
    assert!(q.dead_letters().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn release_in_flight_makes_a_dead_process_s_messages_visible_at_once() -> TestResult {
    let (dir, db) = temp_db()?;
    let q = queue(&db);
    let id = q.send("x".into()).await?;
    let stale = q.receive(1, LONG).await?;
    drop((q, db));

    let db = Database::open(&dir.path().join("rez.db"))?;
    let q = queue(&db);
    assert_eq!(q.depth().await?, depth(0, 1, 0));
    assert_eq!(q.release_in_flight().await?, 1);
    let got = q.receive(1, LONG).await?;
    assert_eq!((&got[0].id, got[0].receive_count), (&id, 2));
    assert!(
        !q.delete(&stale[0].receipt_handle).await?,
        "the dead process's handle is stale"
    );
    assert_eq!(q.release_in_flight().await?, 1);
    assert_eq!(q.release_in_flight().await?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_wakes_on_send_from_another_queue_handle() -> TestResult {
    let (_dir, db) = temp_db()?;
    let receiver = queue(&db);
    let sender = queue(&db);
    let started = tokio::time::Instant::now();
    let waiting = tokio::spawn(async move { receiver.wait(Duration::from_secs(30)).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    sender.send("wake".into()).await?;
    timeout(BOUND, waiting).await???;
    assert!(started.elapsed() < BOUND);
    Ok(())
}

#[tokio::test]
async fn wait_returns_at_the_next_visibility_expiry() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = queue(&db);
    q.send("x".into()).await?;
    q.receive(1, Duration::from_millis(100)).await?;
    timeout(BOUND, q.wait(Duration::from_secs(30))).await??;
    assert_eq!(q.receive(1, LONG).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn wait_on_an_empty_queue_ends_at_its_timeout() -> TestResult {
    let (_dir, db) = temp_db()?;
    timeout(BOUND, queue(&db).wait(Duration::from_millis(20))).await??;
    Ok(())
}

#[tokio::test]
async fn wait_returns_at_once_when_a_message_is_visible() -> TestResult {
    let (_dir, db) = temp_db()?;
    let q = queue(&db);
    q.send("x".into()).await?;
    timeout(Duration::from_secs(1), q.wait(Duration::from_secs(30))).await??;
    Ok(())
}

#[tokio::test]
async fn the_dead_letter_port_lists_with_message_ids_and_redrives() -> TestResult {
    use rez_core::ports::DeadLetterQueue;
    let (_dir, db) = temp_db()?;
    let q = SqliteQueue::new(db, 1);
    let named = q
        .send(r#"{"message_id":"m-1","stage":"dev","message_type":"notification"}"#.into())
        .await?;
    q.send("not json".into()).await?;
    q.receive(10, Duration::ZERO).await?;
    q.receive(10, Duration::ZERO).await?;

    let list = DeadLetterQueue::list(&q).await?;
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.items[0].id, named.as_str());
    assert_eq!(list.items[0].message_id.as_deref(), Some("m-1"));
    assert_eq!(list.items[1].message_id, None);
    assert_eq!(list.items[0].receive_count, 1);
    assert_eq!((list.depth.visible, list.depth.dead), (0, 2));

    let moved = DeadLetterQueue::redrive(&q, Some(vec![named.as_str().to_owned()])).await?;
    assert_eq!(moved, 1);
    assert_eq!(DeadLetterQueue::redrive(&q, None).await?, 1);
    assert_eq!(q.depth().await?, depth(2, 0, 0));
    Ok(())
}

#[tokio::test]
async fn dead_lettering_fails_a_message_left_processing_and_leaves_final_ones_alone() -> TestResult
{
    use crate::SqliteStore;
    use rez_core::ports::MessageStore;
    use rez_core::{MessageType, Stage, Status};

    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db.clone());
    let q = SqliteQueue::new(db, 1);
    let stuck = super::fixtures::message(
        super::fixtures::at(0),
        Stage::Dev,
        Status::Processing,
        MessageType::Notification,
    );
    let done = super::fixtures::message(
        super::fixtures::at(1),
        Stage::Dev,
        Status::Completed,
        MessageType::Notification,
    );
    for m in [&stuck, &done] {
        store.create(m, None).await?;
        q.send(
            serde_json::json!({"message_id": m.id, "stage": "dev", "message_type": "notification"})
                .to_string(),
        )
        .await?;
    }
    q.send("not an event".into()).await?;
    assert_eq!(q.receive(10, Duration::ZERO).await?.len(), 3);
    assert!(
        q.receive(10, Duration::ZERO).await?.is_empty(),
        "all dead-lettered"
    );
    assert_eq!(q.depth().await?, depth(0, 0, 3));

    let failed = store.get(&stuck.id).await?.ok_or("stuck message gone")?;
    assert_eq!(failed.status, Status::Failed);
    assert!(
        failed
            .error_message
            .as_deref()
            .is_some_and(|e| e.starts_with("Queue.DeadLettered")),
        "{failed:?}"
    );
    let completed = store.get(&done.id).await?.ok_or("completed message gone")?;
    assert_eq!(completed.status, Status::Completed);
    Ok(())
}
