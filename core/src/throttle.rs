//! Slowing down password guessing. Failed sign-ins are counted per account
//! (the e-mail address as typed, normalised, so that unknown accounts
//! behave exactly like real ones) and per client address. Past a few free
//! failures each further one doubles the wait before the next attempt, up
//! to a cap: an attacker can slow a real user down, never lock them out for
//! good. A success clears the account's count and takes that account's own
//! failures off the address's count: people behind one address (a
//! hospital's NAT) are forgiven their typos, but a success of one's own
//! account does not wipe the failures sprayed over others. Counts whose
//! last failure is over an hour old start again from zero. Keys are stored
//! as SHA-256 hashes.

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

/// When failures start to cost time, and how much at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures that cost nothing.
    pub free_failures: i64,
    /// The wait after the first failure past the free ones, in seconds;
    /// each further failure doubles it.
    pub first_delay_seconds: i64,
    pub max_delay_seconds: i64,
    /// A count whose last failure is older than this starts again.
    pub forget_after_seconds: i64,
}

/// Per account: five free tries, then 1 s, 2 s, 4 s … up to a minute.
pub const PER_ACCOUNT: Policy = Policy {
    free_failures: 5,
    first_delay_seconds: 1,
    max_delay_seconds: 60,
    forget_after_seconds: FORGET_AFTER_SECONDS,
};
/// Per client address (many people may share one): twenty free tries, then
/// 1 s, 2 s, 4 s … up to fifteen minutes.
pub const PER_ADDRESS: Policy = Policy {
    free_failures: 20,
    first_delay_seconds: 1,
    max_delay_seconds: 900,
    forget_after_seconds: FORGET_AFTER_SECONDS,
};
/// Registrations per client address: ten in a row, then the next waits
/// 1 min, the one after 2 min, 4 min … up to an hour.
pub const REGISTRATIONS_PER_ADDRESS: Policy = Policy {
    free_failures: 9,
    first_delay_seconds: 60,
    max_delay_seconds: 3600,
    forget_after_seconds: FORGET_AFTER_SECONDS,
};
/// Second-factor codes per account: five free, then 1 min, 2 min … up to an
/// hour, and the count is kept for a day. Only a right second factor clears
/// it (a right password does not), so a stolen password cannot be used to
/// guess codes: at most about 30 guesses a day.
pub const SECOND_FACTOR: Policy =
    Policy { free_failures: 5, first_delay_seconds: 60, max_delay_seconds: 3600, forget_after_seconds: 24 * 3600 };
/// Password-reset links asked for from one client address: twenty in a
/// row, then 1 min, 2 min … up to an hour, so that nobody mails every
/// account once a minute (each account has its own limits besides). Each
/// link used gives the network that asked for it one request back
/// (`give_back_reset_request`): whoever asks for other people's links never
/// receives them, while the people behind one NAT use theirs.
pub const RESET_REQUESTS_PER_ADDRESS: Policy = Policy {
    free_failures: 19,
    first_delay_seconds: 60,
    max_delay_seconds: 3600,
    forget_after_seconds: FORGET_AFTER_SECONDS,
};
/// Invitations a person sends: fifty in a row, then 1 min, 2 min … up to an
/// hour between them, the count kept for a day: nobody mails the world
/// through invitations.
pub const INVITATIONS_PER_INVITER: Policy =
    Policy { free_failures: 49, first_delay_seconds: 60, max_delay_seconds: 3600, forget_after_seconds: 24 * 3600 };
/// A count whose last failure is older than this starts again.
pub const FORGET_AFTER_SECONDS: i64 = 3600;

impl Policy {
    /// The wait after the `failures`-th failure in a row.
    pub fn delay_after(&self, failures: i64) -> i64 {
        let past_free = failures - self.free_failures;
        if past_free <= 0 {
            return 0;
        }
        let doublings = u32::try_from(past_free - 1).unwrap_or(u32::MAX).min(40);
        self.first_delay_seconds.saturating_mul(1_i64 << doublings).min(self.max_delay_seconds)
    }
}

/// What is counted: an account or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    hash: String,
    pub policy: Policy,
}

impl ThrottleKey {
    /// The account an attempt names: the typed address, trimmed and lowercased.
    pub fn account(typed_email: &str) -> Self {
        let normalised = typed_email.trim().to_lowercase();
        Self { hash: hash("account", &normalised), policy: PER_ACCOUNT }
    }

    /// An e-mail verification whose code is being typed.
    pub fn verification(id: &str) -> Self {
        Self { hash: hash("verification", id), policy: PER_ACCOUNT }
    }

    /// Second-factor codes typed for an account.
    pub fn second_factor(user_id: &str) -> Self {
        Self { hash: hash("second_factor", user_id), policy: SECOND_FACTOR }
    }

    /// Registrations from a client address (each one counts).
    pub fn registrations(address: &std::net::IpAddr) -> Self {
        Self { hash: hash("registrations", &network_of(address)), policy: REGISTRATIONS_PER_ADDRESS }
    }

    /// Password-reset links asked for from a client address (each one counts).
    pub fn reset_requests(address: &std::net::IpAddr) -> Self {
        Self { hash: hash("reset_requests", &network_of(address)), policy: RESET_REQUESTS_PER_ADDRESS }
    }

    /// Invitations sent by an account (each one counts).
    pub fn invitations(user_id: &str) -> Self {
        Self { hash: hash("invitations", user_id), policy: INVITATIONS_PER_INVITER }
    }

    /// The client address an attempt comes from.
    pub fn address(address: &std::net::IpAddr) -> Self {
        Self { hash: hash("address", &network_of(address)), policy: PER_ADDRESS }
    }

    /// What is stored for this key (a hash).
    pub(crate) fn stored(&self) -> &str {
        &self.hash
    }
}

/// A reset link asked for from the network stored as `network` (see
/// [`ThrottleKey::stored`]) was used: that network gets the request back.
/// Its wait ends if its count is within the free ones again.
pub(crate) async fn give_back_reset_request(
    tx: &mut crate::store::Transaction,
    network: &str,
) -> Result<(), StoreError> {
    forgive(&mut **tx, &ThrottleKey { hash: network.to_string(), policy: RESET_REQUESTS_PER_ADDRESS }, 1).await
}

/// What one party holds of the address space, counted as one address: an
/// IPv4 address, or an IPv6 /64 (the smallest network a provider hands
/// out; a host picks its own addresses in it at will). An IPv4 address
/// mapped into IPv6 (a dual-stack listener) counts as itself.
fn network_of(address: &std::net::IpAddr) -> String {
    match address {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        },
    }
}

fn hash(kind: &str, value: &str) -> String {
    SecretHash::of(format!("{kind}:{value}").as_bytes()).as_str().to_string()
}

/// What one sign-in attempt is counted against: its account, and its
/// client address when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAttempt {
    pub account: ThrottleKey,
    pub address: Option<ThrottleKey>,
}

impl SignInAttempt {
    pub fn new(typed_email: &str, address: Option<&std::net::IpAddr>) -> Self {
        Self { account: ThrottleKey::account(typed_email), address: address.map(ThrottleKey::address) }
    }

    /// Creating an account from `address`: every registration counts, so
    /// that one address cannot make accounts (and argon2 work) without end.
    pub fn registration(address: &std::net::IpAddr) -> Self {
        Self { account: ThrottleKey::registrations(address), address: None }
    }

    /// Asking for a password-reset link from `address`: every request counts.
    pub fn reset_request(address: &std::net::IpAddr) -> Self {
        Self { account: ThrottleKey::reset_requests(address), address: None }
    }

    /// Sending an invitation: every one counts against its sender.
    pub fn invitation(user_id: &str) -> Self {
        Self { account: ThrottleKey::invitations(user_id), address: None }
    }

    /// Typing a second-factor code for an account: counted against the
    /// account's own second-factor count (see `SECOND_FACTOR`) and the
    /// address.
    pub fn second_factor(user_id: &str, address: Option<&std::net::IpAddr>) -> Self {
        Self { account: ThrottleKey::second_factor(user_id), address: address.map(ThrottleKey::address) }
    }

    /// Typing the code of e-mail verification `id`: counted against the
    /// verification and the address (the same budget as sign-ins).
    pub fn verification_code(id: &str, address: Option<&std::net::IpAddr>) -> Self {
        Self { account: ThrottleKey::verification(id), address: address.map(ThrottleKey::address) }
    }

    /// Both keys' hashes, for `key IN ($1, $2)` (the account twice when the
    /// address is unknown).
    #[cfg(test)]
    fn hashes(&self) -> (&str, &str) {
        let account = self.account.hash.as_str();
        (account, self.address.as_ref().map_or(account, |address| address.hash.as_str()))
    }

    /// Reserves this attempt before its password or code is looked at:
    /// unless a wait is running, it is counted as a failure at once (a
    /// success then clears it, see `record_success`). Both keys are read
    /// and written in one transaction that locks their rows, so that
    /// parallel attempts cannot all pass a check made before any of them
    /// was counted (with a slow password hash in between, hundreds could).
    pub async fn take(&self, store: &Store, now: UnixTime) -> Result<Taken, StoreError> {
        let keys: Vec<&ThrottleKey> = std::iter::once(&self.account).chain(self.address.as_ref()).collect();
        let mut tx = store.pool().begin().await?;
        let mut counts = Vec::with_capacity(keys.len());
        for key in &keys {
            // Counts the attempt, creating the row or locking it (PostgreSQL;
            // SQLite writes one at a time); a count whose last failure is past
            // the forget window starts again. The wait is left as it was, so
            // RETURNING tells whether one is running.
            let count: (i64, i64) = sqlx::query_as(
                "INSERT INTO sign_in_throttle (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, 0) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN sign_in_throttle.last_failure_at < $3 THEN 1 \
                                   ELSE sign_in_throttle.failures + 1 END, \
                   last_failure_at = $2 \
                 RETURNING failures, blocked_until",
            )
            .bind(&key.hash)
            .bind(now.0)
            .bind(now.0 - key.policy.forget_after_seconds)
            .fetch_one(&mut *tx)
            .await?;
            counts.push(count);
        }
        let blocked = counts.iter().map(|(_, until)| until - now.0).max().unwrap_or(0);
        if blocked > 0 {
            // Nothing is counted while a wait runs.
            tx.rollback().await?;
            return Ok(Taken::Wait(blocked));
        }
        let mut wait_if_wrong = 0;
        let mut waits = [(0, 0); 2];
        for (slot, (key, (failures, blocked_until))) in keys.iter().zip(counts).enumerate() {
            let delay = key.policy.delay_after(failures);
            // Past the free failures, a wrong attempt starts a wait: rare, so
            // the common attempt costs one statement per key.
            let set = if delay > 0 {
                sqlx::query("UPDATE sign_in_throttle SET blocked_until = $1 WHERE key = $2")
                    .bind(now.0 + delay)
                    .bind(&key.hash)
                    .execute(&mut *tx)
                    .await?;
                now.0 + delay
            } else {
                blocked_until
            };
            waits[slot] = (blocked_until, set);
            wait_if_wrong = wait_if_wrong.max(delay);
        }
        tx.commit().await?;
        Ok(Taken::Counted { wait_if_wrong, reserved: Reserved { waits } })
    }

    /// Gives back an attempt `take` counted that was never decided (the
    /// password could not be checked now): one failure less for both keys,
    /// and the wait each had before, unless another attempt changed it since.
    pub async fn refund(&self, store: &Store, reserved: &Reserved) -> Result<(), StoreError> {
        let mut tx = store.pool().begin().await?;
        for (key, (before, set)) in std::iter::once(&self.account).chain(self.address.as_ref()).zip(reserved.waits) {
            sqlx::query(
                "UPDATE sign_in_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END, \
                 blocked_until = CASE WHEN blocked_until = $1 THEN $2 ELSE blocked_until END WHERE key = $3",
            )
            .bind(set)
            .bind(before)
            .bind(&key.hash)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How long until this attempt may be made; `None` when it may now. A
    /// look only, for the tests: attempts reserve with `take` (a check
    /// before counting is what parallel guesses slip through).
    #[cfg(test)]
    pub async fn wait(&self, store: &Store, now: UnixTime) -> Result<Option<i64>, StoreError> {
        let (account, address) = self.hashes();
        let (blocked_until,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(blocked_until), 0) FROM sign_in_throttle WHERE key IN ($1, $2)")
                .bind(account)
                .bind(address)
                .fetch_one(store.reads())
                .await?;
        let wait = blocked_until - now.0;
        Ok((wait > 0).then_some(wait))
    }

    /// A successful sign-in clears its account's count, and takes the
    /// account's failures off its address's count (see the module comment):
    /// only failures the address's count still holds, that is, within its
    /// forget window.
    pub async fn record_success(&self, store: &Store, now: UnixTime) -> Result<(), StoreError> {
        let recent = now.0 - self.address.as_ref().map_or(0, |address| address.policy.forget_after_seconds);
        // Two statements without a transaction: the DELETE hands the count to
        // one success only, and if the second never runs, the address keeps
        // failures its account cleared: stricter, never looser.
        let own: Option<(i64,)> = sqlx::query_as(
            "DELETE FROM sign_in_throttle WHERE key = $1 \
             RETURNING CASE WHEN last_failure_at >= $2 THEN failures ELSE 0 END",
        )
        .bind(&self.account.hash)
        .bind(recent)
        .fetch_optional(store.pool())
        .await?;
        if let (Some(address), Some((own,))) = (&self.address, own) {
            forgive(store.pool(), address, own).await?;
        }
        Ok(())
    }
}

/// What reserving an attempt yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The attempt may be made, and is counted: if it turns out wrong, the
    /// next one must wait this many seconds (0: none). `reserved` undoes it
    /// (`refund`) if it is never decided.
    Counted { wait_if_wrong: i64, reserved: Reserved },
    /// Not now: this many seconds to wait; nothing was counted.
    Wait(i64),
}

/// What `take` wrote, so that `refund` can undo it: each key's wait
/// before, and the one it set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserved {
    waits: [(i64, i64); 2],
}

/// Takes `count` failures off `key`'s count; its wait ends if the count is
/// within the free failures again.
async fn forgive<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    key: &ThrottleKey,
    count: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sign_in_throttle SET \
           blocked_until = CASE WHEN failures - $1 <= $2 THEN 0 ELSE blocked_until END, \
           failures = CASE WHEN failures > $1 THEN failures - $1 ELSE 0 END \
         WHERE key = $3",
    )
    .bind(count)
    .bind(key.policy.free_failures)
    .bind(&key.hash)
    .execute(executor)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed attempt, as the callers make it: taken, then found wrong.
    trait Failing {
        async fn record_failure(&self, store: &Store, now: UnixTime) -> Result<i64, StoreError>;
    }

    impl Failing for SignInAttempt {
        async fn record_failure(&self, store: &Store, now: UnixTime) -> Result<i64, StoreError> {
            match self.take(store, now).await? {
                Taken::Counted { wait_if_wrong, .. } => Ok(wait_if_wrong),
                Taken::Wait(seconds) => panic!("not taken: wait {seconds} s"),
            }
        }
    }

    #[test]
    fn delays_double_past_the_free_failures_up_to_the_cap() {
        let delays: Vec<i64> = (1..=13).map(|n| PER_ACCOUNT.delay_after(n)).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(PER_ADDRESS.delay_after(20), 0);
        assert_eq!(PER_ADDRESS.delay_after(21), 1);
        assert_eq!(PER_ADDRESS.delay_after(10_000), 900, "no overflow, however many");
    }

    #[test]
    fn accounts_are_keyed_as_typed_but_normalised() {
        assert_eq!(ThrottleKey::account(" Jane@Example.org"), ThrottleKey::account("jane@example.org"));
        assert_ne!(ThrottleKey::account("jane@example.org"), ThrottleKey::account("john@example.org"));
        let address = ThrottleKey::address(&"192.0.2.1".parse().unwrap());
        assert_ne!(address.hash, ThrottleKey::account("192.0.2.1").hash, "kinds never collide");
    }

    #[test]
    fn an_ipv6_host_counts_as_its_64_and_a_mapped_ipv4_address_as_itself() {
        let key = |address: &str| ThrottleKey::address(&address.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:2"), "one /64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"), "the next /64");
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
        assert_ne!(key("::ffff:192.0.2.1"), key("::ffff:192.0.2.2"));
        let registrations = |address: &str| ThrottleKey::registrations(&address.parse().unwrap());
        assert_eq!(registrations("2001:db8::1"), registrations("2001:db8::2"));
    }

    crate::engine_tests! {
        async fn registrations_from_one_address_slow_down_after_ten(db: TestDatabase) {
            let store = db.migrated_store().await;
            let from = "192.0.2.7".parse().unwrap();
            let registration = SignInAttempt::registration(&from);
            let now = UnixTime(5_000);
            for _ in 0..9 {
                assert_eq!(registration.record_failure(&store, now).await.unwrap(), 0);
            }
            assert_eq!(registration.record_failure(&store, now).await.unwrap(), 60, "the tenth makes the next wait");
            assert_eq!(registration.wait(&store, now).await.unwrap(), Some(60));
            let signing_in = SignInAttempt::new("jane@example.org", Some(&from));
            assert_eq!(signing_in.wait(&store, now).await.unwrap(), None, "sign-ins from there are not slowed");
            assert_eq!(registration.wait(&store, UnixTime(5_060)).await.unwrap(), None);
        }

        async fn a_used_reset_link_gives_its_network_one_request_back(db: TestDatabase) {
            let store = db.migrated_store().await;
            let from = "192.0.2.9".parse().unwrap();
            let asking = SignInAttempt::reset_request(&from);
            let now = UnixTime(7_000);
            for _ in 0..19 {
                assert_eq!(asking.record_failure(&store, now).await.unwrap(), 0);
            }
            assert_eq!(asking.record_failure(&store, now).await.unwrap(), 60, "the twentieth makes the next wait");
            assert_eq!(asking.record_failure(&store, UnixTime(7_060)).await.unwrap(), 120);
            let network = ThrottleKey::reset_requests(&from);
            let give_back = || async {
                let mut tx = store.pool().begin().await.unwrap();
                give_back_reset_request(&mut tx, network.stored()).await.unwrap();
                tx.commit().await.unwrap();
            };
            give_back().await;
            assert_eq!(asking.wait(&store, UnixTime(7_061)).await.unwrap(), Some(119), "still past the free ones");
            give_back().await;
            assert_eq!(asking.wait(&store, UnixTime(7_061)).await.unwrap(), None, "within them again");
            assert_eq!(asking.record_failure(&store, UnixTime(7_061)).await.unwrap(), 60);
        }

        async fn failures_slow_down_and_a_success_clears_them(db: TestDatabase) {
            let store = db.migrated_store().await;
            let from = "192.0.2.1".parse().unwrap();
            let attempt = SignInAttempt::new("jane@example.org", Some(&from));
            let other_account = SignInAttempt::new("john@example.org", Some(&from));
            let now = UnixTime(1_000);
            for _ in 0..5 {
                assert_eq!(attempt.record_failure(&store, now).await.unwrap(), 0);
            }
            assert_eq!(attempt.wait(&store, now).await.unwrap(), None);
            assert_eq!(attempt.record_failure(&store, now).await.unwrap(), 1);
            assert_eq!(attempt.wait(&store, now).await.unwrap(), Some(1));
            assert_eq!(attempt.wait(&store, now.plus_seconds(1)).await.unwrap(), None);
            assert_eq!(attempt.record_failure(&store, now.plus_seconds(1)).await.unwrap(), 2);
            assert_eq!(other_account.wait(&store, now.plus_seconds(1)).await.unwrap(), None, "the address is counted on its own");
            let unknown_address = SignInAttempt::new("jane@example.org", None);
            assert_eq!(unknown_address.wait(&store, now.plus_seconds(1)).await.unwrap(), Some(2), "the account alone");

            attempt.record_success(&store, now).await.unwrap();
            assert_eq!(attempt.wait(&store, now.plus_seconds(1)).await.unwrap(), None);
            assert_eq!(attempt.record_failure(&store, now.plus_seconds(2)).await.unwrap(), 0, "counting starts again");
        }

        async fn a_success_forgives_its_own_failures_not_those_sprayed_over_others(db: TestDatabase) {
            let store = db.migrated_store().await;
            let from = "192.0.2.9".parse().unwrap();
            let now = UnixTime(1_000);
            // Two typos of one person behind the address, then her success.
            let jane = SignInAttempt::new("jane@example.org", Some(&from));
            for _ in 0..2 {
                jane.record_failure(&store, now).await.unwrap();
            }
            jane.record_success(&store, now).await.unwrap();
            // Then one guess at each of 20 other accounts, and a success of the guesser's own.
            for n in 0..20 {
                let sprayed = SignInAttempt::new(&format!("person{n}@example.org"), Some(&from));
                assert_eq!(sprayed.record_failure(&store, now).await.unwrap(), 0, "free so far ({n}): Jane's typos were forgiven");
            }
            SignInAttempt::new("mallory@example.org", Some(&from)).record_success(&store, now).await.unwrap();
            let next = SignInAttempt::new("person20@example.org", Some(&from));
            assert_eq!(next.record_failure(&store, now).await.unwrap(), 1, "the 21st failure from the address costs time");
        }

        async fn failures_saved_up_long_ago_forgive_nothing(db: TestDatabase) {
            let store = db.migrated_store().await;
            let (elsewhere, here) = ("192.0.2.10".parse().unwrap(), "192.0.2.11".parse().unwrap());
            // Failures on one's own account, long before, from elsewhere.
            for _ in 0..3 {
                SignInAttempt::new("mallory@example.org", Some(&elsewhere)).record_failure(&store, UnixTime(0)).await.unwrap();
            }
            let now = UnixTime(FORGET_AFTER_SECONDS + 100);
            for n in 0..20 {
                SignInAttempt::new(&format!("person{n}@example.org"), Some(&here)).record_failure(&store, now).await.unwrap();
            }
            SignInAttempt::new("mallory@example.org", Some(&here)).record_success(&store, now).await.unwrap();
            let next = SignInAttempt::new("person20@example.org", Some(&here));
            assert_eq!(next.record_failure(&store, now).await.unwrap(), 1, "the old failures were no credit here");
        }

        async fn an_hour_without_failures_forgets_them(db: TestDatabase) {
            let store = db.migrated_store().await;
            let attempt = SignInAttempt::new("jane@example.org", None);
            for n in 0..8 {
                attempt.record_failure(&store, UnixTime(1_000 + 10 * n)).await.unwrap();
            }
            let later = UnixTime(1_070 + FORGET_AFTER_SECONDS + 1);
            assert_eq!(attempt.record_failure(&store, later).await.unwrap(), 0);
        }

        async fn parallel_attempts_are_each_counted_before_any_is_checked(db: TestDatabase) {
            let store = db.migrated_store().await;
            let attempt = SignInAttempt::second_factor("user-1", None);
            let now = UnixTime(1_000);
            // Twenty guesses at once: the five free ones and the sixth (which
            // starts the wait) go ahead; the others wait, uncounted.
            let taken = futures_util::future::join_all((0..20).map(|_| attempt.take(&store, now))).await;
            let taken: Vec<Taken> = taken.into_iter().map(Result::unwrap).collect();
            let counted = taken.iter().filter(|t| matches!(t, Taken::Counted { .. })).count();
            assert_eq!(counted, 6, "{taken:?}");
            assert!(taken.iter().any(|t| matches!(t, Taken::Counted { wait_if_wrong: 60, .. })));
            assert_eq!(taken.iter().filter(|t| **t == Taken::Wait(60)).count(), 14);
            assert_eq!(attempt.wait(&store, now).await.unwrap(), Some(60));
        }

        async fn an_undecided_attempt_is_given_back_and_a_success_lifts_the_addresss_wait(db: TestDatabase) {
            let store = db.migrated_store().await;
            let from = "192.0.2.12".parse().unwrap();
            let attempt = SignInAttempt::new("jane@example.org", Some(&from));
            let now = UnixTime(1_000);
            for _ in 0..5 {
                attempt.record_failure(&store, now).await.unwrap();
            }
            // The sixth starts a wait; the check could not be made: given back.
            let Taken::Counted { wait_if_wrong: 1, reserved } = attempt.take(&store, now).await.unwrap() else { panic!("the sixth") };
            attempt.refund(&store, &reserved).await.unwrap();
            assert_eq!(attempt.wait(&store, now).await.unwrap(), None);
            assert_eq!(attempt.record_failure(&store, now).await.unwrap(), 1, "the sixth again");
            // Past the free ones too: an undecided eighth leaves the seventh's wait, not its own.
            assert_eq!(attempt.record_failure(&store, now.plus_seconds(1)).await.unwrap(), 2, "the seventh");
            let later = now.plus_seconds(3);
            let Taken::Counted { wait_if_wrong: 4, reserved } = attempt.take(&store, later).await.unwrap() else { panic!("the eighth") };
            attempt.refund(&store, &reserved).await.unwrap();
            assert_eq!(attempt.wait(&store, later).await.unwrap(), None, "the seventh's wait was over");
            assert_eq!(attempt.record_failure(&store, later).await.unwrap(), 4, "the eighth again");

            // Twenty failures over other accounts make the address wait; a
            // success takes its own account's off and ends the wait.
            for n in 0..13 {
                SignInAttempt::new(&format!("person{n}@example.org"), Some(&from)).record_failure(&store, later).await.unwrap();
            }
            let sprayed = SignInAttempt::new("person20@example.org", Some(&from));
            assert_eq!(sprayed.wait(&store, later).await.unwrap(), Some(1), "21 from the address");
            attempt.record_success(&store, later).await.unwrap();
            assert_eq!(sprayed.wait(&store, later).await.unwrap(), None, "13 left, within the free 20");
        }
    }
}
