//! Transient ntfy failures are retried by the state machine, with its backoff.

use crate::helpers::*;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn two_503s_then_200_complete_after_three_attempts_with_retries_in_the_history() -> TestResult
{
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(503, 50301, "service unavailable"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&ntfy)
        .await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok())
        .with_priority(2)
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;

    let id = app.send(json!({"message": "flaky"})).await;
    let message = app.wait_for_status(&id, &["completed", "failed"]).await;
    assert_eq!(message["status"], "completed", "{message}");
    assert_eq!(message["delivery_attempts"], 3);
    assert_eq!(app.publishes().await.len(), 3);

    let execution = app
        .execution(message["execution_id"].as_str().ok_or("no execution")?)
        .await;
    let history = history(&execution);
    let failures: Vec<_> = history
        .iter()
        .filter(|e| e["type"] == "TaskFailed")
        .map(|e| e["details"]["taskFailedEventDetails"].clone())
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(failures.iter().all(|f| f["error"] == "Ntfy.ServerError"));
    // The transient retrier: IntervalSeconds 2, BackoffRate 2, FULL jitter,
    // so the n-th wait is at most 2 × 2^n seconds (before scaling).
    for (n, failure) in failures.iter().enumerate() {
        let wait = failure["retryBackoffIntervalSeconds"]
            .as_f64()
            .ok_or("no backoff recorded")?;
        let cap = 2.0 * 2f64.powi(n as i32);
        assert!(
            (0.0..=cap).contains(&wait),
            "wait {n} was {wait}s, cap {cap}s"
        );
    }
    let sends = history
        .iter()
        .filter(|e| {
            e["type"] == "TaskScheduled"
                && e["details"]["taskScheduledEventDetails"]["resource"]
                    == "${SendNotificationFunctionArn}"
        })
        .count();
    assert_eq!(sends, 3);
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_rate_limit_is_retried_no_sooner_than_five_seconds_scaled() -> TestResult {
    let ntfy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ntfy_error(429, 42901, "limit reached"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&ntfy)
        .await;
    Mock::given(method("POST"))
        .respond_with(ntfy_ok())
        .with_priority(2)
        .mount(&ntfy)
        .await;
    let app = spawn_app(ntfy).await;

    let id = app.send(json!({"message": "slow down"})).await;
    let message = app.wait_for_status(&id, &["completed", "failed"]).await;
    assert_eq!(message["status"], "completed");
    assert_eq!(message["delivery_attempts"], 2);
    let execution = app
        .execution(message["execution_id"].as_str().ok_or("no execution")?)
        .await;
    let failed = history(&execution)
        .into_iter()
        .find(|e| e["type"] == "TaskFailed")
        .ok_or("no failure")?;
    assert_eq!(
        failed["details"]["taskFailedEventDetails"]["error"],
        "Ntfy.RateLimited"
    );
    assert_eq!(
        failed["details"]["taskFailedEventDetails"]["retryBackoffIntervalSeconds"].as_f64(),
        Some(5.0)
    );
    app.shutdown().await;
    Ok(())
}
