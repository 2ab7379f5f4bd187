//! In-memory implementations of the ports, used by handler tests and
//! wherever nothing needs to survive the process.

mod publisher;
mod schedules;
mod store;

pub use publisher::MemoryPublisher;
pub use schedules::MemoryScheduleStore;
pub use store::MemoryStore;
