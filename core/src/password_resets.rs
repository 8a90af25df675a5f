//! Password reset by a mailed link: a random token (only its SHA-256 is
//! stored), single use, valid for 30 minutes. Completing a reset sets the
//! new password, confirms the address (the link proved the mailbox), spends
//! every open reset link of the account, ends all its sessions and revokes
//! all its token families, in one transaction; for an account that was
//! never confirmed, its second factors go too.

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::throttle::ThrottleKey;
use crate::users::{User, UserId, get_user};

pub const RESET_LIFETIME_SECONDS: i64 = 30 * 60;
/// Reset links for one account: the first, then one after a minute, the
/// next after two, four … at most an hour apart (counted over a day): no
/// mailbox is flooded, and nobody who asks for links in a person's name
/// keeps them from getting one for longer than an hour.
pub const RESEND_AFTER_SECONDS: i64 = 60;
pub const MAX_RESEND_AFTER_SECONDS: i64 = 3600;

/// Who asks for a reset link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskedBy {
    /// Anyone, in the account's name: within the limits above. `from`: the
    /// network whose reset-request count this request was counted against
    /// (`/password/forgot`); it gets the request back once the link is
    /// used. `None` where no such request was counted.
    Anyone { from: Option<std::net::IpAddr> },
    /// An operator who just cleared the password: always.
    Operator,
}

/// How long after the latest of `today` links of the last day the next may go.
fn resend_after(today: i64) -> i64 {
    let doublings = u32::try_from(today.saturating_sub(1)).unwrap_or(u32::MAX).min(12);
    RESEND_AFTER_SECONDS.saturating_mul(1_i64 << doublings).min(MAX_RESEND_AFTER_SECONDS)
}

/// Starts a reset for the account; returns the token for the link, or
/// `None` when the last link is too recent (see `RESEND_AFTER_SECONDS`).
pub async fn start_password_reset(
    store: &Store,
    user_id: &UserId,
    asked_by: AskedBy,
    now: UnixTime,
) -> Result<Option<String>, StoreError> {
    let mut tx = store.pool().begin().await?;
    // The account's row first: parallel requests pass the limits one at a time.
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?;
    let (today, latest): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM password_resets WHERE user_id = $1 AND created_at > $2",
    )
    .bind(user_id.as_str())
    .bind(now.0 - 24 * 3600)
    .fetch_one(&mut *tx)
    .await?;
    let asked_from = match asked_by {
        AskedBy::Anyone { from } => {
            if today > 0 && now.0 - latest < resend_after(today) {
                tx.rollback().await?;
                return Ok(None);
            }
            from.map(|network| ThrottleKey::reset_requests(&network))
        }
        AskedBy::Operator => None,
    };
    let token = crate::random::url_safe(32);
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at, used_at, asked_from) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(user_id.as_str())
    .bind(now.0)
    .bind(now.plus_seconds(RESET_LIFETIME_SECONDS).0)
    .bind(asked_from.as_ref().map(ThrottleKey::stored))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(token))
}

/// The account of an unused, unexpired reset link.
pub async fn find_password_reset(store: &Store, token: &str, now: UnixTime) -> Result<Option<User>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    match row {
        Some((user_id,)) => Ok(Some(get_user(store, &UserId::from_stored(user_id)).await?)),
        None => Ok(None),
    }
}

/// Uses the link once: the new password (an argon2id PHC string) replaces
/// the old one, and everything signed in with the old one ends. `None`
/// when the link is unknown, used or expired.
pub async fn complete_password_reset(
    store: &Store,
    token: &str,
    password_hash: &str,
    now: UnixTime,
) -> Result<Option<UserId>, StoreError> {
    let mut tx = store.pool().begin().await?;
    // The account's row first, as every path that changes the account does
    // (no deadlock with a verification running at the same time).
    sqlx::query(
        "UPDATE users SET updated_at = updated_at WHERE id = (SELECT user_id FROM password_resets WHERE token_hash = $1)",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .execute(&mut *tx)
    .await?;
    let claimed: Option<(String, Option<String>)> = sqlx::query_as(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, asked_from",
    )
    .bind(now.0)
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, asked_from)) = claimed else {
        tx.rollback().await?;
        return Ok(None);
    };
    // The link reached the one who asked: their network gets the request back.
    if let Some(network) = &asked_from {
        crate::throttle::give_back_reset_request(&mut tx, network).await?;
    }
    // The link proved the mailbox. An account that was never confirmed
    // might have been set up by someone else with this address: whatever
    // second factors they added go with their password.
    let (verified,): (i16,) =
        sqlx::query_as("SELECT email_verified FROM users WHERE id = $1").bind(&user_id).fetch_one(&mut *tx).await?;
    if verified == 0 {
        for statement in [
            "DELETE FROM totp_credentials WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM passkeys WHERE user_id = $1",
        ] {
            sqlx::query(statement).bind(&user_id).execute(&mut *tx).await?;
        }
    }
    sqlx::query("UPDATE users SET password_hash = $1, email_verified = 1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now.0)
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    // Other open links (also pending address confirmations and changes),
    // waiting sign-ins, sessions, and token families of the account end.
    for statement in [
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
        "UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    ]
    .into_iter()
    .chain(crate::account::BEGUN_ELSEWHERE)
    {
        sqlx::query(statement).bind(now.0).bind(&user_id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Some(UserId::from_stored(user_id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::{create_session, find_session};
    use crate::users::{Email, NewUser, find_user_for_sign_in, insert_user};

    async fn user(store: &Store) -> User {
        let new = NewUser {
            email: Email::parse("jane@example.org").unwrap(),
            given_name: None,
            family_name: None,
            locale: "en".into(),
        };
        insert_user(store, new, UnixTime(1)).await.unwrap()
    }

    crate::engine_tests! {
        async fn links_are_spaced_ever_further_apart_but_never_beyond_an_hour(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            let mut at = 1_000;
            assert!(start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(at)).await.unwrap().is_some());
            for wait in [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600] {
                let early = start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(at + wait - 1)).await.unwrap();
                assert_eq!(early, None, "not before {wait} s");
                at += wait;
                assert!(start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(at)).await.unwrap().is_some(), "after {wait} s");
            }
            // An operator who cleared the password sends one at once.
            assert!(start_password_reset(&store, &jane.id, AskedBy::Operator, UnixTime(at)).await.unwrap().is_some());
        }

        async fn a_used_link_gives_the_network_that_asked_for_it_its_request_back(db: TestDatabase) {
            use crate::throttle::{SignInAttempt, Taken};
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            let network: std::net::IpAddr = "192.0.2.44".parse().unwrap();
            let asking = SignInAttempt::reset_request(&network);
            let take = |at: i64| {
                let (asking, store) = (asking.clone(), store.clone());
                async move { asking.take(&store, UnixTime(at)).await.unwrap() }
            };
            for _ in 0..20 {
                assert!(matches!(take(1_000).await, Taken::Counted { .. }));
            }
            assert_eq!(take(1_000).await, Taken::Wait(60), "twenty in a row, then a wait");
            // A link mailed for a registration counted no reset request: using it gives nothing back.
            let bob = NewUser { email: Email::parse("bob@example.org").unwrap(), given_name: None, family_name: None, locale: "en".into() };
            let bob = insert_user(&store, bob, UnixTime(1)).await.unwrap();
            let unasked = start_password_reset(&store, &bob.id, AskedBy::Anyone { from: None }, UnixTime(1_000)).await.unwrap().unwrap();
            complete_password_reset(&store, &unasked, "$argon2id$a", UnixTime(1_001)).await.unwrap().unwrap();
            assert_eq!(take(1_001).await, Taken::Wait(59));
            // A link that network asked for: once used, the network may ask again.
            let asked = start_password_reset(&store, &jane.id, AskedBy::Anyone { from: Some(network) }, UnixTime(1_001)).await.unwrap().unwrap();
            complete_password_reset(&store, &asked, "$argon2id$b", UnixTime(1_002)).await.unwrap().unwrap();
            assert!(matches!(take(1_002).await, Taken::Counted { wait_if_wrong: 60, .. }));
        }

        async fn a_reset_link_works_once_within_thirty_minutes_and_ends_all_sessions(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            let (session, _) = create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 3600).await.unwrap().unwrap();
            let token = start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(100)).await.unwrap().unwrap();
            assert_eq!(start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(159)).await.unwrap(), None, "one a minute");
            let other = start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(160)).await.unwrap().unwrap();
            assert_eq!(find_password_reset(&store, &token, UnixTime(161)).await.unwrap().map(|u| u.id), Some(jane.id.clone()));
            assert!(find_password_reset(&store, "forged", UnixTime(161)).await.unwrap().is_none());

            let done = complete_password_reset(&store, &token, "$argon2id$new", UnixTime(162)).await.unwrap();
            assert_eq!(done, Some(jane.id.clone()));
            let email = Email::parse(&jane.email).unwrap();
            let hash = find_user_for_sign_in(&store, &email).await.unwrap().unwrap().password_hash;
            assert_eq!(hash.as_deref(), Some("$argon2id$new"));
            assert!(find_session(&store, &session.id, UnixTime(163)).await.unwrap().is_none(), "signed out everywhere");
            assert!(complete_password_reset(&store, &token, "$argon2id$again", UnixTime(163)).await.unwrap().is_none(), "single use");
            assert!(complete_password_reset(&store, &other, "$argon2id$again", UnixTime(163)).await.unwrap().is_none(), "the other link is spent too");
            assert!(get_user(&store, &jane.id).await.unwrap().email_verified, "the link proved the mailbox");
        }

        async fn a_reset_of_a_never_confirmed_account_removes_its_second_factors(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            crate::mfa::new_recovery_codes(&store, &jane.id, UnixTime(50)).await.unwrap();
            let token = start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(100)).await.unwrap().unwrap();
            complete_password_reset(&store, &token, "$argon2id$new", UnixTime(101)).await.unwrap().unwrap();
            assert_eq!(crate::mfa::mfa_status(&store, &jane.id).await.unwrap().recovery_codes_left, 0);
        }

        async fn reset_links_expire(db: TestDatabase) {
            let store = db.migrated_store().await;
            let jane = user(&store).await;
            let token = start_password_reset(&store, &jane.id, AskedBy::Anyone { from: None }, UnixTime(100)).await.unwrap().unwrap();
            let late = UnixTime(100 + RESET_LIFETIME_SECONDS);
            assert!(find_password_reset(&store, &token, late).await.unwrap().is_none());
            assert!(complete_password_reset(&store, &token, "$argon2id$new", late).await.unwrap().is_none());
        }
    }
}
