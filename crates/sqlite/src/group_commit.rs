//! Group commit: writes that wait at the same time share one transaction.
//!
//! Every write of the delivery path (a new message with its queue record, a
//! status change, an execution record, a queue delete) in a transaction of
//! its own would pay its own COMMIT: WAL frames written, the WAL index
//! updated, locks taken and released. Under load many of them wait for the
//! one connection at once. Here a write is queued as a job; whoever finds no
//! flusher running starts one on the blocking pool, and the flusher runs
//! every job waiting in one `BEGIN IMMEDIATE … COMMIT`, each inside its own
//! savepoint (a job that fails rolls back only its own changes), and answers
//! every caller only after the COMMIT: an answered write is as durable as
//! before (see `Database::open` for what `synchronous=NORMAL` keeps).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use super::error::{BlockingFailure, describe};

/// What a finished job does once the transaction's fate is known: `Ok` when
/// it committed, else why not.
pub(crate) type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A queued write: runs on the connection and returns its completion.
pub(crate) type WriteJob = Box<dyn FnOnce(&mut Connection) -> Completion + Send>;

/// Writes waiting for the flusher, and whether one is running.
#[derive(Default)]
pub(crate) struct WriteQueue {
    jobs: Vec<WriteJob>,
    flushing: bool,
}

/// What the flusher works on: the one connection and the writes waiting for it.
pub(crate) trait Committer: Send + Sync + 'static {
    /// The connection every transaction runs on.
    fn connection(&self) -> &Mutex<Connection>;
    /// The writes waiting for the flusher.
    fn write_queue(&self) -> &Mutex<WriteQueue>;
}

/// Queues `work` and waits for its result, answered after its transaction commits.
pub(crate) async fn write<C, T, E, F>(inner: &Arc<C>, work: F) -> Result<T, E>
where
    C: Committer,
    T: Send + 'static,
    E: BlockingFailure + Send + 'static,
    F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let span = tracing::Span::current();
    let job: WriteJob = Box::new(move |conn: &mut Connection| {
        let _entered = span.enter();
        let outcome = in_savepoint(conn, work);
        Box::new(move |committed: Result<(), String>| {
            let result = match (outcome, committed) {
                (Ok(value), Ok(())) => Ok(value),
                (Err(error), _) => Err(error),
                (Ok(_), Err(reason)) => Err(E::task_failed(reason)),
            };
            // The caller may have stopped waiting (its request was dropped).
            let _ = sender.send(result);
        })
    });
    let start_flusher = {
        let mut queue = inner
            .write_queue()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        queue.jobs.push(job);
        !std::mem::replace(&mut queue.flushing, true)
    };
    if start_flusher {
        let inner = Arc::clone(inner);
        tokio::task::spawn_blocking(move || flush(inner.as_ref()));
    }
    match receiver.await {
        Ok(result) => result,
        Err(_) => Err(E::task_failed(
            "the write was abandoned before it finished".to_owned(),
        )),
    }
}

/// Runs `work` inside a savepoint: released when it succeeds, rolled back
/// (undoing only its own changes) when it fails.
fn in_savepoint<T, E, F>(conn: &mut Connection, work: F) -> Result<T, E>
where
    E: BlockingFailure,
    F: FnOnce(&Connection) -> Result<T, E>,
{
    let savepoint = conn.savepoint().map_err(|e| E::task_failed(describe(&e)))?;
    // Dropping the savepoint without `commit` rolls it back.
    let value = work(&savepoint)?;
    savepoint
        .commit()
        .map_err(|e| E::task_failed(describe(&e)))?;
    Ok(value)
}

/// Runs the queued jobs, a batch per transaction, until none is waiting.
fn flush<C: Committer>(inner: &C) {
    loop {
        let jobs = {
            let mut queue = inner
                .write_queue()
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if queue.jobs.is_empty() {
                queue.flushing = false;
                return;
            }
            std::mem::take(&mut queue.jobs)
        };
        let mut conn = inner
            .connection()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Without the outer transaction each savepoint is a transaction of its
        // own, committed by its release: still correct, only not grouped.
        let grouped = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        let completions: Vec<Completion> = jobs
            .into_iter()
            .filter_map(|job| run_job(&mut conn, job))
            .collect();
        let committed = if grouped { commit(&conn) } else { Ok(()) };
        drop(conn);
        for complete in completions {
            complete(committed.clone());
        }
    }
}

/// Runs one job; a job that panics is dropped (its caller gets an error
/// from the closed channel), so one bad job cannot stop the flusher.
fn run_job(conn: &mut Connection, job: WriteJob) -> Option<Completion> {
    catch_unwind(AssertUnwindSafe(|| job(conn))).ok()
}

/// Commits the open transaction, rolling it back when the commit fails.
fn commit(conn: &Connection) -> Result<(), String> {
    conn.execute_batch("COMMIT").map_err(|e| {
        let reason = describe(&e);
        let _ = conn.execute_batch("ROLLBACK");
        reason
    })
}
