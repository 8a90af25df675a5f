//! Password checks on a small pool of dedicated threads. argon2id needs
//! 19 MiB per hash: on tokio's blocking pool (hundreds of threads) every
//! thread's allocator arena would keep its own 19 MiB, and a sign-in storm
//! could take every core from the token endpoint. Here a fixed number of
//! threads (one per core) take jobs from a bounded queue, so memory stays
//! bounded and sign-ins wait their turn; past the queue they are refused.
//! The threads run at a lower scheduling priority (`nice`): a sign-in storm
//! takes the cores the requests leave idle, and a token request that
//! arrives meanwhile runs at once instead of waiting for a hash to finish.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::metrics::PasswordPoolStats;

type Job = Box<dyn FnOnce() + Send>;

pub struct PasswordPool {
    jobs: SyncSender<Job>,
    /// Queued, running and refused checks, for `/metrics`.
    pub stats: PasswordPoolStats,
}

impl PasswordPool {
    /// `threads` workers; at most `queue` sign-ins wait, more are refused
    /// (answered as a failed check) rather than queued without bound.
    pub fn new(threads: usize, queue: usize) -> Self {
        let (jobs, receiver) = sync_channel::<Job>(queue.max(1));
        let receiver: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(receiver));
        for index in 0..threads.max(1) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new().name(format!("sanus-argon2-{index}")).spawn(move || {
                lower_priority();
                loop {
                    let job = receiver.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                }
            });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password thread");
            }
        }
        Self { jobs, stats: PasswordPoolStats::default() }
    }

    /// One worker per core.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(cores, 256)
    }

    /// Whether `password` matches `stored` (`None`: same work, `false`).
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let verified = self.run(move || sanus_core::password::verify_password(&password, stored.as_deref())).await;
        verified.unwrap_or(false)
    }

    /// An argon2id hash of a new password; `None` when the pool is full or
    /// hashing failed.
    pub async fn hash(&self, password: String) -> Option<String> {
        self.run(move || sanus_core::password::hash_password(&password).ok()).await.flatten()
    }

    /// Runs `work` on a pool thread; `None` when the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let (queued, running) = (self.stats.queued.clone(), self.stats.running.clone());
        let job: Job = Box::new(move || {
            queued.dec();
            running.inc();
            let result = work();
            // Counted out before the answer, so that whoever awaits it sees the pool idle.
            running.dec();
            let _ = reply.send(result);
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
/// the same sign-ins per second).
///
/// The price: while requests fill every core, sign-ins all but stop (a
/// SCHED_IDLE thread weighs 3 against a request's 1024) and queue, up to the
/// pool's limit. Neither change needs a privilege; where one fails,
/// hashing keeps the priority it has.
///
/// What is left of the tail: `perf sched` shows request threads still
/// waiting 2–4 ms behind a hash now and then. Linux's scheduler (EEVDF,
/// since 6.6) preempts a hash when a request's thread wakes up on its
/// core, but a thread that woke while another request's thread ran there may later
/// lose the core to the hash (whichever is behind in its share), and then
/// waits for the next timer tick (4 ms at HZ=250). A thread at normal
/// priority beside each hashing thread that woke every 250–500 µs forced
/// those choices sooner (p99 1.1–1.6× in runs of 1,000 sign-ins, against
/// 1.7–3.9×), but the preemptions cost the hashes about 9 % of their
/// speed, bringing sign-ins under 100/s on two cores; it was not kept.
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
        assert!(pool.verify("pool-password".into(), Some(hash.clone())).await);
        assert!(!pool.verify("wrong".into(), Some(hash)).await);
        assert!(!pool.verify("anything".into(), None).await);
        let new = pool.hash("a new pool password".into()).await.unwrap();
        assert!(pool.verify("a new pool password".into(), Some(new)).await);
        assert_eq!((pool.stats.queued.get(), pool.stats.running.get(), pool.stats.refused.get()), (0, 0, 0));
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
