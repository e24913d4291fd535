//! Running a command's jobs on several threads while reporting them in
//! job order, so that the output of `--threads N` is the output of one
//! thread.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};

/// How many jobs run at once: `--threads`, by default one per CPU.
pub fn threads(asked: Option<NonZeroUsize>) -> NonZeroUsize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN))
}

/// What the workers share.
struct Shared<R, E> {
    /// How many items have started (a prefix of the start order).
    started: usize,
    /// Items started and not finished.
    running: usize,
    /// No item starts any more (an error, or `stop` said so).
    stopped: bool,
    /// Finished items not yet reported, by index.
    finished: BTreeMap<usize, Result<R, E>>,
}

/// Runs `work` on `items` with up to `threads` at once and hands each
/// result to `done` in item order, on the calling thread. Items start in
/// order of falling `cost` (the first of equal costs first), so that long
/// items do not end a run alone. Once `stop` holds or an item fails, no
/// further item starts; items already started finish, the successes among
/// them before the first failure (in item order) reach `done`, and that
/// failure is returned.
pub fn ordered<T: Sync, R: Send, E: Send>(
    items: &[T],
    threads: NonZeroUsize,
    cost: impl Fn(&T) -> u64,
    stop: impl Fn() -> bool + Sync,
    work: impl Fn(&T) -> Result<R, E> + Sync,
    mut done: impl FnMut(R),
) -> Result<(), E> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&items[i])));
    let shared = Mutex::new(Shared {
        started: 0,
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
                    if s.stopped || s.started == items.len() || stop() {
                        s.stopped = true;
                        changed.notify_all();
                        return;
                    }
                    s.started += 1;
                    s.running += 1;
                    order[s.started - 1]
                };
                let result = panic::catch_unwind(AssertUnwindSafe(|| work(&items[i])));
                let mut s = lock();
                s.running -= 1;
                match result {
                    Ok(result) => {
                        s.stopped |= result.is_err();
                        s.finished.insert(i, result);
                        changed.notify_all();
                    }
                    // The caller stops waiting; the scope passes the panic on.
                    Err(payload) => {
                        s.stopped = true;
                        changed.notify_all();
                        drop(s);
                        panic::resume_unwind(payload);
                    }
                }
            });
        }
        let mut reported = 0;
        let mut s = lock();
        loop {
            // While items start, the next to report will finish; once none
            // starts, whatever finished is reported when all have.
            let next = match s.stopped {
                false => s.finished.remove(&reported).map(|r| (reported, r)),
                true if s.running == 0 => s.finished.pop_first(),
                true => None,
            };
            match next {
                Some((i, Ok(r))) => {
                    reported = i + 1;
                    drop(s);
                    done(r);
                    s = lock();
                }
                Some((_, Err(e))) => return Err(e),
                None if s.running == 0 && (s.stopped || reported == items.len()) => {
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
                |_| 0,
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
            |_| 0,
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
            |_| 0,
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
    fn costly_items_start_first_and_are_still_reported_in_order() {
        let items: Vec<u64> = (0..6).collect();
        let starts = Mutex::new(Vec::new());
        let mut seen = Vec::new();
        ordered(
            &items,
            n(1),
            |&i| i % 3,
            || false,
            |&i| {
                starts.lock().unwrap().push(i);
                Ok::<_, ()>(i)
            },
            |r| seen.push(r),
        )
        .unwrap();
        assert_eq!(starts.into_inner().unwrap(), [2, 5, 1, 4, 0, 3]);
        assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_stop_reports_what_started_in_item_order() {
        let items: Vec<u64> = (0..10).collect();
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        ordered(
            &items,
            n(1),
            |&i| i,
            || started.load(Ordering::Relaxed) == 3,
            |&i| {
                started.fetch_add(1, Ordering::Relaxed);
                Ok::<_, ()>(i)
            },
            |r| seen.push(r),
        )
        .unwrap();
        assert_eq!(seen, [7, 8, 9]);
    }

    #[test]
    fn a_panicking_item_panics_the_caller_instead_of_hanging_it() {
        let items: Vec<u64> = (0..8).collect();
        let run = std::panic::catch_unwind(|| {
            ordered(
                &items,
                n(2),
                |_| 0,
                || false,
                |&i| {
                    assert_ne!(i, 3, "item 3 is a bug");
                    Ok::<_, ()>(i)
                },
                |_| {},
            )
        });
        assert!(run.is_err(), "the panic reached the caller");
    }

    #[test]
    fn no_items_is_no_work() {
        let items: [u8; 0] = [];
        let mut calls = 0;
        ordered(
            &items,
            n(4),
            |_| 0,
            || false,
            |_| Ok::<_, ()>(()),
            |()| calls += 1,
        )
        .unwrap();
        assert_eq!(calls, 0);
    }
}
