//! The routes the console and the CLI look through: `/api/metrics/series`,
//! `/api/dlq`, `/api/dlq/redrive` and `/api/statemachine`.

use axum::http::StatusCode;
use rez_core::ports::DeadLetterEntry;
use rez_core::{Message, MessageType, Notification, Stage, Status};
use serde_json::json;

use crate::helpers::{TestApp, TestResult, now};

fn message_at(minutes_ago: i64, status: Status) -> Message {
    let mut m = Message::new(
        now() - chrono::Duration::minutes(minutes_ago),
        "test",
        Stage::Dev,
        MessageType::Notification,
        Notification::text("hello"),
    );
    m.status = status;
    m
}

fn dead_letter(id: &str) -> DeadLetterEntry {
    DeadLetterEntry {
        id: id.into(),
        message_id: Some("01936f3c-0000-7000-8000-000000000000".into()),
        body: r#"{"message_id":"01936f3c-0000-7000-8000-000000000000"}"#.into(),
        receive_count: 3,
        sent_at: "2026-11-30T11:00:00.000000Z".into(),
        dead_at: "2026-11-30T11:05:00.000000Z".into(),
    }
}

#[tokio::test]
async fn the_series_counts_each_hour_by_status_oldest_first() -> TestResult {
    let app = TestApp::new();
    // The clock says 12:00: 0 minutes ago is in the 12:00 bucket, 61 in 10:00.
    app.store.insert(message_at(0, Status::Completed));
    app.store.insert(message_at(0, Status::Failed));
    app.store.insert(message_at(61, Status::Completed));
    app.store.insert(message_at(60 * 30, Status::Completed)); // outside 24 h

    let response = app.get("/api/metrics/series").await;
    assert_eq!(response.status, StatusCode::OK, "{:#}", response.json);
    assert_eq!(response.json["hours"], 24);
    let buckets = response.json["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 24);
    assert_eq!(buckets[0]["start"], "2026-11-29T13:00:00Z");
    assert_eq!(buckets[23]["start"], "2026-11-30T12:00:00Z");
    assert_eq!(buckets[23]["counts"]["completed"], 1);
    assert_eq!(buckets[23]["counts"]["failed"], 1);
    assert_eq!(buckets[21]["counts"]["completed"], 1);
    assert_eq!(buckets[22]["counts"]["completed"], 0);
    let total: u64 = buckets
        .iter()
        .flat_map(|b| b["counts"].as_object().unwrap().values())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 3);

    let week = app.get("/api/metrics/series?hours=168").await;
    assert_eq!(week.json["buckets"].as_array().unwrap().len(), 168);
    Ok(())
}

#[tokio::test]
async fn a_series_of_an_impossible_length_is_a_400() -> TestResult {
    let app = TestApp::new();
    for query in ["hours=0", "hours=169", "hours=-1", "hours=day", "days=1"] {
        let response = app.get(&format!("/api/metrics/series?{query}")).await;
        let message = response.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
        assert!(
            message.contains("hours") || message.contains("days"),
            "{query}: {message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_dead_letters_are_listed_and_redriven_by_id_or_all() -> TestResult {
    let app = TestApp::new().with_dead_letters(vec![
        dead_letter("a"),
        dead_letter("b"),
        dead_letter("c"),
    ]);
    let listed = app.get("/api/dlq").await;
    assert_eq!(listed.status, StatusCode::OK, "{:#}", listed.json);
    assert_eq!(listed.json["items"].as_array().unwrap().len(), 3);
    assert_eq!(listed.json["items"][0]["receive_count"], 3);
    assert_eq!(
        listed.json["items"][0]["message_id"],
        "01936f3c-0000-7000-8000-000000000000"
    );
    assert_eq!(listed.json["depth"]["dead"], 3);

    let one = app
        .post_to(
            "/api/dlq/redrive",
            r#"{"ids":["b","unknown"]}"#,
            "application/json",
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{:#}", one.json);
    assert_eq!(one.json, json!({"redriven": 1}));

    let rest = app
        .post_to("/api/dlq/redrive", "", "application/json")
        .await;
    assert_eq!(rest.json, json!({"redriven": 2}));
    assert_eq!(app.get("/api/dlq").await.json["items"], json!([]));
    Ok(())
}

#[tokio::test]
async fn a_bad_redrive_body_is_a_400_and_moves_nothing() -> TestResult {
    let app = TestApp::new().with_dead_letters(vec![dead_letter("a")]);
    let cases = [
        (r#"{"ids":[]}"#, "validation_failed"),
        (r#"{"ids":"a"}"#, "validation_failed"),
        (r#"{"ids":["a"],"all":true}"#, "validation_failed"),
        (r#"{"ids":["a"]"#, "invalid_json"),
        ("[]", "validation_failed"),
    ];
    for (body, code) in cases {
        let response = app
            .post_to("/api/dlq/redrive", body, "application/json")
            .await;
        response.assert_error(StatusCode::BAD_REQUEST, code);
    }
    let text = app.post_to("/api/dlq/redrive", "ids=a", "text/plain").await;
    text.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    assert_eq!(app.get("/api/dlq").await.json["depth"]["dead"], 1);
    Ok(())
}

#[tokio::test]
async fn the_state_machine_is_served_where_it_is_exposed() -> TestResult {
    let definition = json!({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}});
    let app = TestApp::new().with_state_machine("rez-agent-notification-dev", definition.clone());
    let response = app.get("/api/statemachine").await;
    assert_eq!(response.status, StatusCode::OK, "{:#}", response.json);
    assert_eq!(
        response.json,
        json!({"name": "rez-agent-notification-dev", "definition": definition})
    );
    Ok(())
}

#[tokio::test]
async fn deployments_without_a_queue_or_definition_answer_404() -> TestResult {
    let app = TestApp::new();
    for path in ["/api/dlq", "/api/statemachine"] {
        let message = app
            .get(path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
        assert!(message.contains("not exposed"), "{path}: {message}");
    }
    app.post_to("/api/dlq/redrive", "", "application/json")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    Ok(())
}

#[tokio::test]
async fn the_new_routes_need_the_key() -> TestResult {
    let app = TestApp::new()
        .with_key("k3y")
        .with_dead_letters(vec![dead_letter("a")]);
    for path in ["/api/dlq", "/api/statemachine", "/api/metrics/series"] {
        app.get(path)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    app.post_to("/api/dlq/redrive", "", "application/json")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    Ok(())
}

#[cfg(feature = "graph")]
#[tokio::test]
async fn the_state_machine_graph_is_an_svg_with_one_group_per_state() -> TestResult {
    use tower::ServiceExt;
    let definition: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../statemachine/notification.asl.json"
    ))?;
    let states: Vec<String> = definition["States"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let app = TestApp::new().with_state_machine("rez-agent-notification", definition);
    let request = crate::helpers::request(axum::http::Method::GET, "/api/statemachine/graph.svg")
        .body(axum::body::Body::empty())?;
    let response = rez_webapi::router(app.state.clone())
        .oneshot(request)
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    let svg = String::from_utf8(body.to_vec())?;
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
    for state in &states {
        assert!(
            svg.contains(&format!("data-state=\"{state}\"")),
            "{state} missing from {svg}"
        );
    }
    Ok(())
}
