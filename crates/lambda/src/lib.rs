//! What the six rez-agent Lambda mains share, so each `main.rs` only wires.
//!
//! | module | what it holds |
//! |---|---|
//! | [`emf`] | [`emf::sink_from_env`]: CloudWatch metrics as Embedded Metric Format lines on stdout, when the deployment opts in |
//! | [`logging`] | [`logging::init`]: JSON log lines with the level and timestamp Lambda filters by |
//! | [`init`] | [`init::or_report`]: a failed start-up (missing setting, unreadable parameter) reported through the Runtime API's `/init/error` |
//! | [`task`] | [`task::run`]: a state machine task over JSON whose failures carry their States error name as `errorType` |
//! | [`xray`] | [`xray::XRayLayer`]: the handlers' spans as X-Ray subsegments annotated with the message id, when Lambda traces |
//!
//! ```no_run
//! # async fn build() -> anyhow::Result<()> { Ok(()) }
//! # async fn main_() -> Result<(), lambda_runtime::Error> {
//! rez_lambda::logging::init();
//! let deps = rez_lambda::init::or_report(build()).await?;
//! rez_lambda::task::run(move |input| async move {
//!     let _ = &deps;
//!     Ok::<_, rez_core::FunctionError>(input)
//! })
//! .await
//! # }
//! ```

#[cfg(test)]
mod captured;
pub mod emf;
pub mod init;
pub mod logging;
pub mod task;
pub mod xray;
