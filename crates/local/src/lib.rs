//! The embedded rez-agent stack and its CLI.
//!
//! | module | what it is |
//! |---|---|
//! | [`access`] | who may come in: host, cross-site, key (bearer or SigV4) and rate-limit checks for every route |
//! | [`cli`] | the `rez-agent` command line |
//! | [`client`] | a typed client of the HTTP API, for the API commands |
//! | [`commands`] | the logic of the subcommands: `statemachine …`, `send`, `messages`, `executions`, `dlq` |
//! | [`config`] | the typed configuration of `rez-agent up` |
//! | [`data_dir`] | the locked data directory and the files in it |
//! | [`sqlite`] | the SQLite database: message store, durable queue with DLQ, executions |
//! | [`publisher`] | the local topic: publish = send to the queue |
//! | [`workflow`] | the local Step Functions: the ASL engine running one state machine, recording executions |
//! | [`lambda`] | Task states calling a Lambda Invoke API (Step Functions Local's `LAMBDA_ENDPOINT`) |
//! | [`sfn_api`] | the AWS Step Functions API (JSON 1.0) over the local engine |
//! | [`stack`] | `rez-agent up`: wiring, recovery, the processor and scheduler loops, the retention sweep |
//! | [`stepfunctions`] | `rez-agent stepfunctions`: the Step Functions API alone, over any Lambda-calling definition |
//! | [`runtime`] | the Tokio runtime, with a blocking pool sized for one database connection |
//! | [`telemetry`] | logging setup |

pub mod access;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod console;
pub mod data_dir;
pub mod lambda;
pub mod publisher;
pub mod rate_limit;
pub mod runtime;
pub mod sfn_api;
pub mod sqlite;
pub mod stack;
pub mod stepfunctions;
pub mod telemetry;
pub mod workflow;
