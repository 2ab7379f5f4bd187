//! The retention sweep: local data kept for a bounded time.
//!
//! At start-up and then every [`SWEEP_INTERVAL`] (scaled), the sweep deletes
//! messages whose `ttl` has passed — only in a final status: a message still
//! `created`, `queued` or `processing` is kept whatever its `ttl` — and
//! executions, with their histories, that stopped more than the execution
//! retention ago (never a `RUNNING` one). It deletes [`SWEEP_BATCH`] rows per
//! write, so other writes get in between its batches, and stops between
//! batches when the stack stops.
//!
//! The local metrics are counted over the stored messages, so a deleted
//! message leaves the totals.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rez_core::StoreError;
use rez_core::ports::Clock;
use tokio_util::sync::CancellationToken;

use crate::config::UpConfig;
use rez_sqlite::SqliteStore;

/// How often the sweep runs, before scaling by `--time-scale`.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(3600);
/// Rows deleted per write: small enough that one batch is a short write.
pub const SWEEP_BATCH: u32 = 500;
/// How long a finished execution is kept by default: as long as a message
/// ([`rez_core::message::RETENTION_DAYS`], its DynamoDB TTL), and as long as
/// AWS keeps a Standard workflow's closed executions (90 days).
pub const DEFAULT_EXECUTION_RETENTION_DAYS: u32 = rez_core::message::RETENTION_DAYS as u32;

/// What the sweep keeps, how often it runs and how much it deletes at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Executions that stopped longer ago than this are deleted (not scaled:
    /// it is compared with recorded dates, like a message's `ttl`).
    pub execution_retention: Duration,
    /// The wait between sweeps (already scaled).
    pub interval: Duration,
    /// Rows deleted per write.
    pub batch: u32,
}

impl RetentionConfig {
    /// The sweep `rez-agent up` runs with `config`: its execution retention,
    /// and [`SWEEP_INTERVAL`] scaled by its time scale.
    pub fn new(config: &UpConfig) -> Self {
        Self {
            execution_retention: config.execution_retention,
            interval: super::scaled(SWEEP_INTERVAL, config.time_scale),
            batch: SWEEP_BATCH,
        }
    }
}

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Expired final messages.
    pub messages: usize,
    /// Executions stopped before the retention.
    pub executions: usize,
}

/// Sweeps once at `now`: expired final messages, then old executions, a
/// batch per write, until none is left or `cancel` fires.
///
/// # Errors
/// [`StoreError::Unavailable`]; what was deleted before stays deleted.
pub async fn sweep(
    store: &SqliteStore,
    config: &RetentionConfig,
    now: DateTime<Utc>,
    cancel: &CancellationToken,
) -> Result<Swept, StoreError> {
    let batch = config.batch.max(1);
    let mut swept = Swept::default();
    while !cancel.is_cancelled() {
        let deleted = store.delete_expired_messages(now, batch).await?;
        swept.messages += deleted;
        if deleted < batch as usize {
            break;
        }
    }
    // A retention past the earliest date leaves every execution.
    let Some(cutoff) = chrono::Duration::from_std(config.execution_retention)
        .ok()
        .and_then(|age| now.checked_sub_signed(age))
    else {
        return Ok(swept);
    };
    while !cancel.is_cancelled() {
        let deleted = store
            .delete_executions_stopped_before(cutoff, batch)
            .await?;
        swept.executions += deleted;
        if deleted < batch as usize {
            break;
        }
    }
    Ok(swept)
}

/// Sweeps now, then every `config.interval`, until `cancel` fires. A failed
/// sweep is logged and tried again at the next interval.
pub async fn run(
    store: SqliteStore,
    config: RetentionConfig,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
) {
    loop {
        match sweep(&store, &config, clock.now(), &cancel).await {
            Ok(swept) if swept != Swept::default() => tracing::info!(
                messages = swept.messages,
                executions = swept.executions,
                "retention: deleted expired messages and old executions"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "retention sweep failed; trying again later"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(config.interval) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use rez_core::ports::{MessageStore, SystemClock};
    use rez_core::{Message, MessageType, Notification, Stage, Status};

    use rez_sqlite::Database;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A message in `status` whose ttl passed a day ago.
    fn expired(status: Status) -> Message {
        let created = Utc::now() - chrono::Duration::days(91);
        let mut m = Message::new(
            created,
            "api",
            Stage::Dev,
            MessageType::Notification,
            Notification::text("old"),
        );
        m.status = status;
        m
    }

    fn config(batch: u32, interval: Duration) -> RetentionConfig {
        RetentionConfig {
            execution_retention: Duration::from_secs(30 * 86_400),
            interval,
            batch,
        }
    }

    fn store() -> Result<(tempfile::TempDir, SqliteStore), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let db = Database::open(&dir.path().join("rez.db"))?;
        Ok((dir, SqliteStore::new(db)))
    }

    #[tokio::test]
    async fn a_sweep_deletes_batch_after_batch_until_nothing_expired_is_left() -> TestResult {
        let (_dir, store) = store()?;
        for _ in 0..5 {
            store.create(&expired(Status::Completed), None).await?;
        }
        let kept = expired(Status::Queued);
        store.create(&kept, None).await?;

        let swept = sweep(
            &store,
            &config(2, SWEEP_INTERVAL),
            Utc::now(),
            &CancellationToken::new(),
        )
        .await?;

        assert_eq!(
            swept,
            Swept {
                messages: 5,
                executions: 0
            }
        );
        let status = store.get(&kept.id).await?.map(|m| m.status);
        assert_eq!(status, Some(Status::Queued), "not final: kept past its ttl");
        Ok(())
    }

    #[tokio::test]
    async fn a_cancelled_sweep_deletes_nothing_more() -> TestResult {
        let (_dir, store) = store()?;
        let m = expired(Status::Completed);
        store.create(&m, None).await?;
        let cancel = CancellationToken::new();
        cancel.cancel();

        let swept = sweep(&store, &config(2, SWEEP_INTERVAL), Utc::now(), &cancel).await?;

        assert_eq!(swept, Swept::default());
        assert!(store.get(&m.id).await?.is_some());
        Ok(())
    }

    /// Polls until the message is gone (bounded).
    async fn wait_gone(store: &SqliteStore, m: &Message) -> TestResult {
        tokio::time::timeout(Duration::from_secs(10), async {
            while store.get(&m.id).await.ok().flatten().is_some() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .map_err(|_| format!("message {} was never swept", m.id).into())
    }

    #[tokio::test]
    async fn the_loop_sweeps_at_once_then_every_interval_and_stops_when_cancelled() -> TestResult {
        let (_dir, store) = store()?;
        let first = expired(Status::Completed);
        store.create(&first, None).await?;
        let cancel = CancellationToken::new();
        let task = tokio::spawn(run(
            store.clone(),
            config(SWEEP_BATCH, Duration::from_millis(20)),
            Arc::new(SystemClock),
            cancel.clone(),
        ));

        wait_gone(&store, &first).await?;
        let second = expired(Status::Failed);
        store.create(&second, None).await?;
        wait_gone(&store, &second).await?;

        cancel.cancel();
        tokio::time::timeout(Duration::from_secs(10), task).await??;
        Ok(())
    }

    #[test]
    fn the_default_execution_retention_is_the_message_ttl() {
        assert_eq!(
            i64::from(DEFAULT_EXECUTION_RETENTION_DAYS),
            rez_core::message::RETENTION_DAYS
        );
    }
}
