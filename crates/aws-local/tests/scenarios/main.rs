//! The AWS deployment run whole: the packed bootstraps, wired as the Pulumi
//! program declares them, delivering notifications together.
//!
//! These tests need `build/*.zip`, the declarations and the `rez-agent`
//! binary, so they are ignored by a plain `cargo test`;
//! `scripts/test-aws-local.sh` prepares all three and runs them.

mod delivery;
mod drift;
mod schedule;
mod support;
