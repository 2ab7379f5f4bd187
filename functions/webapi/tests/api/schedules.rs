//! `/api/schedules`: create, preview, list, read, change, pause and delete
//! the schedules people define; what the store holds and the runner is
//! told; and `/api/messages?schedule_id=`, a schedule's messages.

use axum::http::{Method, StatusCode};
use rez_core::ports::ScheduleStore;
use rez_core::schedule::{
    CreateScheduleRequest, SCHEDULE_ID_ARGUMENT, ScheduleOwner, ScheduleState,
};
use rez_core::{Message, MessageType, Notification, Stage};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

use crate::helpers::{TestApp, TestResult, now};

fn standup() -> Value {
    json!({
        "name": "stand-up",
        "expression": "cron(0 8 ? * mon-fri *)",
        "timezone": "Europe/Berlin",
        "notification": {"title": "Stand-up", "message": "in 5 minutes"}
    })
}

#[tokio::test]
async fn a_deployment_without_schedules_answers_404() -> TestResult {
    let app = TestApp::new();
    app.get("/api/schedules")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let res = app.json(Method::POST, "/api/schedules", standup()).await;
    res.assert_error(StatusCode::NOT_FOUND, "not_found");
    let res = app
        .json(Method::POST, "/api/schedules/preview", timing(&standup()))
        .await;
    res.assert_error(StatusCode::NOT_FOUND, "not_found");
    Ok(())
}

/// The timing fields of a create body: the body of a preview.
fn timing(body: &Value) -> Value {
    let mut timing = json!({});
    for field in ["expression", "timezone", "start_date", "end_date"] {
        if let Some(value) = body.get(field) {
            timing[field] = value.clone();
        }
    }
    timing
}

#[tokio::test]
async fn a_preview_shows_the_fire_times_the_created_schedule_then_has_and_stores_nothing()
-> TestResult {
    let (app, store, runner) = TestApp::new().with_schedules();
    let mut ends = standup();
    ends["start_date"] = json!("2026-12-02T00:00:00Z");
    ends["end_date"] = json!("2026-12-04T00:00:00Z");
    let mut every_hour = standup();
    every_hour["expression"] = json!("rate(1 hour)");
    every_hour.as_object_mut().unwrap().remove("timezone");
    for body in [standup(), ends, every_hour] {
        let preview = app
            .json(Method::POST, "/api/schedules/preview", timing(&body))
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{:#}", preview.json);
        assert_eq!(
            preview.json.as_object().map(|o| o.len()),
            Some(1),
            "{:#}",
            preview.json
        );
        let listed = app.get("/api/schedules").await;
        assert_eq!(listed.json["items"], json!([]), "a preview stores nothing");
        let created = app.json(Method::POST, "/api/schedules", body).await;
        assert_eq!(
            preview.json["next_fire_times"], created.json["next_fire_times"],
            "{:#}",
            created.json
        );
        let id = created.json["id"].as_str().unwrap().to_owned();
        store.delete_schedule(&id.parse()?).await?;
    }
    assert_eq!(
        runner.changed.lock().unwrap().len(),
        3,
        "only the creations"
    );
    Ok(())
}

#[tokio::test]
async fn a_preview_of_a_timing_create_refuses_is_the_same_400() -> TestResult {
    let (app, _, _) = TestApp::new().with_schedules();
    for (key, value) in [
        ("expression", json!("cron(0 8 * * * *)")),
        ("expression", json!("rate(30 seconds)")),
        ("expression", json!("at(2020-01-01T00:00:00)")),
        ("timezone", json!("Mars/Olympus")),
        ("end_date", json!("2020-01-01T00:00:00Z")),
        ("expression", Value::Null),
    ] {
        let mut body = standup();
        body[key] = value;
        let created = app.json(Method::POST, "/api/schedules", body.clone()).await;
        let refused = created.assert_error(StatusCode::BAD_REQUEST, "validation_failed");
        let previewed = app
            .json(Method::POST, "/api/schedules/preview", timing(&body))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
        assert_eq!(previewed, refused, "{key}");
        assert!(previewed.starts_with(key), "{key}: {previewed}");
    }
    let message = app
        .json(Method::POST, "/api/schedules/preview", standup())
        .await
        .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
    assert!(message.starts_with("name: unknown field"), "{message}");
    Ok(())
}

#[tokio::test]
async fn the_preview_path_is_not_read_as_a_schedule_id() -> TestResult {
    let (app, _, _) = TestApp::new().with_schedules();
    app.get("/api/schedules/preview")
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let id = app
        .json(Method::POST, "/api/schedules", standup())
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app.get(&format!("/api/schedules/{id}")).await;
    assert_eq!(read.status, StatusCode::OK, "{:#}", read.json);
    Ok(())
}

#[tokio::test]
async fn a_created_schedule_is_stored_set_to_fire_and_shown_with_its_next_fire_times() -> TestResult
{
    let (app, store, runner) = TestApp::new().with_schedules();
    let res = app.json(Method::POST, "/api/schedules", standup()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:#}", res.json);
    let id = res.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/schedules/{id}").as_str())
    );
    assert_eq!(res.json["expression"], "cron(0 8 ? * MON-FRI *)");
    assert_eq!(res.json["state"], "ENABLED");
    assert_eq!(res.json["owner"], "api");
    // Monday 30 November 2026 12:00 UTC: the next 08:00 in Berlin is Tuesday's.
    assert_eq!(
        res.json["next_fire_times"],
        json!([
            "2026-12-01T07:00:00Z",
            "2026-12-02T07:00:00Z",
            "2026-12-03T07:00:00Z",
            "2026-12-04T07:00:00Z",
            "2026-12-07T07:00:00Z"
        ])
    );
    let stored = store.get_schedule(&id.parse()?).await?.expect("stored");
    assert_eq!(stored.name, "stand-up");
    assert_eq!(*runner.changed.lock().unwrap(), vec![stored.id.clone()]);

    let read = app.get(&format!("/api/schedules/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json, res.json);
    Ok(())
}

#[tokio::test]
async fn bad_schedules_are_400_naming_the_field_and_nothing_is_stored() -> TestResult {
    let (app, _, runner) = TestApp::new().with_schedules();
    for (key, value, field) in [
        ("expression", json!("cron(0 8 * * *)"), "expression"),
        ("expression", json!("rate(30 seconds)"), "expression"),
        ("timezone", json!("Mars/Olympus"), "timezone"),
        (
            "notification",
            json!({"title": "no body"}),
            "notification.message",
        ),
        ("end_date", json!("2020-01-01T00:00:00Z"), "end_date"),
    ] {
        let mut body = standup();
        body[key] = value;
        let res = app.json(Method::POST, "/api/schedules", body).await;
        let message = res.assert_error(StatusCode::BAD_REQUEST, "validation_failed");
        assert!(message.starts_with(field), "{key}: {message}");
    }
    let mut unknown = standup();
    unknown["every"] = json!("day");
    let message = app
        .json(Method::POST, "/api/schedules", unknown)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
    assert!(message.starts_with("every: unknown field"), "{message}");
    let page = app.get("/api/schedules").await;
    assert_eq!(page.json["items"], json!([]));
    assert!(runner.changed.lock().unwrap().is_empty());
    Ok(())
}

#[tokio::test]
async fn the_list_pages_newest_first() -> TestResult {
    let (app, _, _) = TestApp::new().with_schedules();
    let mut made = Vec::new();
    for name in ["first", "second", "third"] {
        let mut body = standup();
        body["name"] = json!(name);
        // One clock for all: the id orders schedules made at the same time.
        made.push(app.json(Method::POST, "/api/schedules", body).await.json["id"].clone());
    }
    made.sort_by(|a, b| b.as_str().cmp(&a.as_str()));
    let first = app.get("/api/schedules?limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{:#}", first.json);
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = app
        .get(&format!("/api/schedules?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(second.json["next_cursor"], Value::Null);
    let listed: Vec<Value> = first.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.json["items"].as_array().unwrap())
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(listed, made);
    app.get("/api/schedules?cursor=nonsense")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_cursor");
    Ok(())
}

#[tokio::test]
async fn a_put_pauses_resumes_and_changes_and_a_delete_removes() -> TestResult {
    let (app, store, runner) = TestApp::new().with_schedules();
    let id = app
        .json(Method::POST, "/api/schedules", standup())
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/schedules/{id}");

    let paused = app
        .json(Method::PUT, &path, json!({"state": "DISABLED"}))
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{:#}", paused.json);
    assert_eq!(paused.json["state"], "DISABLED");
    assert_eq!(paused.json["next_fire_times"], json!([]));
    assert_eq!(paused.json["name"], "stand-up");
    let stored = store.get_schedule(&id.parse()?).await?.expect("stored");
    assert_eq!(stored.state, ScheduleState::Disabled);

    let resumed = app
        .json(
            Method::PUT,
            &path,
            json!({"state": "ENABLED", "expression": "cron(30 9 * * ? *)"}),
        )
        .await;
    assert_eq!(resumed.json["state"], "ENABLED");
    assert_eq!(resumed.json["next_fire_times"][0], "2026-12-01T08:30:00Z");
    app.json(Method::PUT, &path, json!({"timezone": "Nowhere"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
    assert_eq!(
        runner.changed.lock().unwrap().len(),
        3,
        "create, pause, resume"
    );

    let deleted = app.json(Method::DELETE, &path, Value::Null).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(runner.deleted.lock().unwrap().len(), 1);
    app.json(Method::DELETE, &path, Value::Null)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/schedules/not-an-id")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "validation_failed");
    Ok(())
}

#[tokio::test]
async fn the_deployments_own_schedule_is_shown_but_not_changed() -> TestResult {
    let (app, store, _) = TestApp::new().with_schedules();
    let request: CreateScheduleRequest = serde_json::from_value(standup())?;
    let mut own = request.into_schedule(now(), Stage::Dev)?;
    own.owner = ScheduleOwner::Configuration;
    store.create_schedule(&own).await?;
    let path = format!("/api/schedules/{}", own.id);
    assert_eq!(app.get(&path).await.json["owner"], "configuration");
    app.json(Method::PUT, &path, json!({"state": "DISABLED"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    app.json(Method::DELETE, &path, Value::Null)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(store.get_schedule(&own.id).await?, Some(own));
    Ok(())
}

#[tokio::test]
async fn when_the_runner_refuses_the_answer_is_503_and_nothing_changes() -> TestResult {
    let (app, store, runner) = TestApp::new().with_schedules();
    let id = app
        .json(Method::POST, "/api/schedules", standup())
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = store.get_schedule(&id.parse()?).await?;
    runner.failing.store(true, Ordering::SeqCst);

    let mut second = standup();
    second["name"] = json!("refused");
    app.json(Method::POST, "/api/schedules", second)
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let path = format!("/api/schedules/{id}");
    app.json(Method::PUT, &path, json!({"state": "DISABLED"}))
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    app.json(Method::DELETE, &path, Value::Null)
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");

    let listed = app.get("/api/schedules").await;
    assert_eq!(listed.json["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(store.get_schedule(&id.parse()?).await?, before);
    Ok(())
}

#[tokio::test]
async fn a_schedule_s_messages_are_the_scheduled_ones_naming_it_newest_first() -> TestResult {
    let (app, _, _) = TestApp::new().with_schedules();
    let request: CreateScheduleRequest = serde_json::from_value(standup())?;
    let mine = request.clone().into_schedule(now(), Stage::Dev)?;
    let other = request.into_schedule(now(), Stage::Dev)?;
    let hour = |h| now() + chrono::TimeDelta::hours(h);
    let fired: Vec<Message> = (1..=3)
        .map(|h| mine.message_for(hour(h), Stage::Dev))
        .collect::<Result<_, _>>()?;
    for message in &fired {
        app.store.insert(message.clone());
    }
    app.store.insert(other.message_for(hour(4), Stage::Dev)?);
    // Posted, not fired: it only names the schedule.
    let mut posted = Message::new(
        hour(5),
        "api",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("x"),
    );
    posted
        .arguments
        .insert(SCHEDULE_ID_ARGUMENT.into(), mine.id.as_str().into());
    app.store.insert(posted);

    let path = format!("/api/messages?schedule_id={}&limit=2", mine.id);
    let first = app.get(&path).await;
    assert_eq!(first.status, StatusCode::OK, "{:#}", first.json);
    let cursor = first.json["next_cursor"].as_str().expect("a next page");
    let second = app.get(&format!("{path}&cursor={cursor}")).await;
    assert_eq!(second.json["next_cursor"], Value::Null);
    let listed: Vec<Value> = first.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.json["items"].as_array().unwrap())
        .map(|m| m["id"].clone())
        .collect();
    let expected: Vec<Value> = fired.iter().rev().map(|m| json!(m.id)).collect();
    assert_eq!(listed, expected);

    // A cursor of the unfiltered list does not continue the schedule's.
    let unfiltered = app.get("/api/messages?limit=1").await;
    let cursor = unfiltered.json["next_cursor"]
        .as_str()
        .expect("a next page");
    app.get(&format!(
        "/api/messages?schedule_id={}&cursor={cursor}",
        mine.id
    ))
    .await
    .assert_error(StatusCode::BAD_REQUEST, "invalid_cursor");
    let message = app
        .get("/api/messages?schedule_id=not-an-id")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    assert!(message.starts_with("schedule_id: "), "{message}");
    Ok(())
}
