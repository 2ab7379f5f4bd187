//! A `ResultPath` that is a path, parsed once per definition.
//!
//! Every successful Task writes its result into its input at its
//! `ResultPath`; parsing the path (or finding its parse in the per-thread
//! memo) and working out the text of the new field are the same work on
//! every execution, so they are done the first time the state runs.

use std::sync::Arc;

use serde_json::Value;

use crate::paths::{self, Parsed, Segment};

/// A `ResultPath` string and what the executor needs to write it.
#[derive(Debug, Clone)]
pub(crate) struct ResultTarget {
    /// The path as written.
    pub(crate) path: Box<str>,
    /// Its parse.
    pub(crate) parsed: Arc<Parsed>,
    /// `"name":` when the path names one top-level field (`$.name`,
    /// `$['name']`): the output's text is then the input's with this field
    /// appended, when the field is new (see `executor::text`).
    pub(crate) field_prefix: Option<Box<str>>,
}

impl ResultTarget {
    /// Parse `path`.
    pub(crate) fn new(path: &str) -> Self {
        let parsed = paths::parse(path);
        let field_prefix = match &parsed {
            Parsed::Definite(segments) => match segments.as_slice() {
                [Segment::Key(name)] => {
                    let key = crate::history::payload(&Value::String(name.clone()));
                    Some(format!("{key}:").into())
                }
                _ => None,
            },
            Parsed::General(_) => None,
        };
        ResultTarget {
            path: path.into(),
            parsed: Arc::new(parsed),
            field_prefix,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_top_level_field_has_its_prefix_and_other_paths_none() {
        let prefix = |path: &str| ResultTarget::new(path).field_prefix.map(String::from);
        assert_eq!(prefix("$.message").as_deref(), Some("\"message\":"));
        assert_eq!(prefix("$['a.b']").as_deref(), Some("\"a.b\":"));
        assert_eq!(
            prefix("$['with space']").as_deref(),
            Some("\"with space\":")
        );
        assert_eq!(prefix("$.a.b"), None);
        assert_eq!(prefix("$"), None);
        assert_eq!(prefix("$.x[0]"), None);
        assert_eq!(prefix("$..x"), None);
    }
}
