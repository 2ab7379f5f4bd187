//! Conditional status transitions: fields, conflicts, absence, races.

use rez_core::ports::MessageStore;
use rez_core::{MessageType, Stage, Status, StoreError};

use crate::helpers::{TestResult, change, message_at, new_store};

#[tokio::test]
async fn a_transition_writes_its_fields_and_returns_the_message_after_it() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    store.create(&m, None).await?;
    let mut done = change(
        &m,
        &[Status::Created, Status::Queued],
        Status::Completed,
        1500,
    );
    done.delivery_attempts = Some(2);
    done.execution_id = Some("arn:aws:states:us-east-1:123456789012:express:sm:e1".into());
    done.delivered_at = Some(done.at);
    done.ntfy_message_id = Some("ntfy-1".into());
    done.error_message = Some(Some("first try failed".into()));
    done.increment_retry_count = true;
    let after = store.transition(&done).await?;
    let mut expected = m.clone();
    done.apply(&mut expected);
    assert_eq!(after, expected);
    assert_eq!(store.get(&m.id).await?, Some(expected.clone()));

    let mut cleared = change(&m, &[Status::Completed], Status::Completed, 2000);
    cleared.error_message = Some(None);
    assert_eq!(store.transition(&cleared).await?.error_message, None);
    assert_eq!(store.get(&m.id).await?.unwrap().error_message, None);
    Ok(())
}

#[tokio::test]
async fn a_transition_from_another_status_is_a_conflict_naming_the_current_one() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    store.create(&m, None).await?;
    let result = store
        .transition(&change(
            &m,
            &[Status::Queued, Status::Processing],
            Status::Completed,
            1,
        ))
        .await;
    match result {
        Err(StoreError::Conflict {
            id,
            current,
            expected,
        }) => {
            assert_eq!(
                (id, current, expected.as_str()),
                (m.id.clone(), Status::Created, "queued|processing")
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.get(&m.id).await?.unwrap().status, Status::Created);
    Ok(())
}

#[tokio::test]
async fn a_transition_of_an_unknown_message_is_not_found() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    let result = store
        .transition(&change(&m, &[Status::Created], Status::Queued, 1))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound(id)) if id == m.id));
    Ok(())
}

#[tokio::test]
async fn the_same_transition_twice_wins_once_then_conflicts() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    store.create(&m, None).await?;
    let take = change(&m, &[Status::Created], Status::Processing, 1);
    assert_eq!(store.transition(&take).await?.status, Status::Processing);
    let again = store.transition(&take).await;
    assert!(
        matches!(
            again,
            Err(StoreError::Conflict {
                current: Status::Processing,
                ..
            })
        ),
        "{again:?}"
    );
    Ok(())
}
