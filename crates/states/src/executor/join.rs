//! Await many borrowed futures at once (Parallel branches, Map iterations)
//! without spawning, so they may borrow the execution's runtime.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A boxed future that borrows from the execution.
pub(crate) type Branch<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A future still running (`Some`) and its result once done.
type Slot<'a, F, T> = (Option<Branch<'a, F>>, Option<T>);

/// Poll every future until all are done; results keep the input order.
pub(crate) async fn join_all<T>(futures: Vec<Branch<'_, T>>) -> Vec<T> {
    let mut slots: Vec<Slot<'_, T, T>> = futures.into_iter().map(|f| (Some(f), None)).collect();
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        let mut pending = false;
        for (future, result) in slots.iter_mut() {
            if let Some(f) = future {
                match f.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *result = Some(value);
                        *future = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(slots.iter_mut().filter_map(|(_, r)| r.take()).collect())
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
    async fn join_all_keeps_input_order() {
        let futures: Vec<Branch<'_, u32>> = (0..4u32)
            .map(|i| -> Branch<'_, u32> {
                Box::pin(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(4 - i))).await;
                    i
                })
            })
            .collect();
        assert_eq!(join_all(futures).await, vec![0, 1, 2, 3]);
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
