//! Engine behaviour through the public API: retry timing, timeouts, the
//! notification pipeline and the shape of the history.

mod helpers;
mod history_shape;
mod no_panic;
mod notification;
mod paused_clock;
mod repo_definition;
mod retry_timing;
mod task_context;
mod timeouts;
mod values;
