//! The metrics port: the business events worth counting, and where they go
//! (CloudWatch Embedded Metric Format on Lambda, nowhere locally, where the
//! store's own metrics and the console show the same figures).

use crate::{Message, MessageType, Stage, Status};

/// Something that happened to a message, worth a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricEvent {
    /// A new message was accepted (by the API or the schedule).
    MessageCreated {
        /// Its stage.
        stage: Stage,
        /// Its type.
        message_type: MessageType,
    },
    /// A delivery reached its final status.
    DeliveryFinished {
        /// The message's stage.
        stage: Stage,
        /// The message's type.
        message_type: MessageType,
        /// Whether ntfy took it (`completed`) or it was given up (`failed`).
        delivered: bool,
        /// Publishes it took.
        attempts: u32,
        /// Acceptance to delivery in milliseconds, when delivered.
        latency_ms: Option<i64>,
    },
}

impl MetricEvent {
    /// The event of accepting `message`.
    pub fn created(message: &Message) -> Self {
        Self::MessageCreated {
            stage: message.stage,
            message_type: message.message_type,
        }
    }

    /// The event of `message` reaching its final status; `None` while it has not.
    pub fn finished(message: &Message) -> Option<Self> {
        message.status.is_final().then(|| Self::DeliveryFinished {
            stage: message.stage,
            message_type: message.message_type,
            delivered: message.status == Status::Completed,
            attempts: message.delivery_attempts,
            latency_ms: message.delivery_latency_ms(),
        })
    }
}

/// Where metric events go. Recording must not fail the work it measures, so
/// it returns nothing: a sink that cannot write drops the event.
pub trait MetricsSink: Send + Sync {
    /// Records one event.
    fn record(&self, event: &MetricEvent);
}

/// A sink that drops every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl MetricsSink for NoMetrics {
    fn record(&self, _event: &MetricEvent) {}
}

/// A sink that keeps every event, for tests that check what was recorded.
#[derive(Debug, Default)]
pub struct RecordedMetrics(std::sync::Mutex<Vec<MetricEvent>>);

impl RecordedMetrics {
    /// The events recorded so far, oldest first.
    pub fn events(&self) -> Vec<MetricEvent> {
        self.0
            .lock()
            .map(|events| events.clone())
            .unwrap_or_default()
    }
}

impl MetricsSink for RecordedMetrics {
    fn record(&self, event: &MetricEvent) {
        if let Ok(mut events) = self.0.lock() {
            events.push(*event);
        }
    }
}
