//! The AWS deployment run whole: the packed bootstraps, wired as the Pulumi
//! program declares them, delivering notifications together.
//!
//! These tests need `build/*.zip`, the declarations and the `rez-agent`
//! binary, so they are ignored by a plain `cargo test`;
//! `scripts/test-aws-local.sh` prepares all three and runs them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod delivery;
mod drift;
mod faults;
mod lambda_api;
mod schedule;
mod support;
