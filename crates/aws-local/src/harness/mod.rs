//! The whole deployment started on one machine, in the order AWS needs it:
//! moto and the declared resources, the packages unpacked, the AWS endpoint,
//! every function's init, Step Functions, then the event source mapping, the
//! API Gateway front and the schedules.
//!
//! | file | what it holds |
//! |---|---|
//! | `start.rs` | [`Settings`] and [`AwsLocal::start`]: every part started in order |
//! | `deployment.rs` | [`AwsLocal`]: the running deployment, its URLs and parts, shutdown |
//! | `parameters.rs` | the ntfy URL and API key parameters, found and pointed at this machine |

mod deployment;
mod parameters;
mod start;

pub use deployment::AwsLocal;
pub use start::Settings;
