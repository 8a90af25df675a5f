//! The async runtime: tokio's multi-threaded scheduler with one worker per
//! core the process may use, each worker kept on a core of its own where
//! that is every core there is ([`server.pin_workers`](crate::config::ServerSettings)).
//!
//! Why: during a burst of password sign-ins the hashing threads
//! ([`crate::passwords`]) fill every core at `SCHED_IDLE`. `perf sched`
//! showed the token endpoint's waits over 0.3 ms then spent mostly queued
//! behind the *other* worker on the same core, while the second core ran
//! only a hash that any wake-up could have preempted: Linux's wake-up path
//! places a woken thread near its waker and stops looking for an idle core
//! early when every core looks busy, and a core running a hash does. A
//! worker kept on a core of its own never queues behind the other worker.
//! Measured with `sanus-bench --only password` on two cores, pinned and
//! unpinned runs alternated: see `docs/operations.md`, "Capacity".
//!
//! Not where a CPU quota (a container's limit) leaves fewer workers than
//! cores: pinned, the workers could not move away from cores that other
//! processes keep busy, while the quota, not the cores, bounds them.

use std::io;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::runtime::{Builder, Runtime};

/// The runtime the `sanus` binary runs on. `pin_workers`: keep each worker
/// on a core of its own where the workers are as many as the cores this
/// process may run on (Linux; elsewhere a no-op). Says in the log which it is.
pub fn build(pin_workers: bool) -> io::Result<Runtime> {
    build_counting_placed(pin_workers).map(|(runtime, _)| runtime)
}

/// As [`build`], with the count of workers that have taken their core so
/// far (`None`: they do not).
fn build_counting_placed(pin_workers: bool) -> io::Result<(Runtime, Option<Arc<AtomicUsize>>)> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(workers).enable_all();
    let placed = if pin_workers {
        pinning::install(&mut builder, workers)
    } else {
        tracing::info!(workers, "async workers: not kept on cores of their own (server.pin_workers = false)");
        None
    };
    Ok((builder.build()?, placed))
}

#[cfg(target_os = "linux")]
mod pinning {
    use std::cell::Cell;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rustix::thread::CpuSet;
    use tokio::runtime::Builder;

    thread_local! {
        /// Whether this thread has taken its core (or found it could not).
        static PLACED: Cell<bool> = const { Cell::new(false) };
    }

    /// Where the `workers` can have one core each, of all the cores this
    /// process may run on, the cores in the order the workers take them.
    pub(super) fn cores_for(workers: usize, allowed: &[usize]) -> Option<Vec<usize>> {
        (workers > 1 && workers == allowed.len()).then(|| allowed.to_vec())
    }

    /// The cores in `set`.
    pub(super) fn cores_in(set: &CpuSet) -> Vec<usize> {
        (0..CpuSet::MAX_CPU).filter(|&core| set.is_set(core)).collect()
    }

    /// Makes each worker take a core of its own when it first parks, which
    /// it does as soon as it starts, with nothing to do yet. The park hook
    /// runs on the scheduler's workers only. A new thread inherits the cores
    /// of the thread that starts it, so the blocking pool's threads, often
    /// started by a worker, first take back every core the process may use.
    /// Returns the count of workers placed so far, `None` when not pinning.
    pub(super) fn install(builder: &mut Builder, workers: usize) -> Option<Arc<AtomicUsize>> {
        let allowed = match rustix::thread::sched_getaffinity(None) {
            Ok(allowed) => allowed,
            Err(error) => {
                tracing::warn!(%error, "async workers: not kept on cores of their own, the cores allowed are unknown");
                return None;
            }
        };
        let Some(cores) = cores_for(workers, &cores_in(&allowed)) else {
            tracing::info!(
                workers,
                cores = cores_in(&allowed).len(),
                "async workers: not kept on cores of their own, they are not one per core this process may use"
            );
            return None;
        };
        tracing::info!(workers, ?cores, "async workers: each kept on a core of its own");
        builder.on_thread_start(move || {
            if let Err(error) = rustix::thread::sched_setaffinity(None, &allowed) {
                tracing::warn!(%error, "a new runtime thread cannot take back every core; it keeps its starter's");
            }
        });
        let (next, placed) = (AtomicUsize::new(0), Arc::new(AtomicUsize::new(0)));
        let counted = placed.clone();
        builder.on_thread_park(move || {
            if PLACED.get() {
                return;
            }
            PLACED.set(true);
            // Workers only: a thread that took over a worker's place (tokio
            // does, around `block_in_place`) past the first ones stays free.
            let Some(&core) = cores.get(next.fetch_add(1, Ordering::Relaxed)) else { return };
            let mut only = CpuSet::new();
            only.set(core);
            if let Err(error) = rustix::thread::sched_setaffinity(None, &only) {
                tracing::warn!(%error, core, "an async worker cannot stay on its core; it runs anywhere");
            }
            counted.fetch_add(1, Ordering::Release);
        });
        Some(placed)
    }
}

#[cfg(not(target_os = "linux"))]
mod pinning {
    pub(super) fn install(
        _builder: &mut tokio::runtime::Builder,
        _workers: usize,
    ) -> Option<std::sync::Arc<std::sync::atomic::AtomicUsize>> {
        None
    }
}

#[cfg(test)]
#[cfg(target_os = "linux")]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn workers_take_a_core_each_only_when_they_are_one_per_core() {
        assert_eq!(pinning::cores_for(2, &[0, 1]), Some(vec![0, 1]));
        assert_eq!(pinning::cores_for(3, &[2, 5, 7]), Some(vec![2, 5, 7]));
        // A quota below the cores: fewer workers than cores.
        assert_eq!(pinning::cores_for(2, &[0, 1, 2, 3]), None);
        assert_eq!(pinning::cores_for(4, &[0, 1]), None);
        // One worker on one core: already where it can only be.
        assert_eq!(pinning::cores_for(1, &[3]), None);
        assert_eq!(pinning::cores_for(0, &[]), None);
    }

    fn allowed() -> Vec<usize> {
        pinning::cores_in(&rustix::thread::sched_getaffinity(None).unwrap())
    }

    /// A runtime as [`build`] makes it, once its workers have taken their cores.
    fn built(pin_workers: bool) -> Runtime {
        let (runtime, placed) = build_counting_placed(pin_workers).unwrap();
        if let Some(placed) = placed {
            // Each worker parks as soon as it starts with nothing to do.
            let deadline = Instant::now() + Duration::from_secs(10);
            while placed.load(Ordering::Acquire) < runtime.metrics().num_workers() {
                assert!(Instant::now() < deadline, "the workers never parked");
                std::thread::yield_now();
            }
        }
        runtime
    }

    /// The cores each of the runtime's workers may run on, once they have
    /// all taken theirs, as each sees it from a task it runs; and those a
    /// thread of the blocking pool may run on, started by a worker.
    fn cores_seen(pin_workers: bool) -> (Vec<Vec<usize>>, Vec<usize>) {
        let runtime = built(pin_workers);
        let workers = runtime.metrics().num_workers();
        runtime.block_on(async {
            // Each task holds its worker until all have started, so every
            // worker runs one of them at the same time.
            let barrier = Arc::new(std::sync::Barrier::new(workers));
            let tasks: Vec<_> = (0..workers)
                .map(|_| {
                    let barrier = barrier.clone();
                    tokio::spawn(async move {
                        barrier.wait();
                        let blocking = tokio::task::spawn_blocking(allowed);
                        (allowed(), blocking)
                    })
                })
                .collect();
            let (mut seen, mut blocking_seen) = (Vec::new(), BTreeSet::new());
            for task in tasks {
                let (cores, blocking) = task.await.unwrap();
                seen.push(cores);
                blocking_seen.insert(blocking.await.unwrap());
            }
            seen.sort();
            assert_eq!(blocking_seen.len(), 1, "every blocking thread may run on the same cores");
            (seen, blocking_seen.into_iter().next().unwrap())
        })
    }

    #[test]
    fn pinned_workers_run_on_a_core_each_and_blocking_threads_anywhere() {
        let cores = allowed();
        let workers = std::thread::available_parallelism().unwrap().get();
        let (seen, blocking) = cores_seen(true);
        if pinning::cores_for(workers, &cores).is_some() {
            let each: Vec<Vec<usize>> = cores.iter().map(|&core| vec![core]).collect();
            assert_eq!(seen, each, "each worker on a core of its own");
        } else {
            // Here (one core, or a quota) the workers are not pinned.
            assert_eq!(seen, vec![cores.clone(); workers]);
        }
        assert_eq!(blocking, cores, "the blocking pool's threads run anywhere");
        let (seen, blocking) = cores_seen(false);
        assert_eq!(seen, vec![cores.clone(); workers], "unpinned workers run anywhere");
        assert_eq!(blocking, cores);
    }

    /// The cores each thread of this process whose name starts with
    /// `prefix` may run on.
    fn cores_of_threads(prefix: &str) -> Vec<Vec<usize>> {
        let mut found = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let path = task.unwrap().path();
            let (Ok(name), Ok(status)) =
                (std::fs::read_to_string(path.join("comm")), std::fs::read_to_string(path.join("status")))
            else {
                continue; // ended meanwhile
            };
            if !name.starts_with(prefix) {
                continue;
            }
            let list = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:")).unwrap().trim();
            let mut cores = Vec::new();
            for range in list.split(',') {
                let (from, to) = range.split_once('-').unwrap_or((range, range));
                cores.extend(from.parse::<usize>().unwrap()..=to.parse::<usize>().unwrap());
            }
            found.push(cores);
        }
        found
    }

    /// A SQLite connection opened by a pinned worker, as a reader is when
    /// first needed, runs on a thread that may use every core.
    #[test]
    fn sqlite_connections_opened_by_a_pinned_worker_run_anywhere() {
        let cores = allowed();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}?mode=rwc", dir.path().join("pinned.db").display());
        let runtime = built(true);
        let opened = runtime.block_on(async move {
            tokio::spawn(async move {
                let options = sanus_core::store::StoreOptions {
                    url,
                    max_connections: 2,
                    connect_timeout: Duration::from_secs(5),
                };
                let store = sanus_core::store::Store::connect(&options).await.unwrap();
                sqlx::query("SELECT 1").execute(store.reads()).await.unwrap();
                // The worker that ran this task: kept on one core when pinned.
                (store, allowed())
            })
            .await
            .unwrap()
        });
        let (store, worker_cores) = opened;
        if pinning::cores_for(std::thread::available_parallelism().unwrap().get(), &cores).is_some() {
            assert_eq!(worker_cores.len(), 1, "the task ran on a pinned worker");
        }
        let threads = cores_of_threads("sqlx-sqlite");
        assert!(threads.len() >= 2, "at least the writer's and a reader's threads: {threads:?}");
        for thread in threads {
            assert_eq!(thread, cores, "a connection's thread may run on every core");
        }
        runtime.block_on(store.close());
    }
}
