//! Single sign-on sessions: the browser keeps a random token in a cookie,
//! the database its SHA-256 and what the session proves (who, when, how).

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::{User, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Public id: the `sid` claim. Not the cookie value.
    pub id: String,
    pub user_id: UserId,
    pub auth_time: UnixTime,
    /// Authentication methods (RFC 8176), e.g. `["pwd"]`.
    pub amr: Vec<String>,
    /// When it was last used to sign in to something (kept to 5 minutes).
    pub last_seen_at: UnixTime,
    pub expires_at: UnixTime,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    user_id: String,
    auth_time: i64,
    amr: String,
    last_seen_at: i64,
    expires_at: i64,
}

impl From<SessionRow> for Session {
    fn from(row: SessionRow) -> Self {
        Self {
            id: row.id,
            user_id: UserId::from_stored(row.user_id),
            auth_time: UnixTime(row.auth_time),
            amr: serde_json::from_str(&row.amr).unwrap_or_default(),
            last_seen_at: UnixTime(row.last_seen_at),
            expires_at: UnixTime(row.expires_at),
        }
    }
}

/// A session unused this long ends (signing in to an app, or a page of
/// Sanus, uses it; its use is noted at most every five minutes).
pub const IDLE_SECONDS: i64 = 2 * 3600;

/// The condition that the account of session alias `$s` is not locked: a
/// lock ends its sessions, and a session a sign-in created while the lock
/// was being applied counts as ended too.
macro_rules! not_locked {
    ($s:literal) => {
        concat!("NOT ", crate::admin::locked_sql!(concat!($s, ".user_id")))
    };
}

/// Starts a session on `device` (a short description such as "Firefox on
/// Windows"); returns it and the token for the cookie, or `None` when the
/// account is locked.
pub async fn create_session(
    store: &Store,
    user_id: &UserId,
    amr: &[&str],
    device: Option<&str>,
    now: UnixTime,
    lifetime_seconds: i64,
) -> Result<Option<(Session, String)>, StoreError> {
    let token = crate::random::url_safe(32);
    let session = Session {
        id: crate::random::url_safe(16),
        user_id: user_id.clone(),
        auth_time: now,
        amr: amr.iter().map(|m| (*m).to_string()).collect(),
        last_seen_at: now,
        expires_at: now.plus_seconds(lifetime_seconds),
    };
    let amr_json = serde_json::to_string(&session.amr).unwrap_or_else(|_| "[]".into());
    // The lock is checked in the same statement, so that no session starts
    // for an account an operator locks meanwhile.
    let inserted = sqlx::query(concat!(
        "INSERT INTO sessions (id, token_hash, user_id, auth_time, amr, created_at, last_seen_at, expires_at, device) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE NOT ",
        crate::admin::locked_sql!("$3"),
    ))
    .bind(&session.id)
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(user_id.as_str())
    .bind(now.0)
    .bind(amr_json)
    .bind(now.0)
    .bind(now.0)
    .bind(session.expires_at.0)
    .bind(device)
    .execute(store.pool())
    .await?;
    Ok((inserted.rows_affected() == 1).then_some((session, token)))
}

/// What an authorization request needs to know about the browser's
/// session, read in one query: the session, its account, and what the
/// account allowed the client so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub session: Session,
    pub user: User,
    /// The scopes consented to this client, if any.
    pub consent: Option<Vec<String>>,
    /// An organisation the person belongs to requires a second factor.
    pub organisation_requires_mfa: bool,
}

/// The query of [`SignedIn`], for the live session whose `$key` is `$1`.
macro_rules! signed_in_sql {
    ($key:literal) => {
        concat!(
            "SELECT s.id, s.user_id, s.auth_time, s.amr, s.last_seen_at, s.expires_at, \
                    u.email, u.email_verified, u.given_name, u.family_name, u.locale, u.created_at, u.updated_at, \
                    (SELECT c.scopes FROM consents c WHERE c.user_id = s.user_id AND c.client_id = $3) AS consent, ",
            crate::organizations::organisation_requires_mfa_sql!("s.user_id"),
            " AS organisation_requires_mfa \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE ",
            $key,
            " = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $4 AND ",
            not_locked!("s"),
        )
    };
}

/// The signed-in state of the session whose cookie holds `token`, for an
/// authorization request of `client_id`.
pub async fn find_signed_in(
    store: &Store,
    token: &str,
    client_id: &str,
    now: UnixTime,
) -> Result<Option<SignedIn>, StoreError> {
    let token_hash = SecretHash::of(token.as_bytes());
    signed_in(store, signed_in_sql!("s.token_hash"), token_hash.as_str(), client_id, now).await
}

/// As [`find_signed_in`], for the session with this id (the one an
/// interaction's sign-in started).
pub async fn find_signed_in_by_id(
    store: &Store,
    id: &str,
    client_id: &str,
    now: UnixTime,
) -> Result<Option<SignedIn>, StoreError> {
    signed_in(store, signed_in_sql!("s.id"), id, client_id, now).await
}

async fn signed_in(
    store: &Store,
    sql: &'static str,
    key: &str,
    client_id: &str,
    now: UnixTime,
) -> Result<Option<SignedIn>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        session: SessionRow,
        #[sqlx(flatten)]
        user: crate::users::UserFields,
        consent: Option<String>,
        organisation_requires_mfa: i64,
    }
    let row: Option<Row> = sqlx::query_as(sql)
        .bind(key)
        .bind(now.0)
        .bind(client_id)
        .bind(now.0 - IDLE_SECONDS)
        .fetch_optional(store.reads())
        .await?;
    Ok(row.map(|row| {
        let session = Session::from(row.session);
        let user = row.user.into_user(session.user_id.clone());
        let consent = row.consent.map(|scopes| serde_json::from_str(&scopes).unwrap_or_default());
        SignedIn { session, user, consent, organisation_requires_mfa: row.organisation_requires_mfa > 0 }
    }))
}

/// The live session a cookie token belongs to.
pub async fn find_session_by_token(store: &Store, token: &str, now: UnixTime) -> Result<Option<Session>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as(concat!(
        "SELECT s.id, s.user_id, s.auth_time, s.amr, s.last_seen_at, s.expires_at FROM sessions s \
         WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3 AND ",
        not_locked!("s"),
    ))
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(now.0)
    .bind(now.0 - IDLE_SECONDS)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(Session::from))
}

pub async fn find_session(store: &Store, id: &str, now: UnixTime) -> Result<Option<Session>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as(concat!(
        "SELECT s.id, s.user_id, s.auth_time, s.amr, s.last_seen_at, s.expires_at FROM sessions s \
         WHERE s.id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3 AND ",
        not_locked!("s"),
    ))
    .bind(id)
    .bind(now.0)
    .bind(now.0 - IDLE_SECONDS)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(Session::from))
}

/// Adds authentication methods the session has just proven (a second
/// factor typed while it lasts) to the ones it records.
pub async fn add_methods(store: &Store, session: &Session, methods: &[&str]) -> Result<(), StoreError> {
    let mut amr = session.amr.clone();
    for method in methods {
        if !amr.iter().any(|m| m == method) {
            amr.push((*method).to_string());
        }
    }
    let amr = serde_json::to_string(&amr).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
    sqlx::query("UPDATE sessions SET amr = $1 WHERE id = $2").bind(amr).bind(&session.id).execute(store.pool()).await?;
    Ok(())
}

/// Ends a session (sign-out); idempotent.
pub async fn end_session(store: &Store, id: &str, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(now.0)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{Email, NewUser, insert_user};

    crate::engine_tests! {
        async fn sessions_are_found_by_token_until_they_end_or_expire(db: TestDatabase) {
            let store = db.migrated_store().await;
            let new = NewUser { email: Email::parse("a@b.de").unwrap(), given_name: None, family_name: None, locale: "de".into() };
            let user = insert_user(&store, new, UnixTime(1)).await.unwrap();
            let (session, token) = create_session(&store, &user.id, &["pwd"], None, UnixTime(100), 1000).await.unwrap().unwrap();
            assert_eq!(token.len(), 43);
            let found = find_session_by_token(&store, &token, UnixTime(101)).await.unwrap().unwrap();
            assert_eq!(found, session);
            assert_eq!(found.amr, ["pwd"]);
            assert!(find_session_by_token(&store, "other", UnixTime(101)).await.unwrap().is_none());
            assert!(find_session_by_token(&store, &token, UnixTime(1100)).await.unwrap().is_none(), "expired");
            end_session(&store, &session.id, UnixTime(200)).await.unwrap();
            assert!(find_session_by_token(&store, &token, UnixTime(201)).await.unwrap().is_none(), "ended");
            assert!(find_session(&store, &session.id, UnixTime(201)).await.unwrap().is_none());
        }

        async fn the_signed_in_state_is_found_by_token_and_by_id_alike(db: TestDatabase) {
            let store = db.migrated_store().await;
            let new = NewUser { email: Email::parse("a@b.de").unwrap(), given_name: Some("Ada".into()), family_name: None, locale: "de".into() };
            let user = insert_user(&store, new, UnixTime(1)).await.unwrap();
            let (session, token) = create_session(&store, &user.id, &["pwd"], None, UnixTime(100), 1000).await.unwrap().unwrap();
            let by_token = find_signed_in(&store, &token, "c1", UnixTime(101)).await.unwrap().unwrap();
            let by_id = find_signed_in_by_id(&store, &session.id, "c1", UnixTime(101)).await.unwrap().unwrap();
            assert_eq!(by_token, by_id);
            assert_eq!((by_id.session, by_id.user, by_id.consent, by_id.organisation_requires_mfa), (session.clone(), user, None, false));
            assert!(find_signed_in_by_id(&store, &token, "c1", UnixTime(101)).await.unwrap().is_none(), "a token is no id");
            assert!(find_signed_in(&store, &session.id, "c1", UnixTime(101)).await.unwrap().is_none(), "an id is no token");
            assert!(find_signed_in_by_id(&store, &session.id, "c1", UnixTime(1100)).await.unwrap().is_none(), "expired");
            end_session(&store, &session.id, UnixTime(200)).await.unwrap();
            assert!(find_signed_in_by_id(&store, &session.id, "c1", UnixTime(201)).await.unwrap().is_none(), "ended");
        }

        async fn a_session_unused_for_two_hours_ends_and_one_in_use_does_not(db: TestDatabase) {
            let store = db.migrated_store().await;
            let new = NewUser { email: Email::parse("a@b.de").unwrap(), given_name: None, family_name: None, locale: "de".into() };
            let user = insert_user(&store, new, UnixTime(1)).await.unwrap();
            let day = 24 * 3600;
            let (idle, idle_token) = create_session(&store, &user.id, &["pwd"], None, UnixTime(0), day).await.unwrap().unwrap();
            let (used, used_token) = create_session(&store, &user.id, &["pwd"], None, UnixTime(0), day).await.unwrap().unwrap();
            let at = |seconds: i64| UnixTime(seconds);
            assert!(find_session_by_token(&store, &idle_token, at(IDLE_SECONDS - 1)).await.unwrap().is_some());
            crate::account::touch_session(&store, &used, at(IDLE_SECONDS - 1)).await.unwrap();
            assert!(find_session_by_token(&store, &idle_token, at(IDLE_SECONDS)).await.unwrap().is_none(), "idle");
            assert!(find_session(&store, &idle.id, at(IDLE_SECONDS)).await.unwrap().is_none());
            let in_use = find_session_by_token(&store, &used_token, at(2 * IDLE_SECONDS - 2)).await.unwrap();
            assert!(in_use.is_some(), "used an hour ago");
            let listed = crate::account::list_sessions(&store, &user.id, at(IDLE_SECONDS)).await.unwrap();
            assert_eq!(listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [used.id.as_str()]);
        }
    }
}
