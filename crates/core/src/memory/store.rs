//! An in-memory [`MessageStore`]: the reference behaviour of the port.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::ports::{
    Created, HourlyCounts, HourlySeries, LatencySummary, ListQuery, MessageStore, Metrics,
    MetricsWindow, Page, StatusChange, StoreError,
};
use crate::{Cursor, IdempotencyKey, Message, MessageId, Status};

/// Messages in a map, with the same conditions and ordering as the real stores.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    messages: HashMap<MessageId, Message>,
    /// By [stored form](IdempotencyKey::stored), as the real stores key them.
    idempotency: HashMap<String, MessageId>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every stored message, in no order.
    pub fn messages(&self) -> Vec<Message> {
        self.lock()
            .map(|inner| inner.messages.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Stores `message` as it is, over any message with its id, without the
    /// port's checks: a test's way to set up a state the API cannot reach.
    pub fn insert(&self, message: Message) {
        if let Ok(mut inner) = self.lock() {
            inner.messages.insert(message.id.clone(), message);
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Unavailable("memory store lock poisoned".into()))
    }
}

#[async_trait::async_trait]
impl MessageStore for MemoryStore {
    async fn create(
        &self,
        message: &Message,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created, StoreError> {
        let key = key.map(IdempotencyKey::stored);
        let mut inner = self.lock()?;
        if let Some(existing) = key
            .as_ref()
            .and_then(|k| inner.idempotency.get(k))
            .and_then(|id| inner.messages.get(id))
        {
            return Ok(Created::Existing(existing.clone()));
        }
        if inner.messages.contains_key(&message.id) {
            return Err(StoreError::AlreadyExists(message.id.clone()));
        }
        inner.messages.insert(message.id.clone(), message.clone());
        if let Some(k) = key {
            inner.idempotency.insert(k, message.id.clone());
        }
        Ok(Created::New(message.clone()))
    }

    async fn get(&self, id: &MessageId) -> Result<Option<Message>, StoreError> {
        Ok(self.lock()?.messages.get(id).cloned())
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let inner = self.lock()?;
        let mut items: Vec<&Message> = inner
            .messages
            .values()
            .filter(|m| query.matches(m))
            .filter(|m| {
                query.cursor.as_ref().is_none_or(|c| {
                    (
                        crate::time::format(m.created_date),
                        m.id.as_str().to_owned(),
                    ) < (c.created_date.clone(), c.id.clone())
                })
            })
            .collect();
        items.sort_by(|a, b| (b.created_date, &b.id).cmp(&(a.created_date, &a.id)));
        let limit = usize::try_from(query.limit.max(1)).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = match (more, items.last()) {
            (true, Some(last)) => Some(
                Cursor {
                    created_date: crate::time::format(last.created_date),
                    id: last.id.to_string(),
                    filters: query.filter_fingerprint(),
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(Page {
            items: items.into_iter().cloned().collect(),
            next_cursor,
        })
    }

    async fn transition(&self, change: &StatusChange) -> Result<Message, StoreError> {
        let mut inner = self.lock()?;
        let message = inner
            .messages
            .get_mut(&change.id)
            .ok_or_else(|| StoreError::NotFound(change.id.clone()))?;
        change.check(message)?;
        change.apply(message);
        Ok(message.clone())
    }

    async fn metrics(&self, window: MetricsWindow) -> Result<Metrics, StoreError> {
        let inner = self.lock()?;
        let mut metrics = Metrics::default();
        let mut latencies = Vec::new();
        let (mut finished, mut attempts) = (0u64, 0u64);
        let counted = inner
            .messages
            .values()
            .filter(|m| window.contains(m.created_date));
        for m in counted {
            metrics.total += 1;
            *metrics.by_status.entry(m.status.to_string()).or_default() += 1;
            *metrics.by_stage.entry(m.stage.to_string()).or_default() += 1;
            *metrics
                .by_message_type
                .entry(m.message_type.to_string())
                .or_default() += 1;
            if m.status.is_final() {
                finished += 1;
                attempts += u64::from(m.delivery_attempts);
                *metrics
                    .attempts_histogram
                    .entry(m.delivery_attempts.to_string())
                    .or_default() += 1;
            }
            latencies.extend(m.delivery_latency_ms());
        }
        let completed = metrics
            .by_status
            .get(Status::Completed.as_str())
            .copied()
            .unwrap_or(0);
        if finished > 0 {
            metrics.success_rate = Some(completed as f64 / finished as f64);
            metrics.mean_delivery_attempts = Some(attempts as f64 / finished as f64);
        }
        metrics.delivery_latency_ms = LatencySummary::from_samples(latencies);
        Ok(metrics)
    }

    async fn hourly_counts(
        &self,
        mut series: HourlySeries,
    ) -> Result<Vec<HourlyCounts>, StoreError> {
        let inner = self.lock()?;
        for m in inner.messages.values() {
            series.add(m.created_date, m.status.as_str(), 1);
        }
        Ok(series.into_buckets())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let s = LatencySummary::from_samples((1..=100).collect());
        assert_eq!(
            (s.p50, s.p90, s.p99, s.max, s.count),
            (Some(50), Some(90), Some(99), Some(100), 100)
        );
        assert_eq!(LatencySummary::from_samples(vec![]).p50, None);
    }

    #[tokio::test]
    async fn listing_by_schedule_returns_only_that_schedule_s_scheduled_messages() {
        use crate::schedule::{SCHEDULE_ID_ARGUMENT, ScheduleId};
        use crate::{MessageType, Notification, Stage};
        let start = chrono::Utc::now();
        let (mine, other) = (ScheduleId::generate(start), ScheduleId::generate(start));
        let store = MemoryStore::new();
        let mut made = Vec::new();
        for (i, (kind, schedule)) in [
            (MessageType::Scheduled, &mine),
            (MessageType::Scheduled, &other),
            (MessageType::Notification, &mine),
            (MessageType::Scheduled, &mine),
        ]
        .into_iter()
        .enumerate()
        {
            let at = start + chrono::TimeDelta::seconds(i64::try_from(i).unwrap());
            let mut m = Message::new(at, "test", Stage::Dev, kind, Notification::text("x"));
            m.arguments
                .insert(SCHEDULE_ID_ARGUMENT.into(), schedule.as_str().into());
            store.create(&m, None).await.unwrap();
            made.push(m);
        }
        let mut query = ListQuery {
            schedule_id: Some(mine),
            limit: 1,
            ..ListQuery::default()
        };
        let first = store.list(&query).await.unwrap();
        let cursor = first.next_cursor.as_deref().unwrap();
        query.cursor = Some(Cursor::decode(cursor, &query.filter_fingerprint()).unwrap());
        let second = store.list(&query).await.unwrap();
        assert_eq!(
            (first.items, second.items, second.next_cursor),
            (vec![made[3].clone()], vec![made[0].clone()], None)
        );
    }

    #[tokio::test]
    async fn a_client_key_with_a_scheduler_key_s_text_is_a_different_key() {
        use crate::{MessageType, Notification, Stage};
        let fire = chrono::Utc::now();
        let new = |kind| Message::new(fire, "test", Stage::Dev, kind, Notification::text("x"));
        let store = MemoryStore::new();
        let scheduler = IdempotencyKey::Scheduler(fire);
        let client = IdempotencyKey::Client(scheduler.stored());
        let posted = new(MessageType::Notification);
        let scheduled = new(MessageType::Scheduled);
        assert_eq!(
            store.create(&posted, Some(&client)).await.unwrap(),
            Created::New(posted.clone())
        );
        assert_eq!(
            store.create(&scheduled, Some(&scheduler)).await.unwrap(),
            Created::New(scheduled.clone())
        );
        assert_eq!(
            store
                .create(&new(MessageType::Scheduled), Some(&scheduler))
                .await
                .unwrap(),
            Created::Existing(scheduled)
        );
    }
}
