//! Integration tests of the AWS adapters against a moto server on loopback,
//! through the real SDK clients. One test binary; see `helpers.rs` for how
//! the server is started (`scripts/setup-python.sh` installs it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod cutover;
mod dynamo;
mod executions;
mod helpers;
mod idempotency;
mod lists;
mod metrics;
mod scheduler;
mod schedules;
mod sns;
mod sqs;
mod ssm;
mod transitions;
