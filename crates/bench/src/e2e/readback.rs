//! The read-back after the load: every accepted message must end
//! `completed` when asked through `GET /api/messages/{id}`.

use std::time::{Duration, Instant};

use tokio::task::JoinSet;

/// How many of `ids` the API reports `completed`, waiting up to `within` for stragglers.
pub(super) async fn completed(
    client: &reqwest::Client,
    base: &str,
    ids: &[String],
    within: Duration,
) -> anyhow::Result<usize> {
    let deadline = Instant::now() + within;
    let mut pending: Vec<String> = ids.to_vec();
    loop {
        let mut tasks = JoinSet::new();
        for chunk in pending.chunks(pending.len().div_ceil(16).max(1)) {
            let (client, base, chunk) = (client.clone(), base.to_owned(), chunk.to_vec());
            tasks.spawn(async move {
                let mut left = Vec::new();
                for id in chunk {
                    let status = async {
                        let response = client
                            .get(format!("{base}/api/messages/{id}"))
                            .send()
                            .await
                            .ok()?;
                        let message: serde_json::Value = response.json().await.ok()?;
                        message.get("status")?.as_str().map(str::to_owned)
                    }
                    .await;
                    if status.as_deref() != Some("completed") {
                        left.push(id);
                    }
                }
                left
            });
        }
        let mut left = Vec::new();
        while let Some(done) = tasks.join_next().await {
            left.extend(done?);
        }
        pending = left;
        if pending.is_empty() || Instant::now() >= deadline {
            return Ok(ids.len() - pending.len());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
