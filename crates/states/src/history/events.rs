//! [`History`]: an execution's events, as the execution hands them out.

use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::HistoryEvent;
use crate::value::Arena;

/// The events of one execution, in order. It dereferences to a slice of
/// [`HistoryEvent`]s (`history.iter()`, `history[0]`, `history.len()`).
///
/// While the execution runs, the payloads of its main path are ids of
/// values in its arena, so recording them writes no text. The history keeps
/// a share of that arena and writes those payloads as text the first time
/// it is read; a history nobody reads never writes them. (Giving each
/// event its own share of the arena instead cost an atomic reference
/// count per event, about a tenth of a notification execution's time.)
pub struct History {
    /// The events as recorded, until the first read takes them.
    recorded: Mutex<Vec<HistoryEvent>>,
    /// The arena their payloads are in.
    arena: Option<Arc<Arena>>,
    /// The arenas of branches whose events' payloads are values there,
    /// until the first read writes those as text.
    kept: Mutex<Vec<Option<Arena>>>,
    /// The events with every payload written as text.
    ready: OnceLock<Vec<HistoryEvent>>,
}

impl History {
    /// `events` whose payloads may be values of `arena` or of the branch
    /// arenas in `kept`.
    pub(crate) fn recorded(
        events: Vec<HistoryEvent>,
        arena: Arc<Arena>,
        kept: Vec<Option<Arena>>,
    ) -> History {
        History {
            recorded: Mutex::new(events),
            arena: Some(arena),
            kept: Mutex::new(kept),
            ready: OnceLock::new(),
        }
    }

    /// The events, their payloads written as text on first use.
    pub fn events(&self) -> &[HistoryEvent] {
        self.ready.get_or_init(|| {
            let mut events = match self.recorded.lock() {
                Ok(mut recorded) => std::mem::take(&mut *recorded),
                Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
            };
            let kept = match self.kept.lock() {
                Ok(mut kept) => std::mem::take(&mut *kept),
                Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
            };
            if let Some(arena) = &self.arena {
                for event in &mut events {
                    event.details.write_payloads(arena, &kept);
                }
            }
            events
        })
    }

    /// The events, as a vector.
    pub fn into_vec(mut self) -> Vec<HistoryEvent> {
        self.events();
        std::mem::take(&mut self.ready)
            .into_inner()
            .unwrap_or_default()
    }
}

impl Drop for History {
    /// The kept arenas of a history never read go back to the thread's
    /// spares all at once (a Map over many items keeps one per item).
    fn drop(&mut self) {
        let kept = match self.kept.get_mut() {
            Ok(kept) => kept,
            Err(poisoned) => poisoned.into_inner(),
        };
        if !kept.is_empty() {
            Arena::recycle(std::mem::take(kept).into_iter().flatten());
        }
    }
}

impl From<Vec<HistoryEvent>> for History {
    /// Events whose payloads are text already.
    fn from(events: Vec<HistoryEvent>) -> History {
        History {
            recorded: Mutex::new(Vec::new()),
            arena: None,
            kept: Mutex::new(Vec::new()),
            ready: OnceLock::from(events),
        }
    }
}

impl std::ops::Deref for History {
    type Target = [HistoryEvent];

    fn deref(&self) -> &[HistoryEvent] {
        self.events()
    }
}

impl<'a> IntoIterator for &'a History {
    type Item = &'a HistoryEvent;
    type IntoIter = std::slice::Iter<'a, HistoryEvent>;

    fn into_iter(self) -> Self::IntoIter {
        self.events().iter()
    }
}

impl Clone for History {
    fn clone(&self) -> History {
        History::from(self.events().to_vec())
    }
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.events()).finish()
    }
}

impl PartialEq for History {
    fn eq(&self, other: &History) -> bool {
        self.events() == other.events()
    }
}

impl Serialize for History {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.events().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<History, D::Error> {
        Vec::<HistoryEvent>::deserialize(deserializer).map(History::from)
    }
}
