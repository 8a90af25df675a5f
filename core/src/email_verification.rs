//! Proving an e-mail address: one mail carries a six-digit code (typed on
//! the page that asked for it) and a link (for another device or later).
//! Only SHA-256 hashes of both are stored. The code lives 15 minutes and
//! dies after five wrong entries; the link lives 24 hours; either works
//! once, and using one spends the other. A new mail voids the earlier
//! ones. Mails to one account: at most one a minute and ten a day, so that
//! nobody can guess a code by asking for new ones, nor flood a mailbox.

use rand::Rng as _;

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::{Email, User, UserId, get_user};

pub mod decoy;

pub const CODE_LIFETIME_SECONDS: i64 = 15 * 60;
pub const LINK_LIFETIME_SECONDS: i64 = 24 * 3600;
/// Wrong entries that void a code.
pub const CODE_MAX_FAILURES: i64 = 5;
/// Mails to one account: at most one this often …
pub const RESEND_AFTER_SECONDS: i64 = 60;
/// … and at most this many a day.
pub const MAILS_PER_DAY: i64 = 10;

/// What asking for a verification mail yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A new code and link: mail them. Earlier ones no longer work.
    Sent { id: String, code: String, link_token: String },
    /// The last mail is less than a minute old: no new one; its page is `id`.
    TooSoon { id: String },
    /// Ten mails today already: no new one; the last one's page is `id`.
    DailyLimit { id: String },
    /// The address belongs to another account (a change), or the chain is
    /// a registration's decoy: answer as for `Sent`, mail no code. The page
    /// `id` counts wrong codes and limits mails as a real one does; no code
    /// or link will ever work there.
    Decoy { id: String },
}

impl Started {
    /// The verification whose page to show.
    pub fn id(&self) -> &str {
        match self {
            Self::Sent { id, .. } | Self::TooSoon { id } | Self::DailyLimit { id } | Self::Decoy { id } => id,
        }
    }
}

/// A verification waiting for its code or link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingVerification {
    pub id: String,
    pub user_id: UserId,
    pub email_normalized: String,
    pub interaction_id: Option<String>,
    /// For a change of address: the address being proven.
    pub new_email: Option<String>,
    /// SHA-256 of the proof cookie of the browser that began it, if any.
    pub proof_hash: Option<String>,
}

/// The address was proven: the account is now verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub user_id: UserId,
    /// The authorization request the person came from, if any.
    pub interaction_id: Option<String>,
    /// For a change of address: the address it had before (now replaced).
    pub previous_email: Option<String>,
    /// SHA-256 of the cookie of the browser that proved the password when
    /// this verification began, if one did: only that browser may be
    /// signed in by it.
    pub proof_hash: Option<String>,
}

/// What typing a code yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOutcome {
    Verified(Verified),
    /// Wrong; this many tries remain before the code is void.
    Wrong {
        tries_left: i64,
    },
    /// Unknown, expired, used, voided by a newer one, or tried too often.
    Unusable,
}

fn code_hash(id: &str, code: &str) -> String {
    SecretHash::of(format!("{id}:{code}").as_bytes()).as_str().to_string()
}

fn link_hash(token: &str) -> String {
    SecretHash::of(token.as_bytes()).as_str().to_string()
}

/// Six digits, uniformly random.
fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// A code as people type it: spaces and dashes between digits are fine.
pub fn normalize_code(typed: &str) -> String {
    typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// Starts proving the account's current address, for the page reached
/// from `interaction_id` (if any). Respects the account's mail limits; when
/// no mail is due, the latest verification takes on the interaction and a
/// fresh proof.
pub async fn start_email_verification(
    store: &Store,
    user: &User,
    interaction_id: Option<&str>,
    proof: Proof<'_>,
    now: UnixTime,
) -> Result<Started, StoreError> {
    start(store, user, None, interaction_id, proof, now).await
}

/// Which browser a verification may sign in: only one that proved the
/// password. Its cookie is random; only the SHA-256 is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof<'a> {
    /// The browser whose cookie hashes to this just proved the password.
    Fresh(&'a str),
    /// The browser presents this cookie hash: it keeps the proof of the
    /// latest verification if that is the same (asking for a new mail).
    Carried(&'a str),
    None,
}

/// Starts moving the account to `new_email`: the mail goes there, and the
/// code or link changes the address (within the same mail limits). When
/// another account has that address, the answer is a `Decoy` within the same
/// limits, so that trying addresses tells nobody which ones have accounts.
pub async fn start_email_change(
    store: &Store,
    user: &User,
    new_email: &Email,
    now: UnixTime,
) -> Result<Started, StoreError> {
    start(store, user, Some(new_email), None, Proof::None, now).await
}

async fn start(
    store: &Store,
    user: &User,
    new_email: Option<&Email>,
    interaction_id: Option<&str>,
    proof: Proof<'_>,
    now: UnixTime,
) -> Result<Started, StoreError> {
    let mut tx = store.pool().begin().await?;
    // One at a time per account: writing the account's row first locks it
    // (PostgreSQL) or takes the write lock (SQLite), so that parallel
    // requests cannot all pass the mail limits below.
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(user.id.as_str())
        .execute(&mut *tx)
        .await?;
    let recent: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, created_at, proof_hash FROM email_verifications WHERE user_id = $1 AND created_at > $2 \
         ORDER BY created_at DESC, id",
    )
    .bind(user.id.as_str())
    .bind(now.0 - 24 * 3600)
    .fetch_all(&mut *tx)
    .await?;
    let proof_hash = match proof {
        Proof::Fresh(hash) => Some(hash),
        Proof::Carried(hash) => recent.first().and_then(|(_, _, kept)| kept.as_deref()).filter(|kept| *kept == hash),
        Proof::None => None,
    };
    if let Some((latest, at, _)) = recent.first()
        && let Some(held) = held(latest, *at, recent.len(), now)
    {
        if let Proof::Fresh(proof_hash) = proof {
            sqlx::query("UPDATE email_verifications SET interaction_id = $1, proof_hash = $2 WHERE id = $3")
                .bind(interaction_id)
                .bind(proof_hash)
                .bind(latest)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        return Ok(held);
    }
    sqlx::query("UPDATE email_verifications SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now.0)
        .bind(user.id.as_str())
        .execute(&mut *tx)
        .await?;
    let taken = match new_email {
        Some(new_email) => sqlx::query_as::<_, (String,)>("SELECT id FROM users WHERE email_normalized = $1")
            .bind(new_email.normalized())
            .fetch_optional(&mut *tx)
            .await?
            .is_some(),
        None => false,
    };
    let id = crate::random::url_safe(16);
    // A decoy's code and link are long random strings nobody is told:
    // stored like real ones, they count tries and expire alike, and never match.
    let code = if taken { crate::random::url_safe(32) } else { new_code() };
    let link_token = crate::random::url_safe(32);
    sqlx::query(
        "INSERT INTO email_verifications (id, user_id, email_normalized, interaction_id, code_hash, code_expires_at, \
         code_failures, link_hash, created_at, expires_at, used_at, new_email, proof_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, NULL, $10, $11)",
    )
    .bind(&id)
    .bind(user.id.as_str())
    .bind(user.email.to_lowercase())
    .bind(interaction_id)
    .bind(code_hash(&id, &code))
    .bind(now.plus_seconds(CODE_LIFETIME_SECONDS).0)
    .bind(link_hash(&link_token))
    .bind(now.0)
    .bind(now.plus_seconds(LINK_LIFETIME_SECONDS).0)
    .bind(new_email.map(Email::as_str))
    .bind(proof_hash)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(if taken { Started::Decoy { id } } else { Started::Sent { id, code, link_token } })
}

/// Whether a new mail must wait, given the latest one of the last day
/// (`latest`, sent `at`) and how many that day saw (`sent`).
fn held(latest: &str, at: i64, sent: usize, now: UnixTime) -> Option<Started> {
    if now.0 - at < RESEND_AFTER_SECONDS {
        Some(Started::TooSoon { id: latest.to_string() })
    } else if sent as i64 >= MAILS_PER_DAY {
        Some(Started::DailyLimit { id: latest.to_string() })
    } else {
        None
    }
}

/// Checks a typed code against verification `id`. Every entry first takes
/// one of the code's tries (atomically), so that parallel guesses cannot
/// get more than five between them.
pub async fn verify_code(store: &Store, id: &str, typed: &str, now: UnixTime) -> Result<CodeOutcome, StoreError> {
    let code = normalize_code(typed);
    let mut tx = store.pool().begin().await?;
    // The account's row first, as `start` does (no deadlock between them).
    sqlx::query(
        "UPDATE users SET updated_at = updated_at WHERE id = (SELECT user_id FROM email_verifications WHERE id = $1)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let reserved: Option<(i64, String)> = sqlx::query_as(
        "UPDATE email_verifications SET code_failures = code_failures + 1 \
         WHERE id = $1 AND used_at IS NULL AND code_expires_at > $2 AND code_failures < $3 \
         RETURNING code_failures, code_hash",
    )
    .bind(id)
    .bind(now.0)
    .bind(CODE_MAX_FAILURES)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((tries, stored)) = reserved else {
        tx.rollback().await?;
        return decoy::type_code(store, id, now).await;
    };
    let typed_hash = SecretHash::of(format!("{id}:{code}").as_bytes());
    if !typed_hash.matches(&SecretHash::from_stored(stored)) {
        tx.commit().await?;
        return Ok(wrong(tries));
    }
    let claimed: Option<Claimed> = sqlx::query_as(
        "UPDATE email_verifications SET used_at = $1 WHERE id = $2 AND used_at IS NULL \
         RETURNING user_id, email_normalized, interaction_id, new_email, proof_hash",
    )
    .bind(now.0)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let verified = match claimed {
        Some(claimed) => mark_verified(&mut tx, claimed, now).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(verified.map_or(CodeOutcome::Unusable, CodeOutcome::Verified))
}

/// A wrong code, the code's `tries`-th.
fn wrong(tries: i64) -> CodeOutcome {
    if tries < CODE_MAX_FAILURES {
        CodeOutcome::Wrong { tries_left: CODE_MAX_FAILURES - tries }
    } else {
        CodeOutcome::Unusable
    }
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: String,
    user_id: String,
    email_normalized: String,
    interaction_id: Option<String>,
    new_email: Option<String>,
    proof_hash: Option<String>,
}

impl From<PendingRow> for PendingVerification {
    fn from(row: PendingRow) -> Self {
        Self {
            id: row.id,
            user_id: UserId::from_stored(row.user_id),
            email_normalized: row.email_normalized,
            interaction_id: row.interaction_id,
            new_email: row.new_email,
            proof_hash: row.proof_hash,
        }
    }
}

/// The verification a mailed link belongs to, while it can be used.
pub async fn find_by_link(
    store: &Store,
    token: &str,
    now: UnixTime,
) -> Result<Option<PendingVerification>, StoreError> {
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT id, user_id, email_normalized, interaction_id, new_email, proof_hash FROM email_verifications \
         WHERE link_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(link_hash(token))
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(PendingVerification::from))
}

/// Verification `id` while its code can still be used.
pub async fn find_by_id(store: &Store, id: &str, now: UnixTime) -> Result<Option<PendingVerification>, StoreError> {
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT id, user_id, email_normalized, interaction_id, new_email, proof_hash FROM email_verifications \
         WHERE id = $1 AND used_at IS NULL AND code_expires_at > $2",
    )
    .bind(id)
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(PendingVerification::from))
}

/// Whose verification `id` is (used or not, made within the last day), and
/// what for: the address to move to, for a change.
pub async fn find_owner(store: &Store, id: &str, now: UnixTime) -> Result<Option<(User, Option<Email>)>, StoreError> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT user_id, new_email FROM email_verifications WHERE id = $1 AND created_at > $2")
            .bind(id)
            .bind(now.0 - 24 * 3600)
            .fetch_optional(store.reads())
            .await?;
    match row {
        Some((user_id, new_email)) => {
            let user = get_user(store, &UserId::from_stored(user_id)).await?;
            Ok(Some((user, new_email.and_then(|e| Email::parse(&e).ok()))))
        }
        None => Ok(None),
    }
}

/// Uses a mailed link once. `None` when it is unknown, used or expired.
pub async fn verify_link(store: &Store, token: &str, now: UnixTime) -> Result<Option<Verified>, StoreError> {
    let mut tx = store.pool().begin().await?;
    // The account's row first, as `start` does (no deadlock between them).
    sqlx::query(
        "UPDATE users SET updated_at = updated_at \
         WHERE id = (SELECT user_id FROM email_verifications WHERE link_hash = $1)",
    )
    .bind(link_hash(token))
    .execute(&mut *tx)
    .await?;
    let claimed: Option<Claimed> = sqlx::query_as(
        "UPDATE email_verifications SET used_at = $1 WHERE link_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, email_normalized, interaction_id, new_email, proof_hash",
    )
    .bind(now.0)
    .bind(link_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        tx.rollback().await?;
        return Ok(None);
    };
    let verified = mark_verified(&mut tx, claimed, now).await?;
    tx.commit().await?;
    Ok(verified)
}

/// A verification as its use claimed it.
#[derive(sqlx::FromRow)]
struct Claimed {
    user_id: String,
    email_normalized: String,
    interaction_id: Option<String>,
    new_email: Option<String>,
    proof_hash: Option<String>,
}

/// Marks the account verified, if its address is still the one the
/// verification was made for; for a change, moves it to the new address,
/// unless another account took that meanwhile (checked in the statement, so
/// that no unique violation aborts the transaction), and spends the reset
/// links mailed to the old one.
async fn mark_verified(
    tx: &mut crate::store::Transaction,
    claimed: Claimed,
    now: UnixTime,
) -> Result<Option<Verified>, StoreError> {
    let Claimed { user_id, email_normalized, interaction_id, new_email, proof_hash } = claimed;
    let previous: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1 AND email_normalized = $2")
        .bind(&user_id)
        .bind(&email_normalized)
        .fetch_optional(&mut **tx)
        .await?;
    let Some((previous,)) = previous else { return Ok(None) };
    let updated = match &new_email {
        None => {
            sqlx::query("UPDATE users SET email_verified = 1, updated_at = $1 WHERE id = $2")
                .bind(now.0)
                .bind(&user_id)
                .execute(&mut **tx)
                .await?
        }
        Some(new_email) => {
            sqlx::query(
                "UPDATE users SET email = $1, email_normalized = $2, email_verified = 1, updated_at = $3 \
                 WHERE id = $4 AND NOT EXISTS (SELECT 1 FROM users other WHERE other.email_normalized = $2)",
            )
            .bind(new_email)
            .bind(new_email.to_lowercase())
            .bind(now.0)
            .bind(&user_id)
            .execute(&mut **tx)
            .await?
        }
    };
    if updated.rows_affected() == 0 {
        return Ok(None);
    }
    let mut spent = vec!["UPDATE email_verifications SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL"];
    if new_email.is_some() {
        spent.push("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL");
    }
    for statement in spent {
        sqlx::query(statement).bind(now.0).bind(&user_id).execute(&mut **tx).await?;
    }
    Ok(Some(Verified {
        user_id: UserId::from_stored(user_id),
        interaction_id,
        previous_email: new_email.map(|_| previous),
        proof_hash,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{NewUser, insert_user};

    async fn user(store: &Store, email: &str) -> User {
        let new =
            NewUser { email: Email::parse(email).unwrap(), given_name: None, family_name: None, locale: "en".into() };
        insert_user(store, new, UnixTime(1)).await.unwrap()
    }

    fn sent(started: Started) -> (String, String, String) {
        match started {
            Started::Sent { id, code, link_token } => (id, code, link_token),
            other => panic!("no mail was due: {other:?}"),
        }
    }

    #[test]
    fn codes_are_six_digits_and_typed_codes_may_have_gaps() {
        for _ in 0..100 {
            let code = new_code();
            assert!(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()), "{code}");
        }
        assert_eq!(normalize_code(" 123 456 "), "123456");
        assert_eq!(normalize_code("123-456"), "123456");
    }

    crate::engine_tests! {
        async fn the_right_code_verifies_once_and_spends_the_link(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store, "Jane@Example.org").await;
            let (id, code, link) = sent(start_email_verification(&store, &jane, Some("i1"), Proof::Fresh("proof"), UnixTime(100)).await.unwrap());
            assert_eq!(find_by_link(&store, &link, UnixTime(101)).await.unwrap().map(|p| p.user_id), Some(jane.id.clone()));
            let spaced = format!("{} {}", &code[..3], &code[3..]);
            let outcome = verify_code(&store, &id, &spaced, UnixTime(101)).await.unwrap();
            let expected = Verified {
                user_id: jane.id.clone(),
                interaction_id: Some("i1".into()),
                previous_email: None,
                proof_hash: Some("proof".into()),
            };
            assert_eq!(outcome, CodeOutcome::Verified(expected));
            assert!(get_user(&store, &jane.id).await.unwrap().email_verified);
            assert_eq!(verify_code(&store, &id, &code, UnixTime(102)).await.unwrap(), CodeOutcome::Unusable, "single use");
            assert_eq!(verify_link(&store, &link, UnixTime(102)).await.unwrap(), None, "the link went with the code");
        }

        async fn five_wrong_codes_void_the_code_but_not_the_link(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store, "jane@example.org").await;
            let (id, code, link) = sent(start_email_verification(&store, &jane, None, Proof::None, UnixTime(100)).await.unwrap());
            let wrong = if code == "000000" { "000001" } else { "000000" };
            for left in (1..CODE_MAX_FAILURES).rev() {
                assert_eq!(verify_code(&store, &id, wrong, UnixTime(101)).await.unwrap(), CodeOutcome::Wrong { tries_left: left });
            }
            assert_eq!(verify_code(&store, &id, wrong, UnixTime(101)).await.unwrap(), CodeOutcome::Unusable);
            assert_eq!(verify_code(&store, &id, &code, UnixTime(101)).await.unwrap(), CodeOutcome::Unusable, "void now");
            assert!(!get_user(&store, &jane.id).await.unwrap().email_verified);
            let verified = verify_link(&store, &link, UnixTime(102)).await.unwrap();
            assert_eq!(verified.map(|v| v.user_id), Some(jane.id.clone()));
            assert!(get_user(&store, &jane.id).await.unwrap().email_verified);
        }

        async fn codes_and_links_expire(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store, "jane@example.org").await;
            let (id, code, link) = sent(start_email_verification(&store, &jane, None, Proof::None, UnixTime(100)).await.unwrap());
            let code_late = UnixTime(100 + CODE_LIFETIME_SECONDS);
            assert_eq!(verify_code(&store, &id, &code, code_late).await.unwrap(), CodeOutcome::Unusable);
            let link_late = UnixTime(100 + LINK_LIFETIME_SECONDS);
            assert_eq!(find_by_link(&store, &link, link_late).await.unwrap(), None);
            assert_eq!(verify_link(&store, &link, link_late).await.unwrap(), None);
            assert!(verify_link(&store, &link, UnixTime(101)).await.unwrap().is_some(), "the link outlives the code");
        }

        async fn mails_are_limited_and_a_new_one_voids_the_old(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store, "jane@example.org").await;
            let (first, first_code, first_link) = sent(start_email_verification(&store, &jane, None, Proof::None, UnixTime(1000)).await.unwrap());
            let soon = start_email_verification(&store, &jane, Some("i2"), Proof::None, UnixTime(1059)).await.unwrap();
            assert_eq!(soon, Started::TooSoon { id: first.clone() });
            assert_eq!(find_owner(&store, &first, UnixTime(1059)).await.unwrap().map(|(u, change)| (u.id, change)), Some((jane.id.clone(), None)));
            assert_eq!(find_owner(&store, "unknown", UnixTime(1059)).await.unwrap(), None);
            let (second, _, _) = sent(start_email_verification(&store, &jane, None, Proof::None, UnixTime(1060)).await.unwrap());
            assert_eq!(verify_code(&store, &first, &first_code, UnixTime(1061)).await.unwrap(), CodeOutcome::Unusable);
            assert_eq!(verify_link(&store, &first_link, UnixTime(1061)).await.unwrap(), None);
            let mut latest = second;
            for n in 2..MAILS_PER_DAY {
                latest = sent(start_email_verification(&store, &jane, None, Proof::None, UnixTime(1000 + 60 * n)).await.unwrap()).0;
            }
            let held = start_email_verification(&store, &jane, Some("i3"), Proof::None, UnixTime(1000 + 60 * MAILS_PER_DAY)).await.unwrap();
            assert_eq!(held, Started::DailyLimit { id: latest.clone() });
            let next_day = UnixTime(1000 + 24 * 3600 + 1);
            assert!(matches!(start_email_verification(&store, &jane, None, Proof::None, next_day).await.unwrap(), Started::Sent { .. }));
        }

        async fn a_changed_address_is_not_verified_by_an_old_mail(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store, "jane@example.org").await;
            let (_, _, link) = sent(start_email_verification(&store, &jane, None, Proof::None, UnixTime(100)).await.unwrap());
            sqlx::query("UPDATE users SET email = 'new@example.org', email_normalized = 'new@example.org' WHERE id = $1")
                .bind(jane.id.as_str())
                .execute(store.pool())
                .await
                .unwrap();
            assert_eq!(verify_link(&store, &link, UnixTime(101)).await.unwrap(), None);
            assert!(!get_user(&store, &jane.id).await.unwrap().email_verified);
        }

        async fn a_proven_new_address_replaces_the_old_one_unless_taken(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store, "jane@example.org").await;
            let new = Email::parse("Jane@Klinik.example").unwrap();
            let (id, code, _) = sent(start_email_change(&store, &jane, &new, UnixTime(100)).await.unwrap());
            let outcome = verify_code(&store, &id, &code, UnixTime(101)).await.unwrap();
            let CodeOutcome::Verified(verified) = outcome else { panic!("{outcome:?}") };
            assert_eq!(verified.previous_email.as_deref(), Some("jane@example.org"));
            let moved = get_user(&store, &jane.id).await.unwrap();
            assert_eq!((moved.email.as_str(), moved.email_verified), ("Jane@Klinik.example", true));
            assert!(crate::users::find_user_by_email(&store, &Email::parse("jane@example.org").unwrap()).await.unwrap().is_none());

            // Taken meanwhile by someone else: the proof changes nothing.
            let (_, _, link) = sent(start_email_change(&store, &moved, &Email::parse("taken@example.org").unwrap(), UnixTime(200)).await.unwrap());
            user(&store, "taken@example.org").await;
            assert_eq!(verify_link(&store, &link, UnixTime(201)).await.unwrap(), None);
            assert_eq!(get_user(&store, &jane.id).await.unwrap().email, "Jane@Klinik.example");
        }
    }
}
