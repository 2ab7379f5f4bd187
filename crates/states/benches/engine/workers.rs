//! The whole-machine runner: one thread per core, each with its own
//! single-threaded runtime, sharing a batch of executions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use super::{Workload, runtime};

/// One thread per core, kept for the whole benchmark, each with its own
/// single-threaded runtime. The threads share a batch: each claims the next
/// `CLAIM` executions until none are left, so a faster core runs more of
/// them (this host's two vCPUs often run at different speeds; an even
/// split made the faster one wait for the slower, which a peer's
/// independent processes, whose rates are summed, never do).
/// No task moves between threads, so nothing an execution allocates is freed
/// on another core, and each thread's caches and allocator heap stay warm.
pub(crate) struct Workers {
    batches: Vec<mpsc::Sender<u64>>,
    next: Arc<AtomicU64>,
    done: mpsc::Receiver<()>,
}

/// Notification executions a worker claims at a time (one shared counter
/// update each); a `map_1000` execution is claimed alone.
const CLAIM: u64 = 16;

impl Workload {
    fn claim(&self) -> u64 {
        if self.map_input.is_some() { 1 } else { CLAIM }
    }
}

impl Workers {
    pub(crate) fn start(cores: usize, workload: Arc<Workload>) -> Self {
        let (done_tx, done) = mpsc::channel();
        let next = Arc::new(AtomicU64::new(0));
        let batches = (0..cores)
            .map(|_| {
                let (tx, rx) = mpsc::channel::<u64>();
                let (workload, done_tx, next) =
                    (Arc::clone(&workload), done_tx.clone(), Arc::clone(&next));
                std::thread::spawn(move || {
                    let rt = runtime();
                    while let Ok(iters) = rx.recv() {
                        rt.block_on(async {
                            loop {
                                let claim = workload.claim();
                                let first = next.fetch_add(claim, Ordering::Relaxed);
                                if first >= iters {
                                    break;
                                }
                                for i in first..(first + claim).min(iters) {
                                    workload.one(i).await;
                                }
                            }
                        });
                        if done_tx.send(()).is_err() {
                            return;
                        }
                    }
                });
                tx
            })
            .collect();
        Workers {
            batches,
            next,
            done,
        }
    }

    /// Run executions 0..iters across the threads; returns when all are done.
    pub(crate) fn run(&self, iters: u64) {
        // The workers are idle here; the sends publish the reset to them.
        self.next.store(0, Ordering::Relaxed);
        for batch in &self.batches {
            batch.send(iters).expect("worker");
        }
        for _ in &self.batches {
            self.done.recv().expect("worker");
        }
    }
}
