//! Schedules that people define: a notification sent at the times an
//! EventBridge Scheduler expression names, in a time zone, each fire making
//! one `scheduled` message.
//!
//! | file | holds |
//! |---|---|
//! | `id.rs` | [`ScheduleId`] |
//! | `model.rs` | [`Schedule`], its [`ScheduleState`] and [`ScheduleOwner`], the message of one fire |
//! | `request.rs` | [`CreateScheduleRequest`] and [`UpdateScheduleRequest`] and their validation |
//! | `configuration.rs` | [`show_configuration_schedule`]: the deployment's own schedule, listed in the store |
//! | `conformance.rs` | what every `ScheduleStore` must do (feature `conformance`, for the stores' tests) |

mod configuration;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod id;
mod model;
mod request;

pub use configuration::show_configuration_schedule;
pub use id::ScheduleId;
pub use model::{
    CONFIGURATION_SCHEDULE_ID, DAILY_TITLE, NEXT_FIRE_TIMES, SCHEDULE_ID_ARGUMENT, Schedule,
    ScheduleOwner, ScheduleState,
};
pub use request::{CreateScheduleRequest, MAX_SCHEDULE_NAME_BYTES, UpdateScheduleRequest};

#[cfg(test)]
mod tests;
