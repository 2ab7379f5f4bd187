//! The notifier port: deliver a notification to ntfy, with classified failures.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::error_names;
use crate::{MessageId, Notification};

/// What ntfy answered for an accepted publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// ntfy's id for the notification.
    pub ntfy_id: String,
    /// ntfy's receive time.
    pub time: DateTime<Utc>,
}

/// The classes of delivery failure, each with its States error name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyErrorKind {
    /// 429 with code 42901: slow down.
    RateLimited,
    /// 429 with code 42908: the daily quota is used up.
    QuotaExceeded,
    /// 5xx.
    ServerError,
    /// No connection or no answer in time.
    Unreachable,
    /// Any other 4xx, or a notification ntfy would refuse.
    Rejected,
}

impl NotifyErrorKind {
    /// The States error name the send task raises for this kind.
    pub fn error_name(self) -> &'static str {
        match self {
            NotifyErrorKind::RateLimited => error_names::NTFY_RATE_LIMITED,
            NotifyErrorKind::QuotaExceeded => error_names::NTFY_QUOTA_EXCEEDED,
            NotifyErrorKind::ServerError => error_names::NTFY_SERVER_ERROR,
            NotifyErrorKind::Unreachable => error_names::NTFY_UNREACHABLE,
            NotifyErrorKind::Rejected => error_names::NTFY_REJECTED,
        }
    }

    /// Whether sending the same notification again cannot succeed.
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            NotifyErrorKind::QuotaExceeded | NotifyErrorKind::Rejected
        )
    }
}

/// A failed delivery: its class, what happened, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotifyError {
    /// The class of failure.
    pub kind: NotifyErrorKind,
    /// What happened, without secrets.
    pub message: String,
    /// How long the server asked us to wait, when it said.
    pub retry_after: Option<Duration>,
}

/// Delivers notifications.
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Publishes `notification`; `sequence_id` makes a repeat replace the first.
    ///
    /// # Errors
    /// A classified [`NotifyError`].
    async fn notify(
        &self,
        sequence_id: &MessageId,
        notification: &Notification,
    ) -> Result<Delivery, NotifyError>;
}
