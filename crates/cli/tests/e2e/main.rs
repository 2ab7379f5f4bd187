//! End-to-end tests of `rez-agent up` against a stub ntfy server on loopback,
//! and of `rez-agent stepfunctions` against a fake Lambda Invoke API.
//!
//! Most tests start the stack in-process on port 0 with a small time scale;
//! the restart tests run the real binary so they can SIGKILL it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod access;
mod bad_input;
mod chaos;
mod cli_common;
mod cli_dlq;
mod cli_executions;
mod cli_graph;
mod cli_messages;
mod cli_schedules;
mod cli_send;
mod cli_statemachine;
mod delivery;
mod disk;
mod duplicates;
mod failures;
mod fault_helpers;
mod helpers;
mod rate_limit;
mod reconcile;
mod restart;
mod retention;
mod retries;
mod schedule;
mod sfn_api;
mod shutdown;
mod stepfunctions;
