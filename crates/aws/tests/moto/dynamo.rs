//! The DynamoDB message store: every operation, paging, conditions, idempotency.

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use rez_core::ports::{Created, ListQuery, MessageStore, StatusChange};
use rez_core::{Cursor, Message, MessageType, Stage, Status, StoreError};

use crate::helpers::{message_at, new_store};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn change(m: &Message, from: &[Status], to: Status, after_ms: i64) -> StatusChange {
    StatusChange::new(
        m.id.clone(),
        from,
        to,
        m.created_date + chrono::Duration::milliseconds(after_ms),
    )
}

/// Every page of `query`, following cursors until there is none.
async fn all_pages(
    store: &dyn MessageStore,
    mut query: ListQuery,
) -> Result<Vec<Vec<Message>>, StoreError> {
    let mut pages = Vec::new();
    loop {
        let page = store.list(&query).await?;
        pages.push(page.items);
        match page.next_cursor {
            None => return Ok(pages),
            Some(text) => {
                query.cursor = Some(Cursor::decode(&text, &query.filter_fingerprint()).unwrap());
            }
        }
    }
}

#[tokio::test]
async fn a_created_message_reads_back_with_every_field() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let mut m = message_at(0, Stage::Dev, MessageType::Notification);
    m.arguments
        .insert("city".into(), serde_json::json!("Lisbon"));
    m.arguments.insert(
        "nested".into(),
        serde_json::json!({"n": 1.5, "l": [1, null]}),
    );
    assert_eq!(store.create(&m, None).await?, Created::New(m.clone()));
    assert_eq!(store.get(&m.id).await?, Some(m));
    let unknown = message_at(1, Stage::Dev, MessageType::Notification);
    assert_eq!(store.get(&unknown.id).await?, None);
    Ok(())
}

#[tokio::test]
async fn creating_an_existing_id_is_already_exists() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    store.create(&m, None).await?;
    let again = store.create(&m, None).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists(id)) if id == m.id));
    Ok(())
}

#[tokio::test]
async fn an_idempotency_key_answers_with_the_first_message_and_stays_out_of_lists() -> TestResult {
    let (store, table) = new_store(Stage::Dev).await;
    let first = message_at(0, Stage::Dev, MessageType::Notification);
    let second = message_at(5, Stage::Dev, MessageType::Notification);
    assert_eq!(
        store.create(&first, Some("key-1")).await?,
        Created::New(first.clone())
    );
    assert_eq!(
        store.create(&second, Some("key-1")).await?,
        Created::Existing(first.clone())
    );
    // Even the same id again: the known key wins.
    assert_eq!(
        store.create(&first, Some("key-1")).await?,
        Created::Existing(first.clone())
    );
    assert_eq!(store.get(&second.id).await?, None);
    let other = store.create(&second, Some("key-2")).await?;
    assert_eq!(other, Created::New(second.clone()));

    let listed = store
        .list(&ListQuery {
            limit: 10,
            ..ListQuery::default()
        })
        .await?;
    assert_eq!(listed.items, vec![second, first]);
    let key_item = table
        .client
        .get_item()
        .table_name(&table.name)
        .key("id", AttributeValue::S("idempotency#key-1".into()))
        .key("created_date", AttributeValue::S("#".into()))
        .send()
        .await?;
    let key_item = key_item.item.expect("the key is its own item");
    assert!(!key_item.contains_key("stage") && !key_item.contains_key("status"));
    Ok(())
}

#[tokio::test]
async fn lists_page_newest_first_with_every_item_exactly_once() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let mut created = Vec::new();
    for i in 0..11 {
        let m = message_at(i * 10, Stage::Dev, MessageType::Notification);
        store.create(&m, None).await?;
        created.push(m);
    }
    let pages = all_pages(
        &store,
        ListQuery {
            limit: 3,
            ..ListQuery::default()
        },
    )
    .await?;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 3, 2]);
    let listed: Vec<Message> = pages.into_iter().flatten().collect();
    created.reverse();
    assert_eq!(listed, created, "newest first, each once");
    // A limit that divides the count exactly ends without an empty page.
    let pages = all_pages(
        &store,
        ListQuery {
            limit: 11,
            ..ListQuery::default()
        },
    )
    .await?;
    assert_eq!(pages.len(), 1);
    Ok(())
}

#[tokio::test]
async fn filters_by_status_stage_and_type_page_through_the_indexes() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let mut scheduled_queued = Vec::new();
    for i in 0..12 {
        let kind = if i % 3 == 0 {
            MessageType::Scheduled
        } else {
            MessageType::Notification
        };
        let m = message_at(i * 10, Stage::Dev, kind);
        store.create(&m, None).await?;
        if i % 2 == 0 {
            let queued = store
                .transition(&change(&m, &[Status::Created], Status::Queued, 1))
                .await?;
            if kind == MessageType::Scheduled {
                scheduled_queued.push(queued);
            }
        }
    }
    scheduled_queued.reverse();
    let query = ListQuery {
        stage: Some(Stage::Dev),
        status: Some(Status::Queued),
        message_type: Some(MessageType::Scheduled),
        limit: 1,
        cursor: None,
    };
    let pages = all_pages(&store, query).await?;
    assert!(pages.len() >= 2, "{pages:?}");
    assert_eq!(
        pages.into_iter().flatten().collect::<Vec<_>>(),
        scheduled_queued
    );

    let created = all_pages(
        &store,
        ListQuery {
            status: Some(Status::Created),
            limit: 4,
            ..ListQuery::default()
        },
    )
    .await?;
    let created: Vec<Message> = created.into_iter().flatten().collect();
    assert_eq!(created.len(), 6);
    assert!(created.iter().all(|m| m.status == Status::Created));
    assert!(
        created
            .windows(2)
            .all(|w| w[0].created_date > w[1].created_date)
    );

    let other_stage = store
        .list(&ListQuery {
            stage: Some(Stage::Prod),
            limit: 10,
            ..ListQuery::default()
        })
        .await?;
    assert!(other_stage.items.is_empty() && other_stage.next_cursor.is_none());
    Ok(())
}

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
async fn of_concurrent_identical_transitions_exactly_one_wins() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    store.create(&m, None).await?;
    let take = change(&m, &[Status::Created], Status::Processing, 1);
    let results = futures_join(&store, &take, 6).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let lost = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(StoreError::Conflict {
                    current: Status::Processing,
                    ..
                })
            )
        })
        .count();
    assert_eq!((won, lost), (1, 5), "{results:?}");
    Ok(())
}

async fn futures_join(
    store: &rez_aws::DynamoMessageStore,
    change: &StatusChange,
    n: usize,
) -> Vec<Result<Message, StoreError>> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (store, change) = (store.clone(), change.clone());
        tasks.push(tokio::spawn(async move { store.transition(&change).await }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test]
async fn a_missing_table_is_unavailable() -> TestResult {
    let (_, table) = new_store(Stage::Dev).await;
    let store = rez_aws::DynamoMessageStore::new(table.client.clone(), "no-such-table", Stage::Dev);
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    for result in [
        store.get(&m.id).await.map(|_| ()),
        store.create(&m, None).await.map(|_| ()),
        store
            .list(&ListQuery {
                limit: 1,
                ..ListQuery::default()
            })
            .await
            .map(|_| ()),
        store.metrics().await.map(|_| ()),
    ] {
        match result {
            Err(StoreError::Unavailable(why)) => assert!(why.contains("no-such-table"), "{why}"),
            other => panic!("expected unavailable, got {other:?}"),
        }
    }
    Ok(())
}

#[tokio::test]
async fn an_undecodable_item_is_corrupt_not_a_crash() -> TestResult {
    let (store, table) = new_store(Stage::Dev).await;
    let m = message_at(0, Stage::Dev, MessageType::Notification);
    table
        .client
        .put_item()
        .table_name(&table.name)
        .item("id", AttributeValue::S(m.id.to_string()))
        .item(
            "created_date",
            AttributeValue::S("2026-11-30T12:00:00.000000Z".into()),
        )
        .item("stage", AttributeValue::S("dev".into()))
        .item("status", AttributeValue::S("lost".into()))
        .send()
        .await?;
    assert!(
        matches!(store.get(&m.id).await, Err(StoreError::Corrupt(why)) if why.contains(m.id.as_str()))
    );
    assert!(matches!(
        store
            .list(&ListQuery {
                limit: 5,
                ..ListQuery::default()
            })
            .await,
        Err(StoreError::Corrupt(_))
    ));
    Ok(())
}

#[tokio::test]
async fn lists_never_show_the_auxiliary_items() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let mut ids = HashSet::new();
    for i in 0..3 {
        let m = message_at(i, Stage::Dev, MessageType::Notification);
        store.create(&m, Some(&format!("k{i}"))).await?;
        ids.insert(m.id);
    }
    store.metrics().await?;
    let listed = store
        .list(&ListQuery {
            limit: 100,
            ..ListQuery::default()
        })
        .await?;
    assert_eq!(
        listed
            .items
            .into_iter()
            .map(|m| m.id)
            .collect::<HashSet<_>>(),
        ids
    );
    Ok(())
}
