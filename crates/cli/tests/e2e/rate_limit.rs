//! The API key's rate limit on the running stack: the burst passes, the next
//! request is a 429 with Retry-After, and nothing refused is stored.

use std::num::NonZeroU32;

use serde_json::json;

use crate::helpers::{ntfy_accepting, spawn_app_with};

const KEY: &str = "rate-limit-test-key-0123";

#[tokio::test]
async fn past_its_burst_the_key_gets_429_with_retry_after_and_nothing_is_stored() {
    let app = spawn_app_with(ntfy_accepting().await, |config| {
        config.api_key = Some(KEY.into());
        config.rate_limit = Some(rez_local::rate_limit::RateLimitConfig {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(3).unwrap(),
        });
    })
    .await;
    let post = |text: &str| {
        app.client
            .post(app.url("/api/messages"))
            .bearer_auth(KEY)
            .json(&json!({"message": text}))
            .send()
    };
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for i in 0..5 {
        let response = post(&format!("m{i}")).await.unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            retry_after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited", "{body}");
        }
    }
    assert_eq!(statuses[..3], [202, 202, 202], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(retry_after.as_deref(), Some("1"));

    // Health needs no key and is never limited; the store holds the 3 accepted.
    for _ in 0..5 {
        let health = app.client.get(app.url("/api/health")).send().await.unwrap();
        assert_eq!(health.status(), 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let list: serde_json::Value = app
        .client
        .get(app.url("/api/messages?limit=100"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "{list}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_lower_case_bearer_scheme_is_counted_like_any_other() {
    let app = spawn_app_with(ntfy_accepting().await, |config| {
        config.api_key = Some(KEY.into());
        config.rate_limit = Some(rez_local::rate_limit::RateLimitConfig {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(2).unwrap(),
        });
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .get(app.url("/api/messages"))
            .header("authorization", format!("bearer {KEY}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    // Auth lets `bearer` in, so the bucket counts it: the burst runs out.
    assert_eq!(statuses, [200, 200, 429], "{statuses:?}");
    app.shutdown().await;
}
