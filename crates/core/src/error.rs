//! The validation error shared by every input the domain accepts.

use std::fmt;

/// Input that breaks a rule of the domain: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The offending field, as the user named it (`message`, `priority`, `tags[3]`).
    pub field: String,
    /// What is wrong, in lowercase words a user can act on.
    pub message: String,
}

impl ValidationError {
    /// A validation error for `field` with the explanation `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
