//! The SQLite adapters of the embedded stack: the local counterpart of
//! `rez-aws`. Messages, executions and schedules in one database file, the
//! durable queue with its dead-letter queue, and the topic that publishes
//! into it, each behind a `rez-core` port.
//!
//! | file | what it holds |
//! |---|---|
//! | `database.rs` | [`Database`]: open and check the file, WAL, one shared connection on the blocking pool |
//! | `schema.rs` | the tables and indexes, the integrity check, migrations by `user_version` |
//! | `store.rs` | [`SqliteStore`]: the [`MessageStore`](rez_core::ports::MessageStore) port |
//! | `submitter.rs` | [`SqliteSubmitter`]: a new message, already queued, and its queue record in one transaction |
//! | `store_rows.rs` | mapping between a message and its row |
//! | `metrics.rs` | counts, success rate and delivery latency over the messages |
//! | `schedules.rs` | the schedules people define, the [`ScheduleStore`](rez_core::ports::ScheduleStore) port |
//! | `executions.rs` | executions and their history, the [`ExecutionReader`](rez_core::ports::ExecutionReader) port |
//! | `abort.rs` | closing executions left `RUNNING` by a stopped process as `ABORTED` ([`Abort`]) |
//! | `retention.rs` | deleting expired final messages and old executions, a bounded batch at a time |
//! | `queue.rs` | [`SqliteQueue`]: visibility timeouts, receive counts, the dead-letter queue |
//! | `queue_rows.rs` | the queue's transactions: take, dead-letter, redrive |
//! | `dead_letter_port.rs` | the [`DeadLetterQueue`](rez_core::ports::DeadLetterQueue) port on the queue |
//! | `queue_types.rs` | [`QueueMessageId`], [`Received`], [`DeadLetter`], [`QueueDepth`] |
//! | `publisher.rs` | [`QueuePublisher`]: the [`Publisher`](rez_core::ports::Publisher) port, publish = send to the queue |
//! | `error.rs` | [`DbError`], [`QueueError`], and how SQLite's errors map onto the store's |
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use rez_sqlite::{Database, SqliteQueue, SqliteStore, DEFAULT_MAX_RECEIVE_COUNT};
//!
//! let db = Database::open(std::path::Path::new("rez-agent.db"))?;
//! let store = SqliteStore::new(db.clone());
//! let queue = SqliteQueue::new(db, DEFAULT_MAX_RECEIVE_COUNT);
//! queue.release_in_flight().await?; // take up what a previous process left in flight
//! # let _ = store;
//! # Ok(())
//! # }
//! ```

mod abort;
mod database;
mod dead_letter_port;
mod error;
mod executions;
mod group_commit;
mod metrics;
mod publisher;
mod queue;
mod queue_rows;
mod queue_types;
mod retention;
mod schedules;
mod schema;
mod store;
mod store_rows;
mod submitter;

#[cfg(test)]
mod tests;

pub use abort::Abort;
pub use database::Database;
pub use error::{DbError, QueueError};
pub use publisher::QueuePublisher;
pub use queue::{DEFAULT_MAX_RECEIVE_COUNT, SqliteQueue};
pub use queue_types::{DeadLetter, QueueDepth, QueueMessageId, Received};
pub use store::SqliteStore;
pub use submitter::SqliteSubmitter;
