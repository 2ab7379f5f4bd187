//! The ports: what the handlers need from the world, as traits.
//!
//! Each has an AWS adapter (`rez-aws`) and a local one (`rez-local`); the
//! handlers only ever see `Arc<dyn Port>`.

mod atomic_submit;
mod clock;
mod dead_letters;
mod executions;
mod metrics_window;
mod notifier;
mod publisher;
mod redelivery;
mod schedules;
mod series;
mod store;
mod telemetry;
mod workflow;

pub use atomic_submit::AtomicSubmitter;
pub use clock::{Clock, SystemClock};
pub use dead_letters::{DeadLetterEntry, DeadLetterList, DeadLetterQueue, QueueCounts};
pub use executions::{
    ExecutionPage, ExecutionQuery, ExecutionReader, ExecutionRecord, ExecutionRecorder,
    ExecutionStatus, ExecutionSummary,
};
pub use metrics_window::{METRICS_WINDOW_DAYS, MetricsWindow};
pub use notifier::{Delivery, Notifier, NotifyError, NotifyErrorKind};
pub use publisher::{MessageEvent, PublishError, Publisher};
pub use redelivery::{RedeliveryError, RedeliveryScheduler};
pub use schedules::{
    SCHEDULE_LIST_FILTERS, SchedulePage, ScheduleQuery, ScheduleRunner, ScheduleRunnerError,
    ScheduleStore, ScheduleStoreError, schedule_cursor,
};
pub use series::{HourlyCounts, HourlySeries, MAX_SERIES_HOURS};
pub use store::{
    CLAIM_LEASE, ClaimRule, Created, DEFAULT_LIST_LIMIT, LatencySummary, ListQuery, MAX_LIST_LIMIT,
    MessageStore, Metrics, Page, StatusChange, StoreError,
};
pub use telemetry::{MetricEvent, MetricsSink, NoMetrics, RecordedMetrics};
pub use workflow::{
    WorkflowError, WorkflowOutcome, WorkflowRequest, WorkflowStarter, WorkflowStatus,
};
