//! The message store: create, get, list, transition.

use std::collections::HashSet;

use rez_core::ports::{Created, ListQuery, MessageStore, StatusChange};
use rez_core::schedule::{SCHEDULE_ID_ARGUMENT, ScheduleId};
use rez_core::{
    Cursor, IdempotencyKey, Message, MessageId, MessageType, Stage, Status, StoreError,
};

use super::fixtures::{TestResult, at, full_message, message, temp_db};
use crate::SqliteStore;
use crate::error::store_error;
use crate::store::list_sql;

/// The schedules the seeded messages name.
const SCHEDULES: [&str; 2] = [
    "0192f0c4-0000-7000-8000-000000000001",
    "0192f0c4-0000-7000-8000-000000000002",
];

/// The first of [`SCHEDULES`], as an id.
fn schedule() -> ScheduleId {
    SCHEDULES[0].parse().unwrap()
}

/// A key as a client sends it.
fn client_key(text: &str) -> IdempotencyKey {
    IdempotencyKey::Client(text.to_owned())
}

#[tokio::test]
async fn create_then_get_round_trips_every_field() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let original = full_message(at(0));
    assert_eq!(
        store.create(&original, None).await?,
        Created::New(original.clone())
    );
    assert_eq!(store.get(&original.id).await?, Some(original));
    Ok(())
}

#[tokio::test]
async fn get_of_an_unknown_id_is_none() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    assert_eq!(store.get(&MessageId::generate(at(0))).await?, None);
    Ok(())
}

#[tokio::test]
async fn creating_an_existing_id_fails_with_already_exists() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let m = message(
        at(0),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    store.create(&m, None).await?;
    let mut again = m.clone();
    again.created_by = "someone else".into();
    match store.create(&again, None).await {
        Err(StoreError::AlreadyExists(id)) => assert_eq!(id, m.id),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(store.get(&m.id).await?, Some(m));
    Ok(())
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_original_message() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let first = message(
        at(0),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    let second = message(
        at(1),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    store.create(&first, Some(&client_key("key-1"))).await?;
    assert_eq!(
        store.create(&second, Some(&client_key("key-1"))).await?,
        Created::Existing(first.clone())
    );
    assert_eq!(
        store.get(&second.id).await?,
        None,
        "the retry stored nothing"
    );
    assert_eq!(
        store.create(&second, Some(&client_key("key-2"))).await?,
        Created::New(second)
    );
    Ok(())
}

#[tokio::test]
async fn a_failed_create_does_not_claim_its_idempotency_key() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let m = message(
        at(0),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    store.create(&m, None).await?;
    assert!(store.create(&m, Some(&client_key("k"))).await.is_err());
    let other = message(
        at(1),
        Stage::Dev,
        Status::Created,
        MessageType::Notification,
    );
    assert_eq!(
        store.create(&other, Some(&client_key("k"))).await?,
        Created::New(other)
    );
    Ok(())
}

/// 250 messages, three per timestamp (so ties break on id), spread over the filters.
async fn seed(store: &SqliteStore) -> Result<Vec<Message>, StoreError> {
    let mut all = Vec::new();
    for i in 0..250_i64 {
        let mut m = message(
            at(i / 3),
            Stage::ALL[(i % 3) as usize],
            Status::ALL[(i % 5) as usize],
            MessageType::ALL[(i % 2) as usize],
        );
        // Every message names a schedule; only the `scheduled` ones are its.
        m.arguments.insert(
            SCHEDULE_ID_ARGUMENT.into(),
            SCHEDULES[((i / 2) % 2) as usize].into(),
        );
        store.create(&m, None).await?;
        all.push(m);
    }
    all.sort_by(|a, b| (b.created_date, &b.id).cmp(&(a.created_date, &a.id)));
    Ok(all)
}

/// Follows `next_cursor` to the end, checking each cursor decodes for the query.
async fn page_through(
    store: &SqliteStore,
    mut query: ListQuery,
) -> Result<Vec<Message>, StoreError> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let page = store.list(&query).await?;
        assert!(page.items.len() <= query.limit as usize);
        seen.extend(page.items);
        match page.next_cursor {
            Some(text) => {
                let cursor = Cursor::decode(&text, &query.filter_fingerprint())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                query.cursor = Some(cursor);
            }
            None => return Ok(seen),
        }
    }
    panic!("paging did not end");
}

#[tokio::test]
async fn listing_pages_through_every_matching_message_once_newest_first() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let all = seed(&store).await?;
    let queries = [
        ListQuery::default(),
        ListQuery {
            stage: Some(Stage::Prod),
            ..ListQuery::default()
        },
        ListQuery {
            status: Some(Status::Failed),
            ..ListQuery::default()
        },
        ListQuery {
            message_type: Some(MessageType::Scheduled),
            ..ListQuery::default()
        },
        ListQuery {
            stage: Some(Stage::Dev),
            status: Some(Status::Queued),
            message_type: Some(MessageType::Notification),
            ..ListQuery::default()
        },
        ListQuery {
            schedule_id: Some(schedule()),
            ..ListQuery::default()
        },
        ListQuery {
            stage: Some(Stage::Dev),
            schedule_id: Some(schedule()),
            ..ListQuery::default()
        },
    ];
    for mut query in queries {
        query.limit = 20;
        let expected: Vec<&Message> = all.iter().filter(|m| query.matches(m)).collect();
        assert!(
            query.schedule_id.is_none() || !expected.is_empty(),
            "{query:?}: the seed has none"
        );
        let seen = page_through(&store, query.clone()).await?;
        let ids: HashSet<&MessageId> = seen.iter().map(|m| &m.id).collect();
        assert_eq!(ids.len(), seen.len(), "{query:?}: a message came twice");
        assert_eq!(seen.iter().collect::<Vec<_>>(), expected, "{query:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_page_that_ends_the_list_has_no_cursor() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    for i in 0..20 {
        let m = message(
            at(i),
            Stage::Dev,
            Status::Created,
            MessageType::Notification,
        );
        store.create(&m, None).await?;
    }
    let page = store
        .list(&ListQuery {
            limit: 20,
            ..ListQuery::default()
        })
        .await?;
    assert_eq!((page.items.len(), page.next_cursor), (20, None));
    Ok(())
}

#[tokio::test]
async fn every_list_reads_from_an_index_in_order_never_a_scan_and_sort() -> TestResult {
    let (_dir, db) = temp_db()?;
    let cursor = Cursor {
        created_date: "2026-11-30T12:00:00.000000Z".into(),
        id: MessageId::generate(at(0)).to_string(),
        filters: String::new(),
    };
    let mut queries = Vec::new();
    for stage in [None, Some(Stage::Dev)] {
        for status in [None, Some(Status::Queued)] {
            for message_type in [None, Some(MessageType::Scheduled)] {
                for schedule_id in [None, Some(schedule())] {
                    for cursor in [None, Some(cursor.clone())] {
                        queries.push(ListQuery {
                            stage,
                            status,
                            message_type,
                            schedule_id: schedule_id.clone(),
                            limit: 20,
                            cursor,
                        });
                    }
                }
            }
        }
    }
    for query in queries {
        let by_schedule = query.schedule_id.is_some();
        let (sql, params) = list_sql(&query, 20);
        let plan = db
            .call(move |conn| {
                let explain = || -> rusqlite::Result<Vec<String>> {
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = stmt.query_map(rusqlite::params_from_iter(params), |row| {
                        row.get::<_, String>(3)
                    })?;
                    rows.collect()
                };
                explain().map_err(store_error)
            })
            .await?
            .join("; ");
        assert!(plan.contains("USING INDEX messages_"), "{query:?}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{query:?}: {plan}");
        assert_eq!(
            plan.contains("messages_schedule_created_date"),
            by_schedule,
            "{query:?}: {plan}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn transition_applies_exactly_the_change_and_persists_it() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let m = message(
        at(0),
        Stage::Dev,
        Status::Processing,
        MessageType::Notification,
    );
    store.create(&m, None).await?;
    let mut change = StatusChange::new(
        m.id.clone(),
        &[Status::Processing],
        Status::Completed,
        at(9),
    );
    change.delivery_attempts = Some(2);
    change.delivered_at = Some(at(8));
    change.ntfy_message_id = Some("ntfy-1".into());
    change.execution_id = Some("exec-1".into());
    change.error_message = Some(None);
    change.increment_retry_count = true;
    let mut expected = m.clone();
    change.apply(&mut expected);

    assert_eq!(store.transition(&change).await?, expected);
    assert_eq!(store.get(&m.id).await?, Some(expected));
    Ok(())
}

#[tokio::test]
async fn transition_from_another_status_conflicts_and_changes_nothing() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let m = message(
        at(0),
        Stage::Dev,
        Status::Completed,
        MessageType::Notification,
    );
    store.create(&m, None).await?;
    let change = StatusChange::new(
        m.id.clone(),
        &[Status::Queued, Status::Processing],
        Status::Processing,
        at(1),
    );
    match store.transition(&change).await {
        Err(StoreError::Conflict {
            id,
            current,
            expected,
        }) => {
            assert_eq!((id, current), (m.id.clone(), Status::Completed));
            assert_eq!(expected, "queued|processing");
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(store.get(&m.id).await?, Some(m));
    Ok(())
}

#[tokio::test]
async fn transition_of_an_unknown_message_is_not_found() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let id = MessageId::generate(at(0));
    let change = StatusChange::new(id.clone(), &[Status::Created], Status::Queued, at(1));
    match store.transition(&change).await {
        Err(StoreError::NotFound(missing)) => assert_eq!(missing, id),
        other => panic!("expected NotFound, got {other:?}"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_from_many_tasks_all_land() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let mut tasks = Vec::new();
    for i in 0..64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let m = message(
                at(i),
                Stage::Dev,
                Status::Created,
                MessageType::Notification,
            );
            store
                .create(&m, Some(&client_key(&format!("key-{i}"))))
                .await
                .map(|_| m.id)
        }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await??);
    }
    let page = store
        .list(&ListQuery {
            limit: 1000,
            ..ListQuery::default()
        })
        .await?;
    let listed: HashSet<MessageId> = page.items.into_iter().map(|m| m.id).collect();
    assert_eq!((listed.len(), listed), (64, ids));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_with_one_idempotency_key_store_exactly_one() -> TestResult {
    let (_dir, db) = temp_db()?;
    let store = SqliteStore::new(db);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let m = message(
                at(i),
                Stage::Dev,
                Status::Created,
                MessageType::Notification,
            );
            store.create(&m, Some(&client_key("same-key"))).await
        }));
    }
    let (mut new, mut existing) = (Vec::new(), Vec::new());
    for task in tasks {
        match task.await?? {
            Created::New(m) => new.push(m.id),
            Created::Existing(m) => existing.push(m.id),
        }
    }
    assert_eq!(new.len(), 1);
    assert!(
        existing.iter().all(|id| *id == new[0]),
        "every retry saw the one stored"
    );
    let page = store
        .list(&ListQuery {
            limit: 100,
            ..ListQuery::default()
        })
        .await?;
    assert_eq!(page.items.len(), 1);
    Ok(())
}
