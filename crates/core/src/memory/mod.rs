//! In-memory implementations of the ports, used by handler tests and
//! wherever nothing needs to survive the process.

mod publisher;
mod store;

pub use publisher::MemoryPublisher;
pub use store::MemoryStore;
