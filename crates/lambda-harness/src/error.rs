//! What can go wrong while driving a bootstrap.

use std::path::PathBuf;
use std::time::Duration;

/// A harness step that failed.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The bootstrap binary has not been built.
    #[error("{} does not exist: build the bootstraps first (cargo build --bins)", path.display())]
    BinaryMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// `moto_server` is not installed.
    #[error("{} does not exist: run scripts/setup-python.sh (or set REZ_MOTO_SERVER)", path.display())]
    MotoMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// Something did not happen in time.
    #[error("no {what} within {within:?}{}", log_suffix(log))]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        within: Duration,
        /// The log of the process concerned, when there is one.
        log: Option<String>,
    },
    /// Starting or talking to a process or socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

fn log_suffix(log: &Option<String>) -> String {
    match log {
        Some(log) if !log.is_empty() => format!("; its log:\n{log}"),
        _ => String::new(),
    }
}

impl HarnessError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| HarnessError::Io { context, source }
    }
}
