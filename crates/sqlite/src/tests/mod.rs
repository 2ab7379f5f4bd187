//! Tests of the SQLite layer, against real database files in temporary directories.

mod abort;
mod database;
mod errors;
mod executions;
mod fixtures;
mod group_commit;
mod idempotency;
mod metrics;
mod queue;
mod retention;
mod schedules;
mod store;
mod submitter;
