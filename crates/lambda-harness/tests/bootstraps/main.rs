//! The six Lambda bootstraps, built as they deploy, driven through a local
//! Runtime API with real event shapes (`tests/data/`).
//!
//! Needs the binaries (`cargo build --bins`) and, for the cases that reach
//! DynamoDB, SNS or SSM, moto (`scripts/setup-python.sh`).

mod fixtures;
mod helpers;
mod init_errors;
mod processor;
mod scheduler;
mod tasks;
mod webapi;
