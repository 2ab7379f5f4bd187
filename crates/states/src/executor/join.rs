//! Await many borrowed futures at once (Parallel branches, Map iterations)
//! without spawning, so they may borrow the execution's runtime.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A boxed future that borrows from the execution.
pub(crate) type Branch<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A future still running (`Some`) and its result once done.
type Slot<'a, F, T> = (Option<Branch<'a, F>>, Option<T>);

/// Poll every future `futures` yields until all are done; results keep the
/// order they were yielded in.
///
/// The first poll polls each in turn, then later polls poll those still
/// running, in order. Each future is made only when its turn comes and
/// kept only while it is pending: one that finishes on its first poll
/// leaves its box (still warm in the cache) to the next, rather than a
/// thousand futures made up front and each visited once. Dropping the
/// join drops the futures still running; those not yet made never existed.
pub(crate) async fn join_lazily<I>(futures: I) -> Vec<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future,
{
    let mut futures = Some(futures);
    let mut results: Vec<Option<<I::Item as Future>::Output>> = Vec::new();
    let mut running: Vec<(usize, Pin<Box<I::Item>>)> = Vec::new();
    // A finished future's box, for the next one.
    let mut spare: Option<Pin<Box<I::Item>>> = None;
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        if let Some(futures) = futures.take() {
            let futures = futures.into_iter();
            results.reserve(futures.size_hint().0);
            for (index, future) in futures.enumerate() {
                let mut future = match spare.take() {
                    Some(mut boxed) => {
                        boxed.set(future);
                        boxed
                    }
                    None => Box::pin(future),
                };
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        results.push(Some(value));
                        spare = Some(future);
                    }
                    Poll::Pending => {
                        results.push(None);
                        running.push((index, future));
                    }
                }
            }
        } else {
            running.retain_mut(|(index, future)| match future.as_mut().poll(cx) {
                Poll::Ready(value) => {
                    if let Some(slot) = results.get_mut(*index) {
                        *slot = Some(value);
                    }
                    false
                }
                Poll::Pending => true,
            });
        }
        if running.is_empty() {
            Poll::Ready(std::mem::take(&mut results).into_iter().flatten().collect())
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Poll every future until all succeed, or return the first error as soon
/// as it happens (the remaining futures are dropped, i.e. cancelled).
pub(crate) async fn try_join_all<T, E>(
    futures: Vec<Branch<'_, Result<T, E>>>,
) -> Result<Vec<T>, E> {
    let mut slots: Vec<Slot<'_, Result<T, E>, T>> =
        futures.into_iter().map(|f| (Some(f), None)).collect();
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        let mut pending = false;
        for (future, result) in slots.iter_mut() {
            if let Some(f) = future {
                match f.as_mut().poll(cx) {
                    Poll::Ready(Ok(value)) => {
                        *result = Some(value);
                        *future = None;
                    }
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(Ok(slots.iter_mut().filter_map(|(_, r)| r.take()).collect()))
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn join_lazily_keeps_input_order_and_polls_in_turn() {
        let polled = std::sync::Mutex::new(Vec::new());
        let polled = &polled;
        let futures = (0..4u32).map(|i| async move {
            if let Ok(mut polled) = polled.lock() {
                polled.push(i);
            }
            // Odd ones wait a little: they finish after those made later.
            if i % 2 == 1 {
                tokio::time::sleep(std::time::Duration::from_millis(u64::from(4 - i))).await;
            }
            i
        });
        assert_eq!(join_lazily(futures).await, vec![0, 1, 2, 3]);
        assert_eq!(
            polled.lock().map(|p| p.clone()).ok(),
            Some(vec![0, 1, 2, 3])
        );
    }

    #[tokio::test]
    async fn try_join_all_returns_the_first_error_without_waiting_for_the_rest() {
        let slow: Branch<'_, Result<u32, &str>> = Box::pin(async {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            Ok(1)
        });
        let failing: Branch<'_, Result<u32, &str>> = Box::pin(async { Err("boom") });
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            try_join_all(vec![slow, failing]),
        )
        .await;
        assert_eq!(result, Ok(Err("boom")));
    }
}
