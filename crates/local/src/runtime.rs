//! The Tokio runtime `rez-agent` runs on.
//!
//! Every SQLite call goes through one connection behind a mutex, run in
//! Tokio's blocking pool (`sqlite::Database::call`). With the default pool
//! (up to 512 threads), a burst of API requests and deliveries started one
//! blocking thread per waiting call, dozens of threads queued on the same
//! mutex, each with its own allocator caches: under the end-to-end load that
//! cost memory (peak RSS) and context switches, not throughput. A small pool
//! keeps the same order of work — calls wait for a thread instead of for
//! the mutex — and leaves a few threads for the other blocking work (file
//! reads, DNS look-ups).

use std::io;

/// Threads of the blocking pool: the database's one connection, plus room
/// for blocking work that is not the database.
pub const MAX_BLOCKING_THREADS: usize = 8;

/// A multi-threaded runtime (one worker per core) with a blocking pool of
/// [`MAX_BLOCKING_THREADS`].
///
/// # Errors
/// When the operating system refuses the runtime's threads or its I/O driver.
pub fn build() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
}
