//! The ntfy publishing client and the classification of its failures.
//!
//! [`NtfyClient::publish`] posts one notification to ntfy's JSON API with a
//! `sequence_id`, so a repeated publish replaces the first notification
//! instead of adding a second. It never retries: each failure comes back as a
//! [`NtfyError`] whose [`NotifyErrorKind`](rez_core::ports::NotifyErrorKind)
//! tells the workflow whether, and when, to try again. [`NtfyClient`] also
//! implements core's [`Notifier`](rez_core::ports::Notifier) port.
//!
//! | module | what it holds |
//! |---|---|
//! | [`config`] | [`NtfyConfig`], and [`TopicUrl`]: a topic URL split into server root and topic |
//! | [`token`] | [`AccessToken`], the secret that prints as `***` |
//! | [`client`] | [`NtfyClient`], the JSON body, [`Published`] |
//! | [`classify`] | status code + ntfy code + `Retry-After` → [`NtfyError`] |
//! | [`error`] | [`ConfigError`] and [`NtfyError`] |
//!
//! | ntfy answers | error | kind | retried by the workflow |
//! |---|---|---|---|
//! | 429, code 42901 or none | [`NtfyError::RateLimited`] | `RateLimited` | after `Retry-After`, else 5 s |
//! | 429, code 42908 (or 42905) | [`NtfyError::QuotaExceeded`] | `QuotaExceeded` | no |
//! | 5xx, or 2xx that is not a message | [`NtfyError::ServerError`], [`NtfyError::UnexpectedResponse`] | `ServerError` | yes |
//! | no connection, timeout, broken body | [`NtfyError::Unreachable`] | `Unreachable` | yes |
//! | other 4xx, 3xx, or over ntfy's limits (not sent) | [`NtfyError::Rejected`] | `Rejected` | no |

pub mod classify;
pub mod client;
pub mod config;
pub mod error;
pub mod token;

pub use client::{NtfyClient, Published};
pub use config::{NtfyConfig, TopicUrl};
pub use error::{ConfigError, NtfyError};
pub use token::AccessToken;
