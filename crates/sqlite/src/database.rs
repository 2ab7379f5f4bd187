//! The database handle: one file, opened and checked once, shared by every user.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::Notify;

use super::error::{BlockingFailure, DbError, describe, one_line, task_failed};
use super::group_commit::{self, Committer, WriteQueue};
use super::schema;

/// How long a statement waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Prepared statements kept for reuse by the connection.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// The SQLite database of the embedded stack: messages, executions and the queue.
///
/// Cheap to clone: every clone shares one connection. SQLite work runs on
/// Tokio's blocking pool, and the connection's mutex is only ever held inside
/// that blocking closure, never across an `.await`.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

/// What every clone of a [`Database`] shares.
pub(crate) struct Inner {
    path: PathBuf,
    /// The one connection.
    pub(crate) conn: Mutex<Connection>,
    /// Writes waiting to be committed together (see [`group_commit`]).
    pub(crate) writes: Mutex<WriteQueue>,
    /// Woken whenever a queue message may have become visible.
    queue_ready: Notify,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens the database at `path`, creating it (and its directory) if absent.
    ///
    /// Before anything is written, the file is checked (`PRAGMA quick_check`)
    /// and identified, so a corrupt, truncated or foreign file is reported and
    /// left exactly as it was. Then the connection is set up (WAL,
    /// `synchronous=NORMAL`, a busy timeout, foreign keys) and the schema is
    /// migrated to the current version.
    ///
    /// This blocks on file I/O: call it at start-up or inside `spawn_blocking`.
    ///
    /// # Errors
    /// A [`DbError`] naming the file: it cannot be opened, it is corrupt, it
    /// belongs to another program or a newer rez-agent, or setting it up failed.
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let open_error = |reason: String| DbError::Open {
            path: path.to_path_buf(),
            reason: one_line(&reason),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| open_error(format!("cannot create {}: {e}", parent.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| open_error(describe(&e)))?;
        Self::prepare(conn, path)
    }

    /// A private database in memory, gone when the last clone is dropped (for tests).
    ///
    /// # Errors
    /// A [`DbError`] when SQLite cannot allocate it or the schema fails.
    pub fn open_in_memory() -> Result<Database, DbError> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| DbError::Open {
            path: path.to_path_buf(),
            reason: describe(&e),
        })?;
        Self::prepare(conn, path)
    }

    fn prepare(mut conn: Connection, path: &Path) -> Result<Database, DbError> {
        let setup = |e: rusqlite::Error| DbError::Setup {
            path: path.to_path_buf(),
            reason: describe(&e),
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(setup)?;
        // rusqlite keeps 16 prepared statements by default; the store, the
        // queue, the executions, the metrics and the list queries (one text
        // per filter combination) use more, and an evicted one is parsed again.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        // Read-only checks first: nothing is written to a file we refuse.
        schema::check_integrity(&conn, path)?;
        schema::identify(&conn, path)?;
        // WAL lets readers (the console, `sqlite3`) work while the stack
        // writes. With WAL, `synchronous=NORMAL` is durable across a process
        // kill: a commit is in the WAL file (the OS page cache) before COMMIT
        // returns, so a SIGKILL loses nothing committed. Only the fsync is
        // deferred to checkpoints, so only a power loss or OS crash could roll
        // back the last commits — and even then the file stays consistent.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(setup)?;
        if !mode.eq_ignore_ascii_case("wal") && path != Path::new(":memory:") {
            tracing::warn!(path = %path.display(), mode, "the file system does not support WAL; using another journal mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(setup)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(setup)?;
        schema::migrate(&mut conn, path)?;
        Ok(Database {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                conn: Mutex::new(conn),
                writes: Mutex::new(WriteQueue::default()),
                queue_ready: Notify::new(),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` on the connection in Tokio's blocking pool, inside the caller's span.
    ///
    /// The mutex is taken and released inside the blocking closure. A panic
    /// inside an earlier closure poisons the mutex; the connection is still
    /// sound (an open transaction rolls back when dropped during unwinding), so
    /// the poison is cleared rather than turning every later call into an error.
    pub(crate) async fn call<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: BlockingFailure + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let span = tracing::Span::current();
        let task = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = inner.conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn)
        });
        match task.await {
            Ok(result) => result,
            Err(e) => Err(E::task_failed(task_failed(&e))),
        }
    }

    /// Runs the write `work` in a transaction shared with the other writes
    /// waiting at the same time (group commit), inside a savepoint of its
    /// own: its changes commit with the group, or are rolled back alone when
    /// it fails. Answers after the COMMIT. `work` must not begin a
    /// transaction itself.
    pub(crate) async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: BlockingFailure + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        group_commit::write(&self.inner, work).await
    }

    /// Whether `other` is a clone of this handle (the same connection).
    pub(crate) fn is(&self, other: &Database) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Woken whenever a queue message may have become visible.
    pub(crate) fn queue_ready(&self) -> &Notify {
        &self.inner.queue_ready
    }
}

/// Reads a count column (an SQLite integer) as `u64`; a negative value is an error.
pub(crate) fn get_u64(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<u64> {
    let n: i64 = row.get(index)?;
    u64::try_from(n).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(index, n))
}

impl Committer for Inner {
    fn connection(&self) -> &Mutex<Connection> {
        &self.conn
    }

    fn write_queue(&self) -> &Mutex<WriteQueue> {
        &self.writes
    }
}
