//! The stack's background loops, started together and joined together:
//! the processor, the daily schedule, the schedules people define, the
//! retention sweep and the reconciler.

use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use rez_core::ports::NoMetrics;
use rez_core::schedule::DAILY_TITLE;

use super::adapters::Adapters;
use super::{
    VISIBILITY_TIMEOUT, processor_loop, reconcile_loop, retention_loop, scaled, scheduler_loop,
    schedules_loop,
};
use crate::config::UpConfig;
use crate::workflow::LocalWorkflow;

/// The running loops; each ends once `cancel` fires.
pub(super) struct Loops {
    processor: JoinHandle<()>,
    scheduler: JoinHandle<()>,
    schedules: JoinHandle<()>,
    retention: JoinHandle<()>,
    reconciler: JoinHandle<()>,
}

impl Loops {
    /// Starts every loop over `adapters`; `schedule_wake` wakes the
    /// schedules loop when the API changes a schedule.
    pub(super) fn spawn(
        config: &UpConfig,
        adapters: &Adapters,
        workflow: Arc<LocalWorkflow>,
        schedule_wake: &schedules_loop::WakeLoop,
        cancel: &CancellationToken,
    ) -> Self {
        let scale = |d| scaled(d, config.time_scale);
        let processor = tokio::spawn(processor_loop::run(
            adapters.queue.clone(),
            rez_processor::Deps {
                workflow,
                store: adapters.messages.clone(),
                // The engine records every execution itself.
                executions: None,
            },
            processor_loop::ProcessorLoopConfig {
                visibility_timeout: scale(VISIBILITY_TIMEOUT),
                redelivery: rez_processor::redelivery::RedeliveryPolicy::new(
                    rez_processor::redelivery::DEFAULT_REDELIVERY_DELAYS.map(scale),
                    scale(VISIBILITY_TIMEOUT),
                ),
                max_batches_in_flight: 4,
                shutdown_grace: scale(processor_loop::SHUTDOWN_GRACE),
            },
            cancel.clone(),
        ));
        let scheduler = tokio::spawn(scheduler_loop::run(
            config.schedule.clone(),
            rez_scheduler::Deps {
                store: adapters.messages.clone(),
                publisher: adapters.publisher.clone(),
                submitter: adapters.submitter.clone(),
                stage: config.stage,
                title: DAILY_TITLE.into(),
                metrics: Arc::new(NoMetrics),
                schedules: None,
                dead_letters: None,
            },
            adapters.clock.now(),
            config.time_scale,
            cancel.clone(),
        ));
        let schedules = tokio::spawn(schedules_loop::run(
            schedules_loop::ScheduleFiring {
                schedules: adapters.store.clone(),
                submitter: adapters.submitter.clone(),
                stage: config.stage,
            },
            schedules_loop::VirtualClock::new(adapters.clock.now(), config.time_scale),
            schedule_wake.0.clone(),
            cancel.clone(),
        ));
        let retention = tokio::spawn(retention_loop::run(
            adapters.store.clone(),
            retention_loop::RetentionConfig::new(config),
            adapters.clock.clone(),
            cancel.clone(),
        ));
        let reconciler = tokio::spawn(reconcile_loop::run(
            reconcile_loop::ReconcileLoop {
                store: adapters.messages.clone(),
                publisher: adapters.publisher.clone(),
                clock: adapters.clock.clone(),
                interval: scale(reconcile_loop::RECONCILE_INTERVAL),
            },
            cancel.clone(),
        ));
        Self {
            processor,
            scheduler,
            schedules,
            retention,
            reconciler,
        }
    }

    /// Waits until every loop has ended.
    pub(super) async fn join(self) {
        let _ = tokio::join!(
            self.processor,
            self.scheduler,
            self.schedules,
            self.retention,
            self.reconciler
        );
    }
}
