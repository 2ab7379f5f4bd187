//! The DynamoDB message store: create, get, idempotency, and how failures surface.
//!
//! Nothing here races writers against each other: moto 5.2.5 runs
//! TransactWriteItems by snapshotting and restoring whole tables without a
//! lock, so concurrent transactions are not isolated there (one test that
//! raced six creates with one idempotency key saw a cancelled write come
//! back). The store's handling of conflicts is pinned in its unit tests
//! with scripted TransactionConflict answers instead.

use aws_sdk_dynamodb::types::AttributeValue;
use rez_core::ports::{Created, ListQuery, MessageStore, MetricsWindow};
use rez_core::{IdempotencyKey, MessageType, Stage, StoreError};

use crate::helpers::{TestResult, message_at, new_store};

/// A key as a client sends it.
fn client_key(text: &str) -> IdempotencyKey {
    IdempotencyKey::Client(text.to_owned())
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
        store.create(&first, Some(&client_key("key-1"))).await?,
        Created::New(first.clone())
    );
    assert_eq!(
        store.create(&second, Some(&client_key("key-1"))).await?,
        Created::Existing(first.clone())
    );
    // Even the same id again: the known key wins.
    assert_eq!(
        store.create(&first, Some(&client_key("key-1"))).await?,
        Created::Existing(first.clone())
    );
    assert_eq!(store.get(&second.id).await?, None);
    let other = store.create(&second, Some(&client_key("key-2"))).await?;
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
        .key(
            "id",
            AttributeValue::S("idempotency-key#client:key-1".into()),
        )
        .key("created_date", AttributeValue::S("#".into()))
        .send()
        .await?;
    let key_item = key_item.item.expect("the key is its own item");
    assert!(!key_item.contains_key("stage") && !key_item.contains_key("status"));
    Ok(())
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
        store
            .metrics(MetricsWindow::ending(chrono::Utc::now()))
            .await
            .map(|_| ()),
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
