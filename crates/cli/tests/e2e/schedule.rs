//! The scheduler fires on time and creates one message per fire time.

use crate::helpers::*;
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn a_one_time_schedule_creates_and_delivers_exactly_one_scheduled_message() -> TestResult {
    // Two minutes ahead at a time scale of 0.01 fires after about 1.2 s.
    let at = (chrono::Utc::now() + chrono::Duration::minutes(2))
        .format("at(%Y-%m-%dT%H:%M:%S)")
        .to_string();
    let app = spawn_app_with(ntfy_accepting().await, |c| c.schedule = at.parse().unwrap()).await;

    let scheduled =
        scheduled_messages_once_delivered(&app, "no scheduled message was delivered").await;
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0]["created_by"], "scheduler");
    let publishes = app.publishes().await;
    assert_eq!(publishes.len(), 1);
    assert_eq!(publishes[0]["sequence_id"], scheduled[0]["id"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.get_json("/api/messages?message_type=scheduled").await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_client_key_with_the_fire_time_s_text_leaves_the_scheduled_message_alone() -> TestResult {
    use chrono::Timelike;
    // Five minutes ahead at a time scale of 0.01 fires after about 3 s.
    let fire = (chrono::Utc::now() + chrono::Duration::minutes(5))
        .with_nanosecond(0)
        .ok_or("no whole second")?;
    let at = fire.format("at(%Y-%m-%dT%H:%M:%S)").to_string();
    let app = spawn_app_with(ntfy_accepting().await, |c| c.schedule = at.parse().unwrap()).await;

    // The scheduler's key for this fire time, as it was written before keys
    // had namespaces, and as it is stored now.
    let fire_text = rez_core::time::format(fire);
    let lookalikes = [
        format!("schedule:{fire_text}"),
        format!("scheduler:{fire_text}"),
    ];
    let mut posted = Vec::new();
    for key in &lookalikes {
        let post = || {
            app.client
                .post(app.url("/api/messages"))
                .header("Idempotency-Key", key)
                .json(&serde_json::json!({"message": "mine"}))
                .send()
        };
        let first = post().await?;
        assert_eq!(first.status(), 202);
        assert_eq!(first.headers().get("idempotent-replayed"), None, "{key}");
        let first: Value = first.json().await?;
        let again = post().await?;
        assert_eq!(
            again
                .headers()
                .get("idempotent-replayed")
                .map(|v| v.as_bytes()),
            Some(&b"true"[..])
        );
        let again: Value = again.json().await?;
        assert_eq!(again["id"], first["id"], "{key}");
        posted.push(first);
    }

    let scheduled = scheduled_messages_once_delivered(
        &app,
        "the client's keys suppressed the scheduled message",
    )
    .await;
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0]["created_by"], "scheduler");
    assert_eq!(scheduled[0]["arguments"]["scheduled_time"], fire_text);
    for mine in &posted {
        assert_ne!(mine["id"], scheduled[0]["id"]);
        let now = app.message(mine["id"].as_str().ok_or("no id")?).await;
        assert_eq!(now["message_type"], "notification");
        assert_eq!(now["payload"]["message"], "mine");
    }
    app.shutdown().await;
    Ok(())
}

/// The scheduled messages, once one of them is delivered (bounded by
/// `WAIT_LIMIT`; `failure` says what it means when none is).
async fn scheduled_messages_once_delivered(app: &TestApp, failure: &str) -> Vec<Value> {
    eventually(Duration::from_millis(50), async || {
        let page = app.get_json("/api/messages?message_type=scheduled").await;
        let items: Vec<Value> = page["items"].as_array().cloned().unwrap_or_default();
        match items.iter().any(|m| m["status"] == "completed") {
            true => Ok(items),
            false => Err(format!("{failure}: {items:?}")),
        }
    })
    .await
}

/// The messages schedule `id` made, once `count` of them are delivered.
async fn delivered_messages_of(app: &TestApp, id: &str, count: usize) -> Vec<Value> {
    eventually(Duration::from_millis(50), async || {
        let page = app.get_json("/api/messages?message_type=scheduled").await;
        let made: Vec<Value> = page["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m["arguments"]["schedule_id"] == id)
            .collect();
        match made.iter().filter(|m| m["status"] == "completed").count() >= count {
            true => Ok(made),
            false => Err(format!(
                "schedule {id}: fewer than {count} delivered: {made:?}"
            )),
        }
    })
    .await
}

#[tokio::test]
async fn a_rate_schedule_made_through_the_api_fires_each_minute_and_delivers() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let created = app
        .client
        .post(app.url("/api/schedules"))
        .json(&serde_json::json!({
            "name": "every minute",
            "expression": "rate(1 minute)",
            "notification": {"title": "Tick", "message": "a minute passed"}
        }))
        .send()
        .await?;
    assert_eq!(created.status(), 201);
    let schedule: Value = created.json().await?;
    let id = schedule["id"].as_str().ok_or("an id")?.to_owned();

    // A rate fires at its start and each minute after: 0.6 s apart here.
    let made = delivered_messages_of(&app, &id, 3).await;
    let mut fires: Vec<chrono::DateTime<chrono::Utc>> = made
        .iter()
        .filter_map(|m| m["arguments"]["scheduled_time"].as_str())
        .map(rez_core::time::parse)
        .collect::<Result<_, _>>()?;
    fires.sort();
    for pair in fires.windows(2) {
        assert_eq!(pair[1] - pair[0], chrono::Duration::minutes(1), "{fires:?}");
    }
    let publishes = app.publishes().await;
    assert!(
        publishes
            .iter()
            .any(|p| p["title"] == "Tick" && p["message"] == "a minute passed")
    );

    // Paused, it makes no more.
    let paused = app
        .client
        .put(app.url(&format!("/api/schedules/{id}")))
        .json(&serde_json::json!({"state": "DISABLED"}))
        .send()
        .await?;
    assert_eq!(paused.status(), 200);
    // A pass that read the schedule before the pause may still fire once.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after_pause = delivered_messages_of(&app, &id, 0).await.len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(delivered_messages_of(&app, &id, 0).await.len(), after_pause);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_one_time_schedule_made_through_the_api_fires_once_and_ends_itself() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    // Two minutes ahead, in Tokyo's wall-clock time: about 1.2 s here.
    let tokyo: rez_schedule::Tz = "Asia/Tokyo".parse()?;
    let at = (chrono::Utc::now() + chrono::Duration::minutes(2))
        .with_timezone(&tokyo)
        .format("at(%Y-%m-%dT%H:%M:%S)")
        .to_string();
    let created = app
        .client
        .post(app.url("/api/schedules"))
        .json(&serde_json::json!({
            "name": "train", "expression": at, "timezone": "Asia/Tokyo",
            "notification": {"message": "leave for the train"}
        }))
        .send()
        .await?;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await?["id"]
        .as_str()
        .ok_or("an id")?
        .to_owned();
    let made = delivered_messages_of(&app, &id, 1).await;
    assert_eq!(made.len(), 1);
    let gone = app
        .client
        .get(app.url(&format!("/api/schedules/{id}")))
        .send()
        .await?;
    assert_eq!(gone.status(), 404, "the schedule deleted itself");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(delivered_messages_of(&app, &id, 0).await.len(), 1);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_daily_schedule_is_listed_as_the_configurations_and_cannot_be_changed() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let listed = app.get_json("/api/schedules").await;
    let items = listed["items"].as_array().ok_or("items")?;
    assert_eq!(items.len(), 1, "{listed:#}");
    let own = &items[0];
    assert_eq!(own["id"], rez_core::schedule::CONFIGURATION_SCHEDULE_ID);
    assert_eq!(own["owner"], "configuration");
    // The test stack's --schedule: noon UTC in 2199.
    assert_eq!(own["expression"], "cron(0 12 * * ? 2199)");
    assert_eq!(own["next_fire_times"][0], "2199-01-01T12:00:00Z");
    let path = app.url(&format!(
        "/api/schedules/{}",
        rez_core::schedule::CONFIGURATION_SCHEDULE_ID
    ));
    let pause = app
        .client
        .put(&path)
        .json(&serde_json::json!({"state": "DISABLED"}))
        .send()
        .await?;
    assert_eq!(pause.status(), 409);
    assert_eq!(pause.json::<Value>().await?["error"]["code"], "conflict");
    assert_eq!(app.client.delete(&path).send().await?.status(), 409);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_restart_neither_doubles_nor_loses_the_fires_of_a_schedule() -> TestResult {
    let app = spawn_app(ntfy_accepting().await).await;
    let created = app
        .client
        .post(app.url("/api/schedules"))
        .json(&serde_json::json!({
            "name": "every minute", "expression": "rate(1 minute)",
            "notification": {"message": "tick"}
        }))
        .send()
        .await?;
    let id = created.json::<Value>().await?["id"]
        .as_str()
        .ok_or("an id")?
        .to_owned();
    delivered_messages_of(&app, &id, 2).await;
    let (dir, ntfy) = app.stop().await;

    // A new process's virtual clock starts again at the wall clock, which
    // is behind the minutes the first one ran through: the schedule goes on
    // from its recorded last fire. (What happens to fires missed while
    // down is checked on a fixed clock in stack::schedules_loop_tests.)
    tokio::time::sleep(Duration::from_millis(500)).await;
    let app = spawn_app_in(dir, ntfy, |_| {}).await;
    let made = delivered_messages_of(&app, &id, 4).await;
    let mut fires: Vec<chrono::DateTime<chrono::Utc>> = made
        .iter()
        .filter_map(|m| m["arguments"]["scheduled_time"].as_str())
        .map(rez_core::time::parse)
        .collect::<Result<_, _>>()?;
    fires.sort();
    for pair in fires.windows(2) {
        assert_eq!(
            pair[1] - pair[0],
            chrono::Duration::minutes(1),
            "one fire a minute, none twice, none lost: {fires:?}"
        );
    }
    app.shutdown().await;
    Ok(())
}
