//! The local EventBridge Scheduler: fire the scheduler function on time.

use chrono::{DateTime, Utc};
use rez_schedule::ScheduleExpression;
use rez_scheduler::ScheduleEvent;
use tokio_util::sync::CancellationToken;

/// Fires `deps` at every fire time of `expression` until `cancel` fires.
///
/// Waits are multiplied by `time_scale`; fire times advance on a virtual
/// clock that starts at `start`, so a scaled `rate(1 minute)` fires every
/// `60 s × time_scale` with fire times one minute apart.
pub async fn run(
    expression: ScheduleExpression,
    deps: rez_scheduler::Deps,
    start: DateTime<Utc>,
    time_scale: f64,
    cancel: CancellationToken,
) {
    let mut virtual_now = start;
    while let Some(next) = expression.next_after(virtual_now, start) {
        let wait = (next - virtual_now)
            .to_std()
            .unwrap_or_default()
            .mul_f64(time_scale.max(0.0));
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        virtual_now = next;
        match rez_scheduler::handle(
            &deps,
            &ScheduleEvent {
                scheduled_time: next,
            },
        )
        .await
        {
            Ok(submitted) => {
                tracing::info!(message_id = %submitted.message().id, fire_time = %next, "schedule fired")
            }
            Err(e) => {
                tracing::error!(error = %e, fire_time = %next, "scheduled message not created")
            }
        }
    }
    tracing::info!(%expression, "schedule has no further fire times");
}
