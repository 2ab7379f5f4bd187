//! Accepted publishes: the exact request ntfy receives and what we read back.

use std::sync::Arc;

use chrono::DateTime;
use rez_core::Notification;
use rez_core::ports::Notifier;
use rez_ntfy::Published;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

use crate::helpers::*;

#[tokio::test]
async fn publish_posts_the_exact_json_body_to_the_server_root_and_returns_ntfy_id_and_time()
-> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("content-type", "application/json"))
        .and(body_json(rich_body("mytopic")))
        .respond_with(accepted("mytopic"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Setup::default())?;

    let published = client.publish(SEQUENCE_ID, &rich_notification()).await?;

    let time = DateTime::from_timestamp(NTFY_TIME, 0).ok_or("bad test time")?;
    assert_eq!(
        published,
        Published {
            id: NTFY_ID.into(),
            time
        }
    );
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body)?;
    assert_eq!(body["title"], "🚀 Déploiement réussi");
    assert_eq!(body["tags"], json!(["café", "tada"]));
    assert!(
        body["priority"].is_u64(),
        "priority must be an integer: {body}"
    );
    assert!(
        !requests[0].headers.contains_key("authorization"),
        "no token configured, yet an Authorization header was sent"
    );
    Ok(())
}

#[tokio::test]
async fn publish_sends_the_token_as_a_bearer_header_when_one_is_configured() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(rich_body("mytopic")))
        .respond_with(accepted("mytopic"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(
        &server,
        Setup {
            token: true,
            ..Setup::default()
        },
    )?;

    let published = client.publish(SEQUENCE_ID, &rich_notification()).await?;

    assert_eq!(published.id, NTFY_ID);
    Ok(())
}

#[tokio::test]
async fn publish_leaves_absent_fields_out_of_the_body() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(body_json(json!({
            "topic": "mytopic",
            "message": "plain",
            "sequence_id": SEQUENCE_ID,
        })))
        .respond_with(accepted("mytopic"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Setup::default())?;

    client
        .publish(SEQUENCE_ID, &Notification::text("plain"))
        .await?;
    Ok(())
}

#[tokio::test]
async fn publish_posts_to_the_sub_path_when_ntfy_is_served_under_one() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ntfy/"))
        .and(body_json(rich_body("alerts")))
        .respond_with(accepted("alerts"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(
        &server,
        Setup {
            path: "/ntfy/alerts",
            ..Setup::default()
        },
    )?;

    assert_eq!(client.topic(), "alerts");
    client.publish(SEQUENCE_ID, &rich_notification()).await?;
    Ok(())
}

#[tokio::test]
async fn the_notifier_port_returns_ntfy_id_and_time_as_a_delivery() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(rich_body("mytopic")))
        .respond_with(accepted("mytopic"))
        .expect(1)
        .mount(&server)
        .await;
    let notifier: Arc<dyn Notifier> = Arc::new(client(&server, Setup::default())?);

    let delivery = notifier
        .notify(&SEQUENCE_ID.parse()?, &rich_notification())
        .await?;

    assert_eq!(delivery.ntfy_id, NTFY_ID);
    assert_eq!(delivery.time.timestamp(), NTFY_TIME);
    Ok(())
}
