//! `GET /api/messages`: filters and paging.

use std::collections::HashSet;

use axum::http::StatusCode;
use rez_core::{Message, MessageType, Notification, Stage, Status};

use crate::helpers::{TestApp, TestResult, now};

fn seed(app: &TestApp, n: i64, stage: Stage, status: Status) {
    for i in 0..n {
        let mut m = Message::new(
            now() + chrono::Duration::seconds(i),
            "test",
            stage,
            MessageType::Notification,
            Notification::text(format!("m{i}")),
        );
        m.status = status;
        app.store.insert(m);
    }
}

#[tokio::test]
async fn paging_through_120_messages_returns_each_once_newest_first() -> TestResult {
    let app = TestApp::new();
    seed(&app, 120, Stage::Dev, Status::Queued);

    let mut seen = Vec::new();
    let mut url = "/api/messages?limit=50".to_owned();
    let mut pages = 0;
    loop {
        let res = app.get(&url).await;
        assert_eq!(res.status, StatusCode::OK, "{:#}", res.json);
        pages += 1;
        let items = res.json["items"].as_array().ok_or("no items")?;
        seen.extend(
            items
                .iter()
                .map(|m| m["created_date"].as_str().unwrap_or_default().to_owned()),
        );
        match res.json["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/messages?limit=50&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 120);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 120);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
    Ok(())
}

#[tokio::test]
async fn the_default_page_is_50_and_filters_apply() -> TestResult {
    let app = TestApp::new();
    seed(&app, 60, Stage::Dev, Status::Queued);
    seed(&app, 3, Stage::Prod, Status::Failed);

    let res = app.get("/api/messages").await;
    assert_eq!(res.json["items"].as_array().map(Vec::len), Some(50));
    assert!(res.json["next_cursor"].is_string());

    let res = app
        .get("/api/messages?stage=prod&status=failed&message_type=notification")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json["items"].as_array().map(Vec::len), Some(3));
    assert!(res.json["next_cursor"].is_null());

    let res = app.get("/api/messages?status=completed&limit=1000").await;
    assert_eq!(res.json["items"], serde_json::json!([]));
    Ok(())
}

#[tokio::test]
async fn a_cursor_only_works_with_the_filters_it_was_issued_for() -> TestResult {
    let app = TestApp::new();
    seed(&app, 5, Stage::Dev, Status::Queued);
    let first = app.get("/api/messages?status=queued&limit=2").await;
    let cursor = first.json["next_cursor"].as_str().ok_or("no cursor")?;

    let same = app
        .get(&format!(
            "/api/messages?status=queued&limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(same.status, StatusCode::OK);
    let other = app
        .get(&format!("/api/messages?status=failed&cursor={cursor}"))
        .await;
    other.assert_error(StatusCode::BAD_REQUEST, "invalid_cursor");
    Ok(())
}
