//! Idempotency keys in namespaces on DynamoDB: a client's key never stands
//! in for the scheduler's, and the key items written before namespaces
//! (`idempotency#<key as sent>`) still answer for the key they held.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use rez_aws::DynamoMessageStore;
use rez_core::idempotency::{SCHEDULED_TIME_ARGUMENT, SCHEDULER_CREATED_BY};
use rez_core::ports::{Created, MessageStore};
use rez_core::{IdempotencyKey, Message, MessageType, Notification, Stage, time};

use crate::helpers::{TestResult, TestTable, message_at, new_store};

/// The fire time the tests schedule.
fn fire() -> DateTime<Utc> {
    message_at(3_600_000, Stage::Dev, MessageType::Notification).created_date
}

/// The message the scheduler makes for `fire`.
fn scheduled_for(fire: DateTime<Utc>) -> Message {
    let mut m = Message::new(
        fire,
        SCHEDULER_CREATED_BY,
        Stage::Dev,
        MessageType::Scheduled,
        Notification::text("Scheduled notification."),
    );
    m.arguments
        .insert(SCHEDULED_TIME_ARGUMENT.into(), time::format(fire).into());
    m
}

/// A message posted through the API.
fn posted(offset_ms: i64) -> Message {
    message_at(offset_ms, Stage::Dev, MessageType::Notification)
}

fn client(text: &str) -> IdempotencyKey {
    IdempotencyKey::Client(text.to_owned())
}

#[tokio::test]
async fn a_client_key_with_the_fire_time_s_text_does_not_suppress_the_scheduled_message()
-> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let scheduler = IdempotencyKey::Scheduler(fire());
    let lookalikes = [
        client(&scheduler.unnamespaced()),
        client(&scheduler.stored()),
    ];
    let mut posts = Vec::new();
    for (i, key) in lookalikes.iter().enumerate() {
        let m = posted(i as i64);
        assert_eq!(store.create(&m, Some(key)).await?, Created::New(m.clone()));
        posts.push(m);
    }
    let fired = scheduled_for(fire());
    assert_eq!(
        store.create(&fired, Some(&scheduler)).await?,
        Created::New(fired.clone()),
        "the client's key suppressed the fire"
    );
    // Each key still answers for its own message.
    assert_eq!(
        store
            .create(&scheduled_for(fire()), Some(&scheduler))
            .await?,
        Created::Existing(fired)
    );
    for (key, first) in lookalikes.iter().zip(posts) {
        assert_eq!(
            store.create(&posted(9), Some(key)).await?,
            Created::Existing(first)
        );
    }
    Ok(())
}

/// Stores `message` with a key item as written before namespaces:
/// `idempotency#<text>`.
async fn store_unnamespaced(
    store: &DynamoMessageStore,
    table: &TestTable,
    text: &str,
    message: &Message,
) -> TestResult {
    store.create(message, None).await?;
    table
        .client
        .put_item()
        .table_name(&table.name)
        .item("id", AttributeValue::S(format!("idempotency#{text}")))
        .item("created_date", AttributeValue::S("#".into()))
        .item("message_id", AttributeValue::S(message.id.to_string()))
        .item(
            "message_created_date",
            AttributeValue::S(time::format(message.created_date)),
        )
        .item("ttl", AttributeValue::N(message.ttl.to_string()))
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_key_item_from_before_namespaces_answers_for_the_key_it_held_only() -> TestResult {
    let (store, table) = new_store(Stage::Dev).await;
    let later = fire() + chrono::Duration::days(1);
    let old_fire = IdempotencyKey::Scheduler(fire()).unnamespaced();
    let old_later = IdempotencyKey::Scheduler(later).unnamespaced();
    // A client's key; the scheduler's key for `fire`; a client's key with
    // the text of the scheduler's key for `later`, sent before it fired.
    let first = posted(0);
    let scheduled = scheduled_for(fire());
    let squatter = posted(1);
    store_unnamespaced(&store, &table, "deploy-42", &first).await?;
    store_unnamespaced(&store, &table, &old_fire, &scheduled).await?;
    store_unnamespaced(&store, &table, &old_later, &squatter).await?;

    // A client retrying, and the scheduler's fire delivered again, across
    // the change of item ids: the message stored then, nothing new.
    let replays = [
        (client("deploy-42"), &first),
        (IdempotencyKey::Scheduler(fire()), &scheduled),
        (client(&old_later), &squatter),
    ];
    for (key, original) in replays {
        assert_eq!(
            store.create(&posted(5), Some(&key)).await?,
            Created::Existing(original.clone()),
            "{key}"
        );
    }
    // The item a client wrote does not suppress the fire it looks like, and
    // the scheduler's does not answer a client sending its text.
    let fired = scheduled_for(later);
    assert_eq!(
        store
            .create(&fired, Some(&IdempotencyKey::Scheduler(later)))
            .await?,
        Created::New(fired)
    );
    let lookalike = posted(6);
    assert_eq!(
        store.create(&lookalike, Some(&client(&old_fire))).await?,
        Created::New(lookalike.clone())
    );
    assert_eq!(
        store.create(&posted(7), Some(&client(&old_fire))).await?,
        Created::Existing(lookalike),
        "from then on the client's own key answers"
    );
    Ok(())
}

#[tokio::test]
async fn a_key_item_from_before_namespaces_whose_message_expired_answers_nothing() -> TestResult {
    let (store, table) = new_store(Stage::Dev).await;
    let expired = posted(0);
    store_unnamespaced(&store, &table, "deploy-41", &expired).await?;
    table
        .client
        .delete_item()
        .table_name(&table.name)
        .key("id", AttributeValue::S(expired.id.to_string()))
        .key(
            "created_date",
            AttributeValue::S(time::format(expired.created_date)),
        )
        .send()
        .await?;
    let m = posted(1);
    assert_eq!(
        store.create(&m, Some(&client("deploy-41"))).await?,
        Created::New(m)
    );
    Ok(())
}
