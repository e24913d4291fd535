//! Running a command's jobs on several threads while reporting them in
//! job order, so that the output of `--threads N` is the output of one
//! thread.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::{Condvar, Mutex};

/// How many jobs run at once: `--threads`, by default one per CPU.
pub fn threads(asked: Option<NonZeroUsize>) -> NonZeroUsize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN))
}

/// What the workers share.
struct Shared<R, E> {
    /// The next item to start.
    next: usize,
    /// Items started and not finished.
    running: usize,
    /// No item starts any more (an error, or `stop` said so).
    stopped: bool,
    /// Finished items not yet reported, by index.
    finished: BTreeMap<usize, Result<R, E>>,
}

/// Runs `work` on `items` with up to `threads` at once, starting them in
/// order, and hands each result to `done` in item order, on the calling
/// thread. Once `stop` holds or an item fails, no further item starts;
/// items already started finish and every success before the first failure
/// reaches `done`. Returns the first failure in item order.
pub fn ordered<T: Sync, R: Send, E: Send>(
    items: &[T],
    threads: NonZeroUsize,
    stop: impl Fn() -> bool + Sync,
    work: impl Fn(&T) -> Result<R, E> + Sync,
    mut done: impl FnMut(R),
) -> Result<(), E> {
    let shared = Mutex::new(Shared {
        next: 0,
        running: 0,
        stopped: false,
        finished: BTreeMap::new(),
    });
    let changed = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|scope| {
        for _ in 0..threads.get().min(items.len()) {
            scope.spawn(|| loop {
                let i = {
                    let mut s = lock();
                    if s.stopped || s.next == items.len() || stop() {
                        s.stopped = true;
                        changed.notify_all();
                        return;
                    }
                    s.next += 1;
                    s.running += 1;
                    s.next - 1
                };
                let result = work(&items[i]);
                let mut s = lock();
                s.running -= 1;
                s.stopped |= result.is_err();
                s.finished.insert(i, result);
                changed.notify_all();
            });
        }
        let mut reported = 0;
        let mut s = lock();
        loop {
            match s.finished.remove(&reported) {
                Some(Ok(r)) => {
                    reported += 1;
                    drop(s);
                    done(r);
                    s = lock();
                }
                Some(Err(e)) => {
                    s.stopped = true;
                    return Err(e);
                }
                // Every item started was reported and none will start.
                None if s.running == 0
                    && reported == s.next
                    && (s.stopped || s.next == items.len()) =>
                {
                    return Ok(());
                }
                None => s = changed.wait(s).unwrap_or_else(|e| e.into_inner()),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn n(k: usize) -> NonZeroUsize {
        NonZeroUsize::new(k).unwrap()
    }

    #[test]
    fn results_arrive_in_item_order_whatever_finishes_first() {
        let items: Vec<u64> = (0..20).collect();
        for threads in [1, 2, 7] {
            let mut seen = Vec::new();
            ordered(
                &items,
                n(threads),
                || false,
                // Later items finish sooner.
                |&i| {
                    std::thread::sleep(std::time::Duration::from_millis(20 - i));
                    Ok::<_, ()>(i * 10)
                },
                |r| seen.push(r),
            )
            .unwrap();
            assert_eq!(
                seen,
                (0..20).map(|i| i * 10).collect::<Vec<_>>(),
                "{threads}"
            );
        }
    }

    #[test]
    fn a_failure_stops_new_items_and_is_returned_after_the_earlier_results() {
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let items: Vec<usize> = (0..100).collect();
        let result = ordered(
            &items,
            n(2),
            || false,
            |&i| {
                started.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(1));
                if i == 5 {
                    Err(format!("item {i}"))
                } else {
                    Ok(i)
                }
            },
            |r| seen.push(r),
        );
        assert_eq!(result, Err("item 5".to_string()));
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        assert!(started.load(Ordering::Relaxed) < 10, "items kept starting");
    }

    #[test]
    fn stop_ends_the_run_with_every_started_item_reported() {
        let stopping = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let items: Vec<usize> = (0..100).collect();
        ordered(
            &items,
            n(3),
            || stopping.load(Ordering::Relaxed) >= 4,
            |&i| {
                stopping.fetch_add(1, Ordering::Relaxed);
                Ok::<_, ()>(i)
            },
            |r| seen.push(r),
        )
        .unwrap();
        assert!((4..=6).contains(&seen.len()), "{seen:?}");
        assert_eq!(seen, (0..seen.len()).collect::<Vec<_>>());
    }

    #[test]
    fn no_items_is_no_work() {
        let items: [u8; 0] = [];
        let mut calls = 0;
        ordered(&items, n(4), || false, |_| Ok::<_, ()>(()), |()| calls += 1).unwrap();
        assert_eq!(calls, 0);
    }
}
