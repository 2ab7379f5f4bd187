//! A test harness for the rez-agent Lambda bootstraps: the real binaries,
//! started as Lambda starts them, against a local Lambda Runtime API.
//!
//! | module | what it holds |
//! |---|---|
//! | [`runtime_api`] | [`RuntimeApi`]: `/invocation/next`, `/response`, `/error` and `/init/error` on loopback; queue an event, await its [`Outcome`] |
//! | [`function`] | [`Function`]: a built bootstrap started with `AWS_LAMBDA_RUNTIME_API`, killed on drop, its log kept |
//! | [`moto`] | [`Moto`]: a moto server on a free loopback port, for DynamoDB, SNS and SSM |
//! | [`error`] | [`HarnessError`] |
//!
//! ```no_run
//! # async fn t() -> Result<(), rez_lambda_harness::HarnessError> {
//! use rez_lambda_harness::{Function, RuntimeApi, WAIT};
//! let api = RuntimeApi::start().await?;
//! let _function = Function::spawn("load-message", &api, [("REZ_TABLE_NAME", "messages")])?;
//! let id = api.invoke(&serde_json::json!({"message_id": 42}));
//! let outcome = api.outcome(&id, WAIT).await?;
//! # Ok(()) }
//! ```

pub mod error;
pub mod function;
pub mod moto;
pub mod runtime_api;

use std::time::Duration;

pub use error::HarnessError;
pub use function::{Function, binary_path, lambda_command};
pub use moto::Moto;
pub use runtime_api::{Outcome, Reported, RuntimeApi};

/// How long a test waits for any one thing a bootstrap or moto does.
pub const WAIT: Duration = Duration::from_secs(30);
