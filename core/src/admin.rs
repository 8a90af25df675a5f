//! What the platform's operators see of everyone, and may do to any account:
//! the console at `/admin`. The server checks the operator role before it
//! calls anything here; every change is audited there.
//!
//! - Finding accounts by e-mail, name or organisation.
//! - Locking an account: no sign-in of any kind while locked; its sessions
//!   end and its grants are revoked in the same transaction. Unlocking
//!   gives nothing back: the person signs in again.
//! - Ending every session of an account, and forcing a new password (the
//!   old one stops working at once; the person gets a reset link).
//! - The tenants at a glance.

use crate::clock::UnixTime;
use crate::msg;
use crate::store::{Store, StoreError, like_contains};
use crate::users::UserId;
use crate::validation::Message;

/// SQL that holds while the account whose id is the SQL expression `$user`
/// is locked: the one test of a lock that the queries of sessions, grants
/// and sign-ins share, so that a new session or grant checks the lock in
/// the statement that starts it.
macro_rules! locked_sql {
    ($user:expr) => {
        concat!("EXISTS (SELECT 1 FROM account_locks l WHERE l.user_id = ", $user, ")")
    };
}
pub(crate) use locked_sql;

/// Reasons are for the next operator and the audit log: a sentence or two.
pub const MAX_REASON_CHARS: usize = 500;
/// Search results shown at once.
pub const SEARCH_LIMIT: i64 = 50;

/// An account in a search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub created_at: UnixTime,
    pub locked: bool,
}

type SummaryRow = (String, String, Option<String>, Option<String>, i16, i64, Option<i64>);

/// Accounts whose e-mail or name contains `search`, or who belong to a
/// tenant whose name contains it (or whose id it is); newest first, at most
/// `limit`. An empty search lists the newest accounts.
pub async fn find_users(store: &Store, search: &str, limit: i64) -> Result<Vec<UserSummary>, StoreError> {
    let pattern = like_contains(search);
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.given_name, u.family_name, u.email_verified, u.created_at, l.locked_at \
         FROM users u LEFT JOIN account_locks l ON l.user_id = u.id \
         WHERE $1 IS NULL \
            OR LOWER(u.email) LIKE $1 ESCAPE '\\' \
            OR LOWER(COALESCE(u.given_name, '') || ' ' || COALESCE(u.family_name, '')) LIKE $1 ESCAPE '\\' \
            OR EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
                       WHERE m.user_id = u.id AND (LOWER(t.name) LIKE $1 ESCAPE '\\' OR t.id = $2)) \
         ORDER BY u.created_at DESC, u.id LIMIT $3",
    )
    .bind(pattern)
    .bind(search.trim())
    .bind(limit)
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, given, family, verified, created_at, locked_at)| UserSummary {
            id: UserId::from_stored(id),
            email,
            name: crate::users::display_name(given.as_deref(), family.as_deref()),
            email_verified: verified != 0,
            created_at: UnixTime(created_at),
            locked: locked_at.is_some(),
        })
        .collect())
}

/// Why and since when an account is locked, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub locked_at: UnixTime,
    /// The operator's e-mail; `None` once that account is gone.
    pub locked_by: Option<String>,
    pub reason: String,
}

pub async fn lock_of(store: &Store, user: &UserId) -> Result<Option<Lock>, StoreError> {
    let row: Option<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT l.locked_at, o.email, l.reason FROM account_locks l LEFT JOIN users o ON o.id = l.locked_by \
         WHERE l.user_id = $1",
    )
    .bind(user.as_str())
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(|(at, by, reason)| Lock { locked_at: UnixTime(at), locked_by: by, reason }))
}

/// Whether the account may not sign in.
pub async fn is_locked(store: &Store, user: &UserId) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT locked_at FROM account_locks WHERE user_id = $1")
        .bind(user.as_str())
        .fetch_optional(store.reads())
        .await?;
    Ok(row.is_some())
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("no such account")]
    NotFound,
    #[error("the account is already locked")]
    AlreadyLocked,
    #[error("operators cannot lock their own account")]
    Own,
    #[error("reason: {0}")]
    Reason(Message),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The reason as typed, trimmed; refused when empty, too long, or with
/// control characters.
pub fn check_reason(typed: &str) -> Result<String, Message> {
    let reason = typed.trim();
    if reason.is_empty() {
        return Err(msg!(
            "Say why, for the next operator and the audit log.",
            "Geben Sie einen Grund an, für die nächste Betreiberin und das Audit-Protokoll."
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(msg!("At most {MAX_REASON_CHARS} characters.", "Höchstens {MAX_REASON_CHARS} Zeichen."));
    }
    if reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(msg!("Control characters are not allowed.", "Steuerzeichen sind nicht erlaubt."));
    }
    Ok(reason.to_string())
}

/// Locks the account, ends its sessions and revokes its grants, at once.
/// Returns how many sessions ended.
pub async fn lock_account(
    store: &Store,
    user: &UserId,
    operator: &UserId,
    reason: &str,
    now: UnixTime,
) -> Result<u64, LockError> {
    let reason = check_reason(reason).map_err(LockError::Reason)?;
    if user == operator {
        return Err(LockError::Own);
    }
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE id = $1")
        .bind(user.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if exists.is_none() {
        return Err(LockError::NotFound);
    }
    let inserted = sqlx::query(
        "INSERT INTO account_locks (user_id, locked_at, locked_by, reason) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.as_str())
    .bind(now.0)
    .bind(operator.as_str())
    .bind(&reason)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if inserted.rows_affected() == 0 {
        return Err(LockError::AlreadyLocked);
    }
    let ended = end_everything_in(&mut tx, user, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ended)
}

/// Unlocks the account; `false` when it was not locked.
/// A session still open then can only be one a sign-in made while the lock
/// was being applied (the lock ended all others, and no sign-in passes a
/// lock): it ends now, rather than come back to life.
pub async fn unlock_account(store: &Store, user: &UserId, now: UnixTime) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let deleted =
        sqlx::query("DELETE FROM account_locks WHERE user_id = $1").bind(user.as_str()).execute(&mut *tx).await?;
    if deleted.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
        .bind(now.0)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends every session of the account and revokes every grant; returns how
/// many sessions ended.
pub async fn end_all_sessions(store: &Store, user: &UserId, now: UnixTime) -> Result<u64, StoreError> {
    let mut tx = store.pool().begin().await?;
    let ended = end_everything_in(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Removes the account's password, ends its sessions and revokes its
/// grants: the person must set a new password by a reset link. `false`
/// when there is no such account.
pub async fn clear_password(store: &Store, user: &UserId, now: UnixTime) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let cleared = sqlx::query("UPDATE users SET password_hash = NULL, updated_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    if cleared.rows_affected() == 0 {
        return Ok(false);
    }
    end_everything_in(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(true)
}

async fn end_everything_in(tx: &mut sqlx::AnyConnection, user: &UserId, now: UnixTime) -> Result<u64, StoreError> {
    let ended = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
        .bind(now.0)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now.0)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    // A second factor half-way: its pending sign-in is forgotten too.
    sqlx::query("DELETE FROM pending_second_factors WHERE user_id = $1").bind(user.as_str()).execute(&mut *tx).await?;
    Ok(ended)
}

/// A tenant in the operators' overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantOverview {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// The organisation a department belongs to (`None`: it is one).
    pub organisation: Option<String>,
    pub parent_id: Option<String>,
    pub archived: bool,
    pub members: i64,
    pub applications: i64,
    pub created_at: UnixTime,
}

type TenantRow = (String, String, String, Option<String>, Option<String>, Option<i64>, i64, i64, i64);

/// Tenants whose name contains `search` (or whose id it is), organisations
/// before their departments, at most `limit`.
pub async fn tenants_overview(store: &Store, search: &str, limit: i64) -> Result<Vec<TenantOverview>, StoreError> {
    let rows: Vec<TenantRow> = sqlx::query_as(
        "SELECT t.id, t.name, t.kind, CASE WHEN t.parent_id IS NULL THEN NULL ELSE r.name END, t.parent_id, \
                t.archived_at, t.created_at, \
                (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id), \
                (SELECT COUNT(*) FROM applications a WHERE a.tenant_id = t.id) \
         FROM tenants t JOIN tenants r ON r.id = t.root_id \
         WHERE $1 IS NULL OR LOWER(t.name) LIKE $1 ESCAPE '\\' OR t.id = $2 \
         ORDER BY LOWER(r.name), r.id, CASE WHEN t.parent_id IS NULL THEN 0 ELSE 1 END, LOWER(t.name), t.id \
         LIMIT $3",
    )
    .bind(like_contains(search))
    .bind(search.trim())
    .bind(limit)
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, organisation, parent_id, archived_at, created_at, members, applications)| {
            TenantOverview {
                id,
                name,
                kind,
                organisation,
                parent_id,
                archived: archived_at.is_some(),
                members,
                applications,
                created_at: UnixTime(created_at),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::{create_session, find_session};
    use crate::users::{Email, NewUser};

    async fn account(store: &Store, email: &str, given: &str) -> UserId {
        let new = NewUser {
            email: Email::parse(email).unwrap(),
            given_name: Some(given.to_string()),
            family_name: Some("Muster".to_string()),
            locale: "de".to_string(),
        };
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA";
        crate::users::insert_user_with(store, new, Some(hash), None, UnixTime(1)).await.unwrap().id
    }

    #[test]
    fn reasons_are_short_plain_sentences() {
        assert_eq!(check_reason("  phished, see ticket 42 ").unwrap(), "phished, see ticket 42");
        assert!(check_reason("   ").is_err());
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(check_reason(&"ü".repeat(MAX_REASON_CHARS)).is_ok(), "characters, not bytes");
        assert!(check_reason("bell\u{7}").is_err());
        assert!(check_reason("two\nlines").is_ok());
    }

    crate::engine_tests! {
        async fn search_finds_by_address_name_and_organisation(db: TestDatabase) {
            let store = db.migrated_store().await;
            let anna = account(&store, "anna@klinik.example", "Anna").await;
            let bert = account(&store, "bert@praxis.example", "Bert").await;
            let tenant = crate::tenants::insert_tenant(&store, crate::tenants::NewTenant {
                parent_id: None,
                kind: crate::tenants::TenantKind::Organization,
                name: crate::tenants::TenantName::parse("Praxis Dr. Weiß").unwrap(),
            }, UnixTime(2)).await.unwrap();
            sqlx::query("INSERT INTO memberships (tenant_id, user_id, created_at) VALUES ($1, $2, 3)")
                .bind(tenant.id.as_str()).bind(bert.as_str()).execute(store.pool()).await.unwrap();
            let ids = |found: Vec<UserSummary>| found.into_iter().map(|u| u.id.as_str().to_string()).collect::<Vec<_>>();
            assert_eq!(ids(find_users(&store, "KLINIK", 10).await.unwrap()), [anna.as_str()]);
            assert_eq!(ids(find_users(&store, "bert muster", 10).await.unwrap()), [bert.as_str()]);
            assert_eq!(ids(find_users(&store, "weiß", 10).await.unwrap()), [bert.as_str()]);
            assert_eq!(ids(find_users(&store, tenant.id.as_str(), 10).await.unwrap()), [bert.as_str()]);
            assert_eq!(find_users(&store, "", 10).await.unwrap().len(), 2);
            assert!(find_users(&store, "%", 10).await.unwrap().is_empty(), "LIKE wildcards are literal");
            let overview = tenants_overview(&store, "weiß", 10).await.unwrap();
            assert_eq!((overview.len(), overview[0].members, overview[0].organisation.as_deref()), (1, 1, None));
        }

        async fn a_lock_ends_everything_and_holds_until_unlocked(db: TestDatabase) {
            let store = db.migrated_store().await;
            let operator = account(&store, "op@sanus.example", "Olga").await;
            let anna = account(&store, "anna@klinik.example", "Anna").await;
            let (session, _) = create_session(&store, &anna, &["pwd"], None, UnixTime(10), 3_600).await.unwrap().unwrap();
            assert!(matches!(lock_account(&store, &operator, &operator, "test", UnixTime(11)).await, Err(LockError::Own)));
            assert!(matches!(lock_account(&store, &anna, &operator, " ", UnixTime(11)).await, Err(LockError::Reason(_))));
            assert!(!is_locked(&store, &anna).await.unwrap(), "a refused lock changes nothing");
            assert!(find_session(&store, &session.id, UnixTime(11)).await.unwrap().is_some());

            let client = crate::clients::ClientId::parse("c1").unwrap();
            sqlx::query("INSERT INTO tenants (id, root_id, kind, name, created_at, updated_at) VALUES ('t', 't', 'development', 'T', 1, 1)")
                .execute(store.pool()).await.unwrap();
            sqlx::query("INSERT INTO applications (id, tenant_id, short_key, name, created_at, updated_at) VALUES ('a', 't', 'app', 'A', 1, 1)")
                .execute(store.pool()).await.unwrap();
            sqlx::query("INSERT INTO clients (id, application_id, kind, name, token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, \
                         grant_types, allowed_scopes, require_pkce, first_party, access_token_ttl, refresh_token_ttl, id_token_signed_response_alg, \
                         metadata, created_at, updated_at) VALUES ($1, 'a', 'spa', 'C', 'none', '[]', '[]', '[]', '[]', 1, 0, 60, 60, 'RS256', '{}', 1, 1)")
                .bind(client.as_str()).execute(store.pool()).await.unwrap();
            sqlx::query("INSERT INTO token_families (id, client_id, user_id, session_id, scopes, auth_time, amr, created_at) \
                         VALUES ('f1', $1, $2, $3, '[]', 10, '[]', 10)")
                .bind(client.as_str()).bind(anna.as_str()).bind(&session.id).execute(store.pool()).await.unwrap();
            assert_eq!(lock_account(&store, &anna, &operator, "phished", UnixTime(12)).await.unwrap(), 1);
            let (revoked,): (Option<i64>,) = sqlx::query_as("SELECT revoked_at FROM token_families WHERE id = 'f1'")
                .fetch_one(store.pool()).await.unwrap();
            assert_eq!(revoked, Some(12), "the grant is revoked with the lock");
            assert!(find_session(&store, &session.id, UnixTime(13)).await.unwrap().is_none(), "the session ended");
            let lock = lock_of(&store, &anna).await.unwrap().unwrap();
            assert_eq!((lock.locked_at, lock.locked_by.as_deref(), lock.reason.as_str()), (UnixTime(12), Some("op@sanus.example"), "phished"));
            assert!(matches!(lock_account(&store, &anna, &operator, "again", UnixTime(13)).await, Err(LockError::AlreadyLocked)));
            let nobody = UserId::from_stored("nobody".into());
            assert!(matches!(lock_account(&store, &nobody, &operator, "x", UnixTime(13)).await, Err(LockError::NotFound)));
            assert!(find_users(&store, "anna", 10).await.unwrap()[0].locked);
            let email = Email::parse("anna@klinik.example").unwrap();
            assert!(crate::users::find_user_for_sign_in(&store, &email).await.unwrap().unwrap().locked);
            assert_eq!(create_session(&store, &anna, &["pwd"], None, UnixTime(13), 3_600).await.unwrap(), None, "no session starts while locked");
            let grant = crate::tokens::DirectGrant { client_id: client.as_str().into(), user_id: anna.clone(), scopes: vec![], amr: vec!["pwd".into()] };
            assert!(crate::tokens::start_family(&store, &grant, None, UnixTime(13)).await.unwrap().is_none(), "nor a grant");

            assert!(unlock_account(&store, &anna, UnixTime(10)).await.unwrap());
            assert!(!unlock_account(&store, &anna, UnixTime(10)).await.unwrap());
            assert!(!is_locked(&store, &anna).await.unwrap());
            assert!(!crate::users::find_user_for_sign_in(&store, &email).await.unwrap().unwrap().locked);
            assert!(create_session(&store, &anna, &["pwd"], None, UnixTime(14), 3_600).await.unwrap().is_some());
            assert!(crate::tokens::start_family(&store, &grant, None, UnixTime(14)).await.unwrap().is_some());
        }

        async fn clearing_the_password_ends_the_sessions(db: TestDatabase) {
            let store = db.migrated_store().await;
            let anna = account(&store, "anna@klinik.example", "Anna").await;
            let (session, _) = create_session(&store, &anna, &["pwd"], None, UnixTime(10), 3_600).await.unwrap().unwrap();
            assert!(clear_password(&store, &anna, UnixTime(11)).await.unwrap());
            let account = crate::users::find_user_for_sign_in(&store, &Email::parse("anna@klinik.example").unwrap())
                .await.unwrap().unwrap();
            assert_eq!(account.password_hash, None);
            assert!(find_session(&store, &session.id, UnixTime(12)).await.unwrap().is_none());
            assert!(!clear_password(&store, &UserId::from_stored("nobody".into()), UnixTime(12)).await.unwrap());
        }
    }
}
