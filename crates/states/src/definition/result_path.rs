//! A `ResultPath` that is a path, parsed once per definition.
//!
//! Every successful Task writes its result into its input at its
//! `ResultPath`; parsing the path (or finding its parse in the per-thread
//! memo) is the same work on every execution, so it is done the first time
//! the state runs. The parse's keys are interned names, so writing them
//! into the execution's arena copies no text.

use std::sync::Arc;

use crate::paths::{self, Parsed};

/// A `ResultPath` string and its parse.
#[derive(Debug, Clone)]
pub(crate) struct ResultTarget {
    /// The path as written.
    pub(crate) path: Box<str>,
    /// Its parse.
    pub(crate) parsed: Arc<Parsed>,
}

impl ResultTarget {
    /// Parse `path`.
    pub(crate) fn new(path: &str) -> Self {
        ResultTarget {
            path: path.into(),
            parsed: Arc::new(paths::parse(path)),
        }
    }
}
