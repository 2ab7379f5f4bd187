//! The schedules people define, on the deployment: created through the API
//! Gateway front, the webapi makes each an EventBridge Scheduler schedule in
//! the stack's group (moto's Scheduler, read with GetSchedule), the harness
//! fires it (at 60 times real time) through the scheduler function, and
//! each fire's message is delivered to ntfy.

use chrono::{Duration, FixedOffset, Utc};
use rez_core::ports::{ListQuery, MessageStore};
use rez_core::schedule::{CONFIGURATION_SCHEDULE_ID, ScheduleId};
use rez_core::{Message, Status};
use serde_json::{Value, json};

use crate::support::{api, eventually, settled, start_scaled, store};

/// The messages schedule `id` made so far.
async fn messages_of(local: &rez_aws_local::AwsLocal, id: &str) -> Vec<Message> {
    let id: ScheduleId = id.parse().expect("a schedule id");
    store(local)
        .list(&ListQuery {
            schedule_id: Some(id),
            limit: 50,
            ..ListQuery::default()
        })
        .await
        .map(|page| page.items)
        .unwrap_or_default()
}

/// The Scheduler schedule of `id` in the stack's group, if any.
async fn scheduler_schedule(
    local: &rez_aws_local::AwsLocal,
    id: &str,
) -> Option<aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput> {
    let group = &local.declared().schedule_groups[0].name;
    local
        .clients()
        .scheduler
        .get_schedule()
        .name(id)
        .group_name(group)
        .send()
        .await
        .ok()
}

fn published_texts(local: &rez_aws_local::AwsLocal) -> Vec<Value> {
    local
        .ntfy()
        .expect("the stub")
        .received()
        .into_iter()
        .map(|r| r.body["message"].clone())
        .collect()
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_rate_schedule_made_through_the_api_fires_through_scheduler_and_delivers() {
    let local = start_scaled(60).await;
    let (status, created) = api(
        &local,
        reqwest::Method::POST,
        "/api/schedules",
        Some(&json!({
            "name": "stand-up",
            "expression": "rate(1 minute)",
            "timezone": "Europe/Berlin",
            "notification": {"title": "Stand-up", "message": "stand-up in 5 minutes", "tags": ["bell"]}
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["next_fire_times"].as_array().map(Vec::len), Some(5));

    // The webapi made it a Scheduler schedule as AWS requires one.
    let made = scheduler_schedule(&local, &id).await.expect("in the group");
    assert_eq!(made.schedule_expression(), Some("rate(1 minute)"));
    assert_eq!(made.schedule_expression_timezone(), Some("Europe/Berlin"));
    assert_eq!(
        made.flexible_time_window().map(|w| w.mode().as_str()),
        Some("OFF")
    );
    let target = made.target().expect("a target");
    let scheduler_alias = local
        .declared()
        .functions
        .iter()
        .find(|f| f.key == "scheduler")
        .map(|f| f.alias.arn.clone());
    assert_eq!(Some(target.arn().to_owned()), scheduler_alias);

    // Two fires (two virtual minutes, two real seconds), each one message,
    // each delivered.
    let fired = eventually("two fires of the schedule", || async {
        let made = messages_of(&local, &id).await;
        (made.len() >= 2).then_some(made)
    })
    .await;
    for message in &fired[..2] {
        assert_eq!(message.message_type.as_str(), "scheduled");
        assert_eq!(message.payload.title.as_deref(), Some("Stand-up"));
        let delivered = settled(&local, message.id.as_str()).await;
        assert_eq!(delivered.status, Status::Completed, "{delivered:?}");
    }
    assert!(
        published_texts(&local)
            .iter()
            .filter(|text| *text == "stand-up in 5 minutes")
            .count()
            >= 2
    );

    // Paused: Scheduler's copy is disabled, and the API shows no fire ahead.
    let (status, paused) = api(
        &local,
        reqwest::Method::PUT,
        &format!("/api/schedules/{id}"),
        Some(&json!({"state": "DISABLED"})),
    )
    .await;
    assert_eq!(status, 200, "{paused}");
    assert_eq!(paused["next_fire_times"], json!([]));
    let disabled = scheduler_schedule(&local, &id).await.expect("still there");
    assert_eq!(disabled.state().map(|s| s.as_str()), Some("DISABLED"));

    // The deployment's own schedule is listed beside it, owned by its configuration.
    let (status, listed) = api(&local, reqwest::Method::GET, "/api/schedules", None).await;
    assert_eq!(status, 200, "{listed}");
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|s| s["id"] == CONFIGURATION_SCHEDULE_ID
            && s["owner"] == "configuration"
            && s["expression"] == local.declared().schedules[0].schedule_expression),
        "{listed}"
    );
    assert!(items.iter().any(|s| s["id"] == id.as_str()), "{listed}");

    let (status, _) = api(
        &local,
        reqwest::Method::DELETE,
        &format!("/api/schedules/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(scheduler_schedule(&local, &id).await.is_none());
    local.shutdown().await;
}

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_one_time_schedule_in_a_zone_fires_once_delivers_and_ends_itself() {
    let local = start_scaled(60).await;
    // Three minutes from now on Tokyo's clocks (UTC+9, no daylight saving):
    // three seconds at 60 times real time.
    let tokyo = FixedOffset::east_opt(9 * 3600).expect("an offset");
    let at = (Utc::now() + Duration::minutes(3))
        .with_timezone(&tokyo)
        .format("%Y-%m-%dT%H:%M:%S");
    let (status, created) = api(
        &local,
        reqwest::Method::POST,
        "/api/schedules",
        Some(&json!({
            "name": "train",
            "expression": format!("at({at})"),
            "timezone": "Asia/Tokyo",
            "notification": {"message": "leave for the train"}
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("an id").to_owned();
    let made = scheduler_schedule(&local, &id).await.expect("in the group");
    assert_eq!(
        made.action_after_completion().map(|a| a.as_str()),
        Some("DELETE")
    );

    let fired = eventually("the one fire", || async {
        let made = messages_of(&local, &id).await;
        (!made.is_empty()).then_some(made)
    })
    .await;
    let delivered = settled(&local, fired[0].id.as_str()).await;
    assert_eq!(delivered.status, Status::Completed, "{delivered:?}");
    assert!(published_texts(&local).contains(&json!("leave for the train")));

    // It ended itself: gone from Scheduler and from the API.
    eventually("the schedule gone", || async {
        let (status, _) = api(
            &local,
            reqwest::Method::GET,
            &format!("/api/schedules/{id}"),
            None,
        )
        .await;
        let gone = status == 404 && scheduler_schedule(&local, &id).await.is_none();
        gone.then_some(())
    })
    .await;
    assert_eq!(messages_of(&local, &id).await.len(), 1);
    local.shutdown().await;
}
