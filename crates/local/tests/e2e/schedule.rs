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

    let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
    let scheduled = loop {
        let page = app.get_json("/api/messages?message_type=scheduled").await;
        let items: Vec<Value> = page["items"].as_array().cloned().unwrap_or_default();
        if items.iter().any(|m| m["status"] == "completed") {
            break items;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no scheduled message was delivered: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
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
