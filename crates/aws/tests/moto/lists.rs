//! Lists: Queries on the GSIs, newest first, paged with cursors.

use std::collections::HashSet;

use rez_core::ports::{ListQuery, MessageStore, MetricsWindow};
use rez_core::schedule::{SCHEDULE_ID_ARGUMENT, ScheduleId};
use rez_core::{Cursor, IdempotencyKey, Message, MessageType, Stage, Status, StoreError};

use crate::helpers::{TestResult, change, message_at, new_store};

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
        schedule_id: None,
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
async fn a_schedule_filter_pages_through_only_that_schedule_s_scheduled_messages() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let base = message_at(0, Stage::Dev, MessageType::Scheduled).created_date;
    let (mine, other) = (ScheduleId::generate(base), ScheduleId::generate(base));
    let mut expected = Vec::new();
    for i in 0..9 {
        let (kind, schedule) = match i % 3 {
            0 => (MessageType::Scheduled, &mine),
            1 => (MessageType::Scheduled, &other),
            _ => (MessageType::Notification, &mine),
        };
        let mut m = message_at(i * 10, Stage::Dev, kind);
        m.arguments
            .insert(SCHEDULE_ID_ARGUMENT.into(), schedule.as_str().into());
        store.create(&m, None).await?;
        if i % 3 == 0 {
            expected.push(m);
        }
    }
    expected.reverse();
    let pages = all_pages(
        &store,
        ListQuery {
            schedule_id: Some(mine),
            limit: 2,
            ..ListQuery::default()
        },
    )
    .await?;
    assert_eq!(pages.into_iter().flatten().collect::<Vec<_>>(), expected);
    Ok(())
}

#[tokio::test]
async fn lists_never_show_the_auxiliary_items() -> TestResult {
    let (store, _) = new_store(Stage::Dev).await;
    let mut ids = HashSet::new();
    for i in 0..3 {
        let m = message_at(i, Stage::Dev, MessageType::Notification);
        store
            .create(&m, Some(&IdempotencyKey::Client(format!("k{i}"))))
            .await?;
        ids.insert(m.id);
    }
    let last_day = message_at(2, Stage::Dev, MessageType::Notification).created_date;
    assert_eq!(
        store.metrics(MetricsWindow::ending(last_day)).await?.total,
        3
    );
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
