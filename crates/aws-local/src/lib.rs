//! The AWS deployment of rez-agent run whole on one machine, without
//! Docker: what SAM local, Step Functions Local and LocalStack give
//! together, built from what the Pulumi program declares.
//!
//! | module | what it holds |
//! |---|---|
//! | [`declared`] | the program's resources as `infrastructure/test/declare.ts` writes them |
//! | [`consistency`] | what must hold between the declared resources, checked before anything starts |
//! | [`package`] | `build/<function>.zip` unpacked into a task root |
//! | [`provision`] | the table, queues, topic, subscription, parameters, log group and schedule groups created in moto |
//! | [`lambda`] | the Lambda service: execution environments, aliases, the Invoke API |
//! | [`edge`] | the one AWS endpoint the functions use, with injected faults |
//! | [`faults`] | what the tests make fail |
//! | [`write_meter`], [`write_units`] | the write request units each DynamoDB write would cost, counted when the meter is on |
//! | [`control`] | the harness's own routes (`/_aws-local/…`) |
//! | [`event_source`] | the SQS event source mapping |
//! | [`step_functions`] | `rez-agent stepfunctions` running the declared state machine |
//! | [`execution_logs`] | each ended execution's history delivered to the state machine's log group |
//! | [`http_api`] | API Gateway (HTTP API, payload 2.0) in front of the webapi function |
//! | [`scheduler`] | EventBridge Scheduler firing the scheduler function for the declared schedules |
//! | [`defined_schedules`] | EventBridge Scheduler firing the schedules the API created in moto's Scheduler |
//! | [`ntfy_stub`] | a stand-in ntfy that keeps what it receives |
//! | [`cli`] | what `rez-aws-local` does: start, print the URLs, wait for Ctrl-C |
//! | [`harness`] | [`AwsLocal`]: all of it started in order |
//!
//! The `rez-agent` binary does not link this crate: the AWS SDKs it needs to
//! talk to moto stay out of it.

pub mod cli;
pub mod consistency;
pub mod control;
pub mod declared;
pub mod defined_schedules;
pub mod edge;
pub mod error;
pub mod event_source;
pub mod execution_logs;
pub mod faults;
pub mod harness;
pub mod http_api;
pub mod lambda;
pub mod ntfy_stub;
pub mod package;
pub mod provision;
pub mod scheduler;
pub mod step_functions;
pub mod write_meter;
pub mod write_units;

pub use error::AwsLocalError;
pub use harness::{AwsLocal, Settings};
