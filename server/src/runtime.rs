//! The async runtime: tokio's multi-threaded scheduler with one worker per
//! core the process may use, each worker kept on a core of its own while
//! the password checks fill every core ([`server.pin_workers`](crate::config::ServerSettings)).
//!
//! Why: during a burst of password sign-ins the hashing threads
//! ([`crate::passwords`]) fill every core at `SCHED_IDLE`. `perf sched`
//! showed the token endpoint's waits over 0.3 ms then spent mostly queued
//! behind the *other* worker on the same core, while the second core ran
//! only a hash that any wake-up could have preempted: Linux's wake-up path
//! places a woken thread near its waker and stops looking for an idle core
//! early when every core looks busy, and a core running a hash does. A
//! worker kept on a core of its own never queues behind the other worker.
//!
//! Only then: kept on their cores all the time, the workers cost more CPU
//! per request under load, where the kernel would otherwise run a worker
//! beside the thread that woke it, its caches warm. Measured with
//! `sanus-bench` on two cores: see `docs/operations.md`, "Capacity".
//!
//! Not where a CPU quota (a container's limit) leaves fewer workers than
//! cores: pinned, the workers could not move away from cores that other
//! processes keep busy, while the quota, not the cores, bounds them.

use std::io;
use std::sync::{Arc, OnceLock};

use tokio::runtime::{Builder, Runtime};

pub use pinning::WorkerCores;

/// The binary's workers, once [`build`] made them.
static WORKER_CORES: OnceLock<Arc<WorkerCores>> = OnceLock::new();

/// The runtime the `sanus` binary runs on. `pin_workers`: its workers may
/// be kept on a core each ([`keep_workers_on_cores`]) where they are as
/// many as the cores this process may run on (Linux; elsewhere a no-op).
/// Says in the log which it is.
pub fn build(pin_workers: bool) -> io::Result<Runtime> {
    let (runtime, cores) = build_with(pin_workers)?;
    if let Some(cores) = cores {
        let _ = WORKER_CORES.set(cores);
    }
    Ok(runtime)
}

/// Keeps each worker of the runtime [`build`] made on a core of its own
/// (`true`), or lets them run on any core again (`false`), if `still`
/// holds when it is done (see [`WorkerCores::keep`]). Nothing where they
/// may not be kept, or in a process that runs on another runtime (the
/// tests).
pub fn keep_workers_on_cores(keep: bool, still: &dyn Fn() -> bool) {
    if let Some(cores) = WORKER_CORES.get() {
        cores.keep(keep, still);
    }
}

/// As [`build`], with the handle that keeps the workers on their cores
/// (`None`: they may not be kept).
fn build_with(pin_workers: bool) -> io::Result<(Runtime, Option<Arc<WorkerCores>>)> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(workers).enable_all();
    let cores = if pin_workers {
        pinning::install(&mut builder, workers)
    } else {
        tracing::info!(workers, "async workers: never kept on cores of their own (server.pin_workers = false)");
        None
    };
    Ok((builder.build()?, cores))
}

/// The cores in `set`: those a thread may run on, as
/// `sched_getaffinity` gives them.
#[cfg(target_os = "linux")]
pub(crate) fn cores_in(set: &rustix::thread::CpuSet) -> Vec<usize> {
    (0..rustix::thread::CpuSet::MAX_CPU).filter(|&core| set.is_set(core)).collect()
}

#[cfg(target_os = "linux")]
mod pinning {
    use std::cell::Cell;
    use std::sync::{Arc, Mutex, PoisonError};

    use rustix::process::Pid;
    use rustix::thread::CpuSet;
    use tokio::runtime::Builder;

    thread_local! {
        /// Whether this thread has made itself known as a worker.
        static KNOWN: Cell<bool> = const { Cell::new(false) };
    }

    use super::cores_in;

    /// Whether `workers` can have a core each of the `cores` this process
    /// may run on, and are more than one.
    pub(super) fn one_per_core(workers: usize, cores: usize) -> bool {
        workers > 1 && workers == cores
    }

    /// A runtime's workers and the core each may be kept on.
    pub struct WorkerCores {
        /// Every core the process could run on at start-up, should the
        /// process's cores be unknown later.
        allowed: CpuSet,
        /// The workers' cores, in the order they make themselves known.
        cores: Vec<usize>,
        state: Mutex<State>,
    }

    #[derive(Default)]
    struct State {
        /// The workers known so far (thread ids) and their cores.
        workers: Vec<(Pid, usize)>,
        kept: bool,
    }

    impl WorkerCores {
        fn state(&self) -> std::sync::MutexGuard<'_, State> {
            self.state.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// The calling thread is a worker: it takes a core no other known
        /// worker has, kept there at once should the workers be kept now.
        fn know_this_worker(&self) {
            let mut state = self.state();
            let taken = |core: &usize| state.workers.iter().any(|(_, theirs)| theirs == core);
            let Some(&core) = self.cores.iter().find(|core| !taken(core)) else {
                // A thread that took over a worker's place (tokio does,
                // around `block_in_place`, which Sanus does not use) while
                // the first ones live stays free.
                return;
            };
            let worker = rustix::thread::gettid();
            state.workers.push((worker, core));
            if state.kept {
                self.set(worker, Some(core));
            }
        }

        /// A worker's thread ends: its id is no longer its.
        fn forget_this_worker(&self) {
            let worker = rustix::thread::gettid();
            self.state().workers.retain(|(known, _)| *known != worker);
        }

        /// Keeps each known worker on its core, or lets them all run
        /// anywhere; nothing when that is so already, or when `still`
        /// (asked while no other change can be made) says the reason has
        /// passed: a decision taken just before another one must not undo it.
        pub fn keep(&self, keep: bool, still: &dyn Fn() -> bool) {
            let mut state = self.state();
            if state.kept == keep || !still() {
                return;
            }
            state.kept = keep;
            for &(worker, core) in &state.workers {
                self.set(worker, keep.then_some(core));
            }
        }

        /// Lets `worker` run on `core` only, or anywhere (`None`).
        fn set(&self, worker: Pid, core: Option<usize>) {
            let cores = match core {
                Some(core) => {
                    let mut only = CpuSet::new();
                    only.set(core);
                    only
                }
                None => process_cores(&self.allowed),
            };
            if let Err(error) = rustix::thread::sched_setaffinity(Some(worker), &cores) {
                tracing::warn!(%error, ?core, "cannot change the cores an async worker runs on");
            }
        }

        /// Workers known so far.
        #[cfg(test)]
        pub(super) fn known(&self) -> usize {
            self.state().workers.len()
        }
    }

    /// The cores the process may run on now (those of its main thread,
    /// never kept on one): they may have changed since start-up
    /// (`taskset -p`). `fallback` when they cannot be read.
    fn process_cores(fallback: &CpuSet) -> CpuSet {
        rustix::thread::sched_getaffinity(Some(rustix::process::getpid())).unwrap_or(*fallback)
    }

    /// Makes each worker known when it first parks, which it does as soon
    /// as it starts, with nothing to do yet. The park hook runs on the
    /// scheduler's workers only. A new thread inherits the cores of the
    /// thread that starts it, so the blocking pool's threads, often started
    /// by a worker, first take back every core the process may use.
    pub(super) fn install(builder: &mut Builder, workers: usize) -> Option<Arc<WorkerCores>> {
        let allowed = match rustix::thread::sched_getaffinity(None) {
            Ok(allowed) => allowed,
            Err(error) => {
                tracing::warn!(%error, "async workers: never kept on cores of their own, the cores allowed are unknown");
                return None;
            }
        };
        let cores = cores_in(&allowed);
        if !one_per_core(workers, cores.len()) {
            tracing::info!(
                workers,
                cores = cores.len(),
                "async workers: never kept on cores of their own, they are kept only as one per core on several cores"
            );
            return None;
        }
        tracing::info!(
            workers,
            ?cores,
            "async workers: each kept on a core of its own while password checks fill them"
        );
        let worker_cores = Arc::new(WorkerCores { allowed, cores, state: Mutex::default() });
        builder.on_thread_start(move || {
            if let Err(error) = rustix::thread::sched_setaffinity(None, &process_cores(&allowed)) {
                tracing::warn!(%error, "a new runtime thread cannot take back every core; it keeps its starter's");
            }
        });
        let known = worker_cores.clone();
        builder.on_thread_park(move || {
            if !KNOWN.get() {
                KNOWN.set(true);
                known.know_this_worker();
            }
        });
        let ending = worker_cores.clone();
        builder.on_thread_stop(move || {
            if KNOWN.get() {
                ending.forget_this_worker();
            }
        });
        Some(worker_cores)
    }
}

#[cfg(not(target_os = "linux"))]
mod pinning {
    /// Elsewhere than on Linux the workers are never kept on cores.
    pub struct WorkerCores;

    impl WorkerCores {
        pub fn keep(&self, _keep: bool, _still: &dyn Fn() -> bool) {}
    }

    pub(super) fn install(
        _builder: &mut tokio::runtime::Builder,
        _workers: usize,
    ) -> Option<std::sync::Arc<WorkerCores>> {
        None
    }
}

#[cfg(test)]
#[cfg(target_os = "linux")]
mod tests {
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn workers_take_a_core_each_only_when_they_are_one_per_core() {
        assert!(pinning::one_per_core(2, 2));
        assert!(pinning::one_per_core(3, 3));
        // A quota below the cores: fewer workers than cores.
        assert!(!pinning::one_per_core(2, 4));
        assert!(!pinning::one_per_core(4, 2));
        // One worker on one core: already where it can only be.
        assert!(!pinning::one_per_core(1, 1));
        assert!(!pinning::one_per_core(0, 0));
    }

    fn allowed() -> Vec<usize> {
        cores_in(&rustix::thread::sched_getaffinity(None).unwrap())
    }

    /// A runtime as [`build`] makes it, once its workers are known.
    fn built(pin_workers: bool) -> (Runtime, Option<Arc<WorkerCores>>) {
        let (runtime, cores) = build_with(pin_workers).unwrap();
        if let Some(cores) = &cores {
            // Each worker parks as soon as it starts with nothing to do.
            let deadline = Instant::now() + Duration::from_secs(10);
            while cores.known() < runtime.metrics().num_workers() {
                assert!(Instant::now() < deadline, "the workers never parked");
                std::thread::yield_now();
            }
        }
        (runtime, cores)
    }

    /// The cores each of the runtime's workers may run on, as each sees it
    /// from a task it runs; and those a thread of the blocking pool may
    /// run on, started by a worker.
    fn cores_seen(runtime: &Runtime) -> (Vec<Vec<usize>>, Vec<usize>) {
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
    fn workers_are_kept_on_a_core_each_only_while_asked_and_blocking_threads_run_anywhere() {
        let cores = allowed();
        let workers = std::thread::available_parallelism().unwrap().get();
        let anywhere = vec![cores.clone(); workers];
        let (runtime, worker_cores) = built(true);
        assert_eq!(cores_seen(&runtime), (anywhere.clone(), cores.clone()), "not kept until asked");
        let Some(worker_cores) = worker_cores else {
            // Here (one core, or a quota) the workers are never kept.
            assert!(!pinning::one_per_core(workers, cores.len()));
            return;
        };
        worker_cores.keep(true, &|| false);
        assert_eq!(cores_seen(&runtime).0, anywhere, "not when the reason has passed");
        worker_cores.keep(true, &|| true);
        worker_cores.keep(true, &|| true);
        let each: Vec<Vec<usize>> = cores.iter().map(|&core| vec![core]).collect();
        assert_eq!(cores_seen(&runtime), (each, cores.clone()), "each on its own; blocking threads anywhere");
        worker_cores.keep(false, &|| true);
        assert_eq!(cores_seen(&runtime), (anywhere.clone(), cores.clone()), "free again");
        drop(runtime);
        assert_eq!(worker_cores.known(), 0, "ended workers are forgotten: their thread ids may be reused");
        let (runtime, none) = built(false);
        assert!(none.is_none());
        assert_eq!(cores_seen(&runtime), (anywhere, cores));
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
        let (runtime, worker_cores) = built(true);
        if let Some(worker_cores) = &worker_cores {
            worker_cores.keep(true, &|| true);
        }
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
        let (store, task_cores) = opened;
        if worker_cores.is_some() {
            assert_eq!(task_cores.len(), 1, "the task ran on a pinned worker");
        }
        let threads = cores_of_threads("sqlx-sqlite");
        assert!(threads.len() >= 2, "at least the writer's and a reader's threads: {threads:?}");
        for thread in threads {
            assert_eq!(thread, cores, "a connection's thread may run on every core");
        }
        runtime.block_on(store.close());
    }
}
