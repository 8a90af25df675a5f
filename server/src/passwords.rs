//! Password checks on a small pool of dedicated threads. argon2id needs
//! 19 MiB per hash: on tokio's blocking pool (hundreds of threads) every
//! thread's allocator arena would keep its own 19 MiB, and a sign-in storm
//! could take every core from the token endpoint. Here a fixed number of
//! threads (one per core) take jobs from a bounded queue, so memory stays
//! bounded and sign-ins wait their turn; past the queue they are refused
//! (not checked: the person is asked to try again, nothing counts against
//! the account).
//! The threads run at a lower scheduling priority (`SCHED_IDLE`, or `nice`):
//! a sign-in storm takes the cores the requests leave idle, and a token
//! request that arrives meanwhile runs at once instead of waiting for a hash
//! to finish. While every hashing thread works, a ticker on each core (see
//! [`Tickers`]) makes sure "at once" holds on Linux's scheduler too.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::oneshot;

use crate::metrics::PasswordPoolStats;

type Job = Box<dyn FnOnce() + Send>;

pub struct PasswordPool {
    jobs: SyncSender<Job>,
    /// Set while [`saturate`](Self::saturate)'s guard lives.
    saturated: Arc<AtomicBool>,
    /// The checks at work, counted in `stats.running`, as the tickers see them.
    work: Arc<Work>,
    /// The tickers, where the hashing threads can fill every core (Linux).
    #[cfg_attr(not(test), expect(dead_code, reason = "held for its drop, which ends the tickers"))]
    tickers: Option<Tickers>,
    /// Queued, running and refused checks, for `/metrics`.
    pub stats: PasswordPoolStats,
}

impl PasswordPool {
    /// `threads` workers; at most `queue` sign-ins wait, more are refused
    /// rather than queued without bound.
    pub fn new(threads: usize, queue: usize) -> Self {
        Self::with_kernel_tick(threads, queue, kernel_tick())
    }

    /// As [`new`](Self::new), on a kernel whose scheduler ticks every
    /// `kernel_tick`.
    fn with_kernel_tick(threads: usize, queue: usize, kernel_tick: Duration) -> Self {
        let (jobs, receiver) = sync_channel::<Job>(queue.max(1));
        let receiver: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(receiver));
        let stats = PasswordPoolStats::default();
        let work = Arc::new(Work { running: stats.running.clone(), ..Work::default() });
        let mut started = 0;
        for index in 0..threads.max(1) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new().name(format!("sanus-argon2-{index}")).spawn(move || {
                lower_priority();
                loop {
                    let job = receiver.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = job else { break };
                    job();
                }
            });
            match spawned {
                Ok(_) => started += 1,
                Err(error) => tracing::error!(%error, "cannot start a password thread"),
            }
        }
        let cores = cores_to_fill(started);
        if let Some(cores) = &cores {
            work.fill_every_core.store(cores.len(), Ordering::Release);
        }
        let tickers = cores.and_then(|cores| Tickers::start(work.clone(), cores, kernel_tick));
        Self { jobs, saturated: Arc::default(), work, tickers, stats }
    }

    /// One worker per core.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(cores, 256)
    }

    /// Whether `password` matches `stored` (`None`: same work, `false`);
    /// `None` when it could not be checked now (too many checks at once,
    /// or the check failed): that is not the person's mistake.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Option<bool> {
        self.run(move || sanus_core::password::verify_password(&password, stored.as_deref())).await
    }

    /// An argon2id hash of a new password; `None` when the pool is full or
    /// hashing failed.
    pub async fn hash(&self, password: String) -> Option<String> {
        self.run(move || sanus_core::password::hash_password(&password).ok()).await.flatten()
    }

    /// Refuses every check, as when the queue is full, until the guard is
    /// dropped: for tests (and drills) of what people are told then.
    pub fn saturate(&self) -> Saturated {
        self.saturated.store(true, Ordering::Release);
        Saturated(self.saturated.clone())
    }

    /// Runs `work` on a pool thread; `None` when the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        if self.saturated.load(Ordering::Acquire) {
            self.stats.refused.inc();
            tracing::warn!("the password pool is saturated on purpose: a check was refused");
            return None;
        }
        let (reply, answer) = oneshot::channel();
        let (queued, at_work) = (self.stats.queued.clone(), self.work.clone());
        let job: Job = Box::new(move || {
            queued.dec();
            let running = at_work.running();
            // A check that panics must not take its thread along (the pool
            // would shrink for good): its caller gets no answer, as when the
            // queue is full (the person is asked to try again).
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // Counted out before the answer, so that whoever awaits it sees the pool idle.
            drop(running);
            match result {
                Ok(result) => {
                    let _ = reply.send(result);
                }
                Err(_) => tracing::error!("a password check panicked"),
            }
        });
        self.stats.queued.inc();
        match self.jobs.try_send(job) {
            Ok(()) => answer.await.ok(),
            Err(TrySendError::Full(_)) => {
                self.stats.queued.dec();
                self.stats.refused.inc();
                tracing::warn!("too many password checks at once: one was refused");
                None
            }
            Err(TrySendError::Disconnected(_)) => {
                self.stats.queued.dec();
                None
            }
        }
    }
}

/// The pool refusing every check ([`PasswordPool::saturate`]) until dropped.
pub struct Saturated(Arc<AtomicBool>);

impl Drop for Saturated {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// How often the tickers wake: a request's thread waits at most about this
/// long for a core that a hash holds, as on a kernel built with `HZ=1000`.
#[cfg(target_os = "linux")]
const TICK: Duration = Duration::from_millis(1);

/// One thread per core, pinned to it, at the requests' priority, that wakes
/// up every [`TICK`] while the hashing threads fill every core, and does
/// nothing else.
///
/// Why: Linux's scheduler (EEVDF) preempts a SCHED_IDLE hash when a
/// request's thread wakes up on its core, but only in favour of a thread
/// that is *eligible* (not ahead of its fair share). A request's thread that
/// woke while another normal thread ran there, or woke still ahead of its
/// share, is passed over for the hash when the core is next given out, and
/// nothing is decided again on that core until the next timer tick: 4 ms at
/// `HZ=250`, Debian's default. `perf sched` showed tokio's workers waiting
/// up to 4 ms that way during a sign-in storm, several times a second. A
/// ticker's wake-up on the core makes the scheduler choose again, with the
/// hash's time accounted (a SCHED_IDLE thread's virtual time runs about 340
/// times faster than a normal one's), so the waiting thread runs within a
/// [`TICK`].
///
/// Only while the hashing threads fill every core: with one idle, a core is
/// free of hashes and the requests' threads have it. Not at all where the
/// hashing threads cannot fill every core the server may run on (a CPU
/// quota, as in a container, sizes the pool below the cores the process may
/// use), or where the kernel's own tick is as short as [`TICK`].
///
/// The price, measured on two cores (`sanus-bench --only password`, ten
/// runs of 1,000 sign-ins with tickers and ten without, alternated): a
/// wake-up costs about 15 µs of CPU on that (virtual) machine, 0.3 ms per
/// sign-in in all, and the hashes took 13.6–14.0 ms per sign-in against
/// 13.0–13.4 ms: about 0.8 ms (6 %) more CPU per sign-in, at the same
/// 104–112 sign-ins per second. The token endpoint's p99 during the
/// sign-ins (0.76–1.01 ms with tickers, 0.73–2.02 ms without) was 1.2–1.9×
/// its unloaded value with them and 1.4–3.7× without. `perf sched` counted
/// waits of the requests' threads over 1.5 ms falling from 44 to 6 in 8 s;
/// some of those left waited behind the kernel's own threads. A 500 µs tick
/// cost the hashes another 3–4 % for no better p99.
// Elsewhere than on Linux never started, so parts are never used.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Tickers {
    work: Arc<Work>,
    handles: Vec<std::thread::JoinHandle<()>>,
}

/// The hashing threads' work, as the tickers see it.
#[derive(Default)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Work {
    /// Checks at work: the pool's `running` gauge in `/metrics`.
    running: Gauge,
    /// How many of them at work fill every core: from there on the
    /// tickers tick, and the async workers are kept on a core each until
    /// no check is at work (0: the hashing threads cannot fill every core).
    fill_every_core: AtomicUsize,
    /// Set when the pool is dropped: the tickers end.
    stopped: AtomicBool,
    /// The tickers, to wake when the hashing threads come to fill every core.
    tickers: OnceLock<Vec<std::thread::Thread>>,
    /// Wake-ups.
    #[cfg(test)]
    ticks: std::sync::atomic::AtomicU64,
    /// Tickers waiting for the hashing threads to fill every core.
    #[cfg(test)]
    parked: AtomicUsize,
    /// The cores the ticks ran on.
    #[cfg(test)]
    cores_ticked: Mutex<std::collections::BTreeSet<usize>>,
    /// Whether the async workers were to be kept on their cores, each time it changed.
    #[cfg(test)]
    kept: Mutex<Vec<bool>>,
}

impl Work {
    #[cfg(target_os = "linux")]
    fn every_core_hashing(&self) -> bool {
        let fill = self.fill_every_core.load(Ordering::Acquire);
        fill > 0 && usize::try_from(self.running.get()).is_ok_and(|running| running >= fill)
    }

    /// Counts a check at work until the guard drops.
    ///
    /// When the checks come to fill every core, the async workers are kept
    /// on a core each ([`crate::runtime::keep_workers_on_cores`]), and let go
    /// only once no check is at work: between two checks of a burst one
    /// core is free for a moment, too short to let them go and take them
    /// back each time.
    fn running(&self) -> Running<'_> {
        let now = self.running.inc() + 1;
        let fill = self.fill_every_core.load(Ordering::Acquire);
        if usize::try_from(now) == Ok(fill) {
            for ticker in self.tickers.get().into_iter().flatten() {
                ticker.unpark();
            }
            self.keep_workers_on_cores(true, &|| usize::try_from(self.running.get()).is_ok_and(|now| now >= fill));
        }
        Running(self)
    }

    /// `still`: checked where no other decision can come between, as a
    /// hashing thread (at the lowest priority) may be held up between its
    /// count and its call while another thread counts and calls.
    fn keep_workers_on_cores(&self, keep: bool, still: &dyn Fn() -> bool) {
        #[cfg(test)]
        self.kept.lock().unwrap_or_else(PoisonError::into_inner).push(keep);
        crate::runtime::keep_workers_on_cores(keep, still);
    }
}

struct Running<'a>(&'a Work);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        // The count before: 1 when this was the last check at work.
        if self.0.running.dec() == 1 && self.0.fill_every_core.load(Ordering::Acquire) > 0 {
            self.0.keep_workers_on_cores(false, &|| self.0.running.get() == 0);
        }
    }
}

/// Every core this process may run on, where `threads` hashing threads
/// can fill them all (Linux); `None` where a core stays free of hashes.
/// Says in the log when it is so.
#[cfg(target_os = "linux")]
fn cores_to_fill(threads: usize) -> Option<Vec<usize>> {
    let allowed = match rustix::thread::sched_getaffinity(None) {
        Ok(allowed) => allowed,
        Err(error) => {
            tracing::warn!(%error, "password threads: no tickers, the cores allowed are unknown");
            return None;
        }
    };
    let cores = crate::runtime::cores_in(&allowed);
    if cores.is_empty() || threads < cores.len() {
        // A CPU quota (a container's limit) sizes the pool below the cores it may use.
        tracing::info!(threads, cores = cores.len(), "password threads: no tickers, a core stays free of hashes");
        return None;
    }
    Some(cores)
}

#[cfg(not(target_os = "linux"))]
fn cores_to_fill(_threads: usize) -> Option<Vec<usize>> {
    None
}

impl Tickers {
    /// A ticker on each of `cores`, which the hashing threads can fill,
    /// where the kernel's tick (`tick`) is longer than [`TICK`]. Must be
    /// called from a thread at the requests' priority, which the tickers
    /// inherit. Says in the log which it is.
    #[cfg(target_os = "linux")]
    fn start(work: Arc<Work>, cores: Vec<usize>, tick: Duration) -> Option<Self> {
        if tick <= TICK {
            tracing::info!(?tick, "password threads: no tickers, the kernel's own tick is short enough");
            return None;
        }
        let mut handles = Vec::new();
        for core in cores {
            let work = work.clone();
            let spawned = std::thread::Builder::new().name(format!("sanus-tick-{core}")).spawn(move || {
                let mut only = rustix::thread::CpuSet::new();
                only.set(core);
                match rustix::thread::sched_setaffinity(None, &only) {
                    Ok(()) => tick_while_every_core_hashes(&work),
                    // Elsewhere its wake-ups would not help the core they are for.
                    Err(error) => tracing::warn!(%error, core, "a password ticker cannot stay on its core; it ends"),
                }
            });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(error) => tracing::warn!(%error, "cannot start a password ticker"),
            }
        }
        let _ = work.tickers.set(handles.iter().map(|handle| handle.thread().clone()).collect());
        tracing::info!(tickers = handles.len(), "password threads: a ticker on every core while they all hash");
        Some(Self { work, handles })
    }

    #[cfg(not(target_os = "linux"))]
    fn start(_work: Arc<Work>, _cores: Vec<usize>, _tick: Duration) -> Option<Self> {
        None
    }
}

/// A ticker's life: a wake-up every [`TICK`] while the hashing threads fill
/// every core, parked otherwise, until the pool is dropped.
#[cfg(target_os = "linux")]
fn tick_while_every_core_hashes(work: &Work) {
    while !work.stopped.load(Ordering::Acquire) {
        if work.every_core_hashing() {
            std::thread::sleep(TICK);
            #[cfg(test)]
            {
                work.cores_ticked.lock().unwrap_or_else(PoisonError::into_inner).insert(rustix::thread::sched_getcpu());
                work.ticks.fetch_add(1, Ordering::Release);
            }
        } else {
            #[cfg(test)]
            work.parked.fetch_add(1, Ordering::AcqRel);
            // Woken by the hashing thread that fills the last core, or by
            // the pool's drop; a spurious return only loops.
            std::thread::park();
            #[cfg(test)]
            work.parked.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Tickers {
    fn drop(&mut self) {
        self.work.stopped.store(true, Ordering::Release);
        for handle in self.handles.drain(..) {
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

/// The kernel's scheduler tick, the resolution of its coarse clock (Linux;
/// elsewhere the tickers are not started).
fn kernel_tick() -> Duration {
    #[cfg(target_os = "linux")]
    {
        Duration::try_from(rustix::time::clock_getres(rustix::time::ClockId::MonotonicCoarse)).unwrap_or_default()
    }
    #[cfg(not(target_os = "linux"))]
    Duration::ZERO
}

/// How much lower than the requests' threads the hashing threads' `nice`
/// is (at most 19), where the kernel refuses SCHED_IDLE (see
/// [`lower_priority`]): nice 10 weighs about a tenth of nice 0 when both want
/// a core (Linux's weights 110 and 1024).
const PASSWORD_NICENESS: i32 = 10;

/// Lowers this thread's priority below the requests'. Linux's SCHED_IDLE
/// policy first: a thread that answers a request preempts a hashing thread
/// as soon as it wakes up. At any `nice` the kernel lets the running hash
/// finish its time slice first (measured: up to 4.7 ms, so the token
/// endpoint's p99 was 5–10× its unloaded value during a burst of
/// sign-ins; with SCHED_IDLE 1.3–6.8×, half the runs within 2×, at about
/// the same sign-ins per second; both with the bench's earlier single calm
/// phase, and before the tickers).
///
/// The price: while requests fill every core, sign-ins all but stop (a
/// SCHED_IDLE thread weighs 3 against a request's 1024) and queue, up to the
/// pool's limit. Neither change needs a privilege; where one fails,
/// hashing keeps the priority it has.
///
/// The tickers ([`Tickers`]) bound the waits that are left, where the
/// scheduler picks a hash over a waiting request's thread.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // Read first: the crate sets the policy and then tries nice 0, which
        // a thread started at a higher nice may not take back, so only the
        // policy is checked.
        let base = niceness();
        let _ = thread_priority::set_thread_priority_and_policy(
            thread_priority::thread_native_id(),
            thread_priority::ThreadPriority::Min,
            IDLE,
        );
        if !is_idle_policy() {
            tracing::warn!("cannot give the password threads the idle scheduling policy; lowering their nice value");
        }
        // Relative to the server's own niceness (a thread starts with its
        // parent's): under `nice 15`, requests at 15 and hashing at 19.
        // Under SCHED_IDLE, the fallback should the policy be reset.
        let lower = (base + PASSWORD_NICENESS).min(19);
        if let Err(error) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), lower) {
            tracing::warn!(%error, "cannot lower the password threads' priority");
        }
    }
}

#[cfg(target_os = "linux")]
const IDLE: thread_priority::ThreadSchedulePolicy =
    thread_priority::ThreadSchedulePolicy::Normal(thread_priority::NormalThreadSchedulePolicy::Idle);

/// Whether the calling thread runs under SCHED_IDLE (Linux).
#[cfg(target_os = "linux")]
fn is_idle_policy() -> bool {
    thread_priority::thread_schedule_policy().is_ok_and(|policy| policy == IDLE)
}

/// The calling thread's niceness (Linux; 0 when it cannot be read).
#[cfg(target_os = "linux")]
fn niceness() -> i32 {
    rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_on_the_pool() {
        let pool = PasswordPool::new(1, 4);
        let hash = sanus_core::password::hash_password("pool-password").unwrap();
        assert_eq!(pool.verify("pool-password".into(), Some(hash.clone())).await, Some(true));
        assert_eq!(pool.verify("wrong".into(), Some(hash)).await, Some(false));
        assert_eq!(pool.verify("anything".into(), None).await, Some(false));
        let new = pool.hash("a new pool password".into()).await.unwrap();
        assert_eq!(pool.verify("a new pool password".into(), Some(new)).await, Some(true));
        assert_eq!((pool.stats.queued.get(), pool.stats.running.get(), pool.stats.refused.get()), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_full_queue_refuses_checks_with_no_answer_either_way() {
        let pool = Arc::new(PasswordPool::new(1, 1));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let held = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(move || released.recv().is_ok()).await }
        });
        // The thread holds the first check (counted as running once it has it) ...
        while pool.stats.running.get() < 1 {
            tokio::task::yield_now().await;
        }
        // ... and the second waits in the queue's one place.
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.verify("anything".into(), None).await }
        });
        while pool.stats.queued.get() < 1 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.verify("anything".into(), None).await, None, "not checked: no answer either way");
        assert!(pool.hash("a new password".into()).await.is_none());
        assert_eq!(pool.stats.refused.get(), 2);
        release.send(()).unwrap();
        assert_eq!(held.await.unwrap(), Some(true));
        assert_eq!(queued.await.unwrap(), Some(false), "the one that waited is checked");
    }

    #[tokio::test]
    async fn a_saturated_pool_refuses_checks_until_it_is_let_go() {
        let pool = PasswordPool::new(1, 2);
        let saturated = pool.saturate();
        assert_eq!(pool.verify("anything".into(), None).await, None);
        assert_eq!(pool.stats.refused.get(), 1);
        drop(saturated);
        assert_eq!(pool.verify("anything".into(), None).await, Some(false));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_at_a_lower_priority_than_requests() {
        let pool = PasswordPool::new(1, 4);
        let own = niceness();
        let (idle, theirs) = pool.run(|| (is_idle_policy(), niceness())).await.unwrap();
        assert!(idle, "the pool thread runs under SCHED_IDLE");
        assert!(!is_idle_policy(), "requests keep the normal policy");
        assert_eq!(
            theirs,
            (own + PASSWORD_NICENESS).min(19),
            "the pool thread runs at nice {theirs}, requests at {own}"
        );
    }

    /// Waits until `done` holds, failing after 30 s rather than hanging.
    #[cfg(target_os = "linux")]
    fn wait_for(what: &str, done: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::yield_now();
        }
    }

    #[cfg(target_os = "linux")]
    fn all_cores() -> Vec<usize> {
        crate::runtime::cores_in(&rustix::thread::sched_getaffinity(None).unwrap())
    }

    /// The scheduler tick of a kernel built with `HZ=250`.
    #[cfg(target_os = "linux")]
    const HZ_250: Duration = Duration::from_millis(4);

    #[cfg(target_os = "linux")]
    #[test]
    fn tickers_wake_every_core_only_while_hashes_fill_every_core() {
        let all = all_cores();
        let cores = all.len();
        // As the pool sets it, where its threads can fill every core.
        let work = Arc::new(Work { fill_every_core: AtomicUsize::new(cores), ..Work::default() });
        let tickers = Tickers::start(work.clone(), all, HZ_250).expect("tickers where hashes can fill every core");
        assert_eq!(tickers.handles.len(), cores, "one ticker per core");
        wait_for("the tickers to park", || work.parked.load(Ordering::Acquire) == cores);

        let mut running: Vec<Running<'_>> = (1..cores).map(|_| work.running()).collect();
        running.push(work.running());
        wait_for("ticks on every core", || {
            work.ticks.load(Ordering::Acquire) >= 3 * cores as u64 && work.cores_ticked.lock().unwrap().len() == cores
        });

        assert_eq!(*work.kept.lock().unwrap(), [true], "the async workers kept on their cores");

        running.pop();
        wait_for("the tickers to park again", || work.parked.load(Ordering::Acquire) == cores);
        if cores > 1 {
            running.push(work.running());
            running.pop();
            assert_eq!(*work.kept.lock().unwrap(), [true, true], "kept while any check is at work");
        }
        drop(running);
        assert_eq!(work.kept.lock().unwrap().last(), Some(&false), "let go when none is");
        drop(tickers);
        assert_eq!(Arc::strong_count(&work), 1, "the tickers ended with the pool");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn no_tickers_where_a_core_stays_free_or_the_kernel_ticks_fast_enough() {
        let all = all_cores();
        let cores = all.len();
        assert_eq!(cores_to_fill(cores), Some(all.clone()));
        let start = |tick| Tickers::start(Arc::new(Work::default()), all.clone(), tick);
        assert!(start(Duration::from_millis(1)).is_none(), "HZ=1000: the kernel's own tick");
        assert!(start(HZ_250).is_some());
        // The pool counts how many checks fill every core with or without
        // tickers: the async workers are kept on their cores from there on.
        let fill = |pool: &PasswordPool| pool.work.fill_every_core.load(Ordering::Acquire);
        let pool = PasswordPool::with_kernel_tick(cores, 4, Duration::from_millis(1));
        assert!(pool.tickers.is_none());
        assert_eq!(fill(&pool), cores, "the async workers are still kept on their cores while hashes fill them");
        if cores > 1 {
            assert_eq!(cores_to_fill(cores - 1), None, "one core stays free of hashes");
            let pool = PasswordPool::with_kernel_tick(cores - 1, 4, HZ_250);
            assert!(pool.tickers.is_none());
            assert_eq!(fill(&pool), 0, "nor are the workers kept");
        }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_pool_tells_the_tickers_when_its_threads_work() {
        let pool = PasswordPool::with_kernel_tick(all_cores().len(), 4, HZ_250);
        let work = pool.tickers.as_ref().expect("tickers on an HZ=250 kernel").work.clone();
        let seen = work.clone();
        assert_eq!(pool.run(move || seen.running.get()).await, Some(1));
        assert_eq!(pool.stats.running.get(), 0, "counted out before the answer, in the gauge /metrics shows");
        assert_eq!(work.running.get(), 0);
    }

    #[tokio::test]
    async fn a_check_that_panics_fails_and_keeps_its_thread() {
        let pool = PasswordPool::new(1, 4);
        assert_eq!(pool.run(|| -> bool { panic!("a check that panics") }).await, None);
        assert_eq!(pool.run(|| true).await, Some(true), "the one thread still takes checks");
        assert_eq!((pool.stats.queued.get(), pool.stats.running.get()), (0, 0));
    }

    #[tokio::test]
    async fn a_full_queue_refuses_and_counts_it() {
        // One thread, held busy; one place in the queue, taken; the next is refused.
        let pool = PasswordPool::new(1, 1);
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel();
        let busy = pool.run(move || {
            let _ = started.send(());
            let _ = held.recv();
        });
        let (busy, (waiting, refused)) = tokio::join!(busy, async {
            let _ = running.await;
            // Polled first by the join, this takes the queue's one place.
            let waiting = pool.run(|| ());
            let refused = async {
                let refused = pool.run(|| ()).await;
                let stats = (pool.stats.queued.get(), pool.stats.running.get(), pool.stats.refused.get());
                let _ = release.send(());
                (refused, stats)
            };
            tokio::join!(waiting, refused)
        });
        assert_eq!((busy, waiting), (Some(()), Some(())));
        assert_eq!(refused, (None, (1, 1, 1)));
        assert_eq!((pool.stats.queued.get(), pool.stats.running.get()), (0, 0));
    }
}
