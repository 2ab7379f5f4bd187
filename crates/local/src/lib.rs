//! The embedded rez-agent stack: what `rez-agent up` and `rez-agent
//! stepfunctions` run on one machine. The SQLite adapters are `rez-sqlite`,
//! the command line is the `rez-agent` package.
//!
//! | module | what it is |
//! |---|---|
//! | [`access`] | who may come in: host, cross-site, key (bearer or SigV4) and rate-limit checks for every route |
//! | [`config`] | the typed configuration of `rez-agent up` |
//! | [`console`] | the web console: static pages over the same API |
//! | [`data_dir`] | the locked data directory and the files in it |
//! | [`workflow`] | the local Step Functions: the ASL engine running one state machine, recording executions |
//! | [`lambda`] | Task states calling a Lambda Invoke API (Step Functions Local's `LAMBDA_ENDPOINT`) |
//! | [`rate_limit`] | the API key's token bucket |
//! | [`sfn_api`] | the AWS Step Functions API (JSON 1.0) over the local engine |
//! | [`stack`] | `rez-agent up`: wiring, recovery, the processor and scheduler loops, the retention sweep |
//! | [`stepfunctions`] | `rez-agent stepfunctions`: the Step Functions API alone, over any Lambda-calling definition |
//! | [`runtime`] | the Tokio runtime, with a blocking pool sized for one database connection |
//! | [`telemetry`] | logging setup |

pub mod access;
pub mod config;
pub mod console;
pub mod data_dir;
pub mod lambda;
pub mod rate_limit;
pub mod runtime;
pub mod sfn_api;
pub mod stack;
pub mod stepfunctions;
pub mod telemetry;
pub mod workflow;
