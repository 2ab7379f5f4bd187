//! EventBridge Scheduler firing the scheduler function.

use chrono::{DateTime, Utc};
use rez_core::ports::{ListQuery, MessageStore};

use crate::support::{eventually, settled, start, store};

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_schedule_fired_twice_for_one_time_makes_one_message_which_is_delivered() {
    let local = start().await;
    let schedule = local.declared().schedules[0].name.clone();
    let at: DateTime<Utc> = "2026-12-06T12:00:00Z".parse().expect("a time");
    let (first, second) = tokio::join!(
        local.fire_schedule(&schedule, at),
        local.fire_schedule(&schedule, at)
    );
    for fired in [first, second] {
        let invoked = fired.expect("the scheduler function was invoked");
        assert!(invoked.error_type().is_none(), "{invoked:?}");
    }

    let store = store(&local);
    let listed = eventually("the scheduled message", || async {
        store
            .list(&ListQuery {
                stage: local.declared().stage.parse().ok(),
                status: None,
                message_type: None,
                schedule_id: None,
                limit: 50,
                cursor: None,
            })
            .await
            .ok()
            .filter(|page| !page.items.is_empty())
    })
    .await;
    assert_eq!(listed.items.len(), 1, "{:?}", listed.items);
    let message = settled(&local, listed.items[0].id.as_str()).await;
    assert_eq!(message.status.as_str(), "completed", "{message:?}");
    assert_eq!(message.message_type.as_str(), "scheduled");
    // Every publish is of that one message. (The second firing can publish
    // it again while the first one's delivery runs, and two executions then
    // deliver it: the at-least-once delivery RELIABILITY.md describes.)
    let received = local.ntfy().expect("the stub").received();
    assert!(!received.is_empty());
    let sequence = message.id.as_str().to_owned();
    assert!(
        received
            .iter()
            .all(|r| r.body["sequence_id"] == sequence.as_str()),
        "{received:?}"
    );
    local.shutdown().await;
}
