//! [`Name`]: a definition's name (state name, resource) as the definition,
//! the history events and the task contexts hold it.
//!
//! Every event carries a name, so how a name is copied is paid on every
//! event. A reference-counted `Arc<str>` costs an atomic instruction to copy
//! and another to drop, and executions of one machine on different cores
//! contend for the counter's cache line. So names are interned when a definition is
//! read: the text lives for the rest of the process, once per distinct name,
//! and copying it is copying a pointer. The interned text is bounded
//! ([`INTERNED_BYTES`]); names read after that are reference-counted.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Deserializer};

/// Most bytes of name text interned per process (definitions with many
/// distinct names, e.g. generated ones, fall back to counted names).
pub(crate) const INTERNED_BYTES: usize = 4 << 20;

/// A name from a definition; dereferences to `str`. 16 bytes, like a
/// `&str` (events carry one each, and are moved around whole).
#[derive(Debug, Clone)]
pub(crate) enum Name {
    /// Interned for the process: copied as a pointer.
    Interned(&'static str),
    /// Past the interning budget: shared with a reference count (boxed so
    /// that the enum stays the size of the `&str`).
    Counted(Box<Arc<str>>),
}

/// The names interned so far and their total length.
struct Interned {
    names: HashSet<&'static str>,
    bytes: usize,
}

static INTERNED: OnceLock<Mutex<Interned>> = OnceLock::new();

impl Name {
    /// The text as a key of an arena value: interned text is used in
    /// place, other text is copied into `arena`.
    pub(crate) fn arena_key(&self, arena: &mut crate::value::Arena) -> crate::value::Key {
        match self {
            Name::Interned(text) => crate::value::Key::Static(text),
            Name::Counted(text) => arena.key(text),
        }
    }

    /// `text` as a name: interned while the budget lasts.
    pub(crate) fn new(text: &str) -> Name {
        let table = INTERNED.get_or_init(|| {
            Mutex::new(Interned {
                names: HashSet::new(),
                bytes: 0,
            })
        });
        let mut table = match table.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(name) = table.names.get(text) {
            return Name::Interned(name);
        }
        if table.bytes + text.len() > INTERNED_BYTES {
            return Name::Counted(Box::new(Arc::from(text)));
        }
        let name: &'static str = Box::leak(Box::from(text));
        table.bytes += name.len();
        table.names.insert(name);
        Name::Interned(name)
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Name::Interned(name) => name,
            Name::Counted(name) => name,
        }
    }
}

impl PartialEq for Name {
    /// Names are equal when their texts are.
    fn eq(&self, other: &Name) -> bool {
        **self == **other
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Name::new(text)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Name::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_interned_once_and_copied_as_a_pointer() {
        let first = Name::new("SendNotification");
        let second = Name::new(&String::from("SendNotification"));
        assert_eq!(&*first, "SendNotification");
        match (&first, &second) {
            (Name::Interned(a), Name::Interned(b)) => assert!(std::ptr::eq(*a, *b)),
            other => panic!("not interned: {other:?}"),
        }
    }

    #[test]
    fn a_name_is_the_size_of_a_str_reference() {
        assert_eq!(std::mem::size_of::<Name>(), std::mem::size_of::<&str>());
    }

    #[test]
    fn names_past_the_budget_are_counted_and_read_the_same() {
        // Larger than the whole budget, so never interned.
        let long = "n".repeat(INTERNED_BYTES + 1);
        let name = Name::new(&long);
        assert!(matches!(name, Name::Counted(_)));
        assert_eq!(&*name, long);
    }
}
