//! Per-thread copies of the definition's names (state names, resources)
//! for the events and task contexts that hold them.
//!
//! Events hold names as `Arc<str>`. Cloning the definition's own `Arc`
//! touches its reference count from every execution of the machine, so
//! executions running on different cores fight over that cache line on
//! every event (measured: two threads sharing one machine ran 15–25% slower
//! per execution than two threads with a machine each). A copy per thread is
//! touched by that thread's executions alone and is made once, not per
//! execution.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::fnv::FnvBuild;

/// Most names a thread keeps copies of; the table starts over past that.
const KEPT_NAMES: usize = 1024;

thread_local! {
    /// The definition's name (by address) and this thread's copy of it.
    static COPIES: RefCell<HashMap<usize, Arc<str>, FnvBuild>> =
        RefCell::new(HashMap::default());
}

/// This thread's copy of `shared`, a name owned by a definition.
///
/// A definition freed and another allocated at the same address may have
/// other text there, so a copy is only used when its text is the same.
pub(crate) fn local(shared: &Arc<str>) -> Arc<str> {
    let address = Arc::as_ptr(shared).cast::<u8>() as usize;
    COPIES.with(|cell| {
        let Ok(mut copies) = cell.try_borrow_mut() else {
            // Not reachable (nothing here re-enters), but never worth a panic.
            return Arc::clone(shared);
        };
        if let Some(copy) = copies.get(&address)
            && **copy == **shared
        {
            return Arc::clone(copy);
        }
        if copies.len() >= KEPT_NAMES {
            copies.clear();
        }
        let copy: Arc<str> = Arc::from(&**shared);
        copies.insert(address, Arc::clone(&copy));
        copy
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_has_the_same_text_and_is_made_once_per_thread() {
        let shared: Arc<str> = Arc::from("SendNotification");
        let first = local(&shared);
        let second = local(&shared);
        assert_eq!(&*first, "SendNotification");
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &shared));
        // The definition's own count is untouched by the copies.
        assert_eq!(Arc::strong_count(&shared), 1);
        let other_thread = std::thread::spawn({
            let shared = Arc::clone(&shared);
            move || local(&shared)
        })
        .join()
        .ok();
        assert!(other_thread.is_some_and(|copy| !Arc::ptr_eq(&copy, &first)));
    }

    #[test]
    fn a_new_name_at_a_reused_address_gets_its_own_copy() {
        let new: Arc<str> = Arc::from("New");
        // What the table holds when a freed definition's name "Old" lived
        // at the address where "New" now is.
        let address = Arc::as_ptr(&new).cast::<u8>() as usize;
        COPIES.with(|cell| {
            cell.borrow_mut().insert(address, Arc::from("Old"));
        });
        assert_eq!(&*local(&new), "New");
        assert_eq!(&*local(&new), "New");
    }
}
