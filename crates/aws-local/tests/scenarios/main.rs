//! The AWS deployment run whole: the packed bootstraps, wired as the Pulumi
//! program declares them, delivering notifications together.
//!
//! The scenarios need `build/*.zip`, the declarations and the `rez-agent`
//! binary, so they are ignored by a plain `cargo test`;
//! `scripts/test-aws-local.sh` prepares all three and runs them. The Lambda
//! service's own tests (`lambda_service`) need only python3 and always run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod chaos;
mod cost;
mod defined_schedules;
mod delivery;
mod drift;
mod faults;
mod lambda_api;
mod lambda_service;
mod promises;
mod queue_retries;
mod quota;
mod schedule;
mod smoke;
mod support;
