//! The local Lambda service: each declared function's package run as
//! Lambda runs a custom runtime, one process per concurrent invocation, and
//! the Invoke API in front of them.
//!
//! | file | what it holds |
//! |---|---|
//! | `service.rs` | [`LambdaService`]: init, invoke, aliases, fault-injection hooks |
//! | `invoked.rs` | [`Invoked`] and [`InvokeError`]: what an invocation comes to |
//! | `pool.rs` | each function's execution environments and [`ServiceSettings`] |
//! | `sandbox.rs` | one execution environment: a bootstrap process and its Runtime API |
//! | `routing.rs` | qualifiers: `$LATEST`, versions, aliases and their routing weights |
//! | `invoke_api.rs` | `POST /2015-03-31/functions/{name}/invocations`, `PublishVersion`, `GetAlias`, `UpdateAlias` |

mod invoke_api;
mod invoked;
mod pool;
mod routing;
mod sandbox;
mod service;

pub use invoke_api::router;
pub use invoked::{InvokeError, Invoked};
pub use pool::ServiceSettings;
pub use routing::Routing;
pub use service::LambdaService;
