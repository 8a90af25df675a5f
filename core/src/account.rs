//! What a person can see and change of their own account: their sessions,
//! the applications they allowed, their password. Every function takes the
//! account's id and touches nothing of anyone else's.

use crate::clock::UnixTime;
use crate::sessions::Session;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// A live session as the account console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: String,
    pub device: Option<String>,
    pub created_at: UnixTime,
    pub last_seen_at: UnixTime,
    pub amr: Vec<String>,
}

/// The account's live sessions, the most recently used first.
pub async fn list_sessions(store: &Store, user_id: &UserId, now: UnixTime) -> Result<Vec<SessionSummary>, StoreError> {
    let rows: Vec<(String, Option<String>, i64, i64, String)> = sqlx::query_as(
        "SELECT id, device, created_at, last_seen_at, amr FROM sessions \
         WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY last_seen_at DESC, id",
    )
    .bind(user_id.as_str())
    .bind(now.0)
    .bind(now.0 - crate::sessions::IDLE_SECONDS)
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, device, created_at, last_seen_at, amr)| SessionSummary {
            id,
            device,
            created_at: UnixTime(created_at),
            last_seen_at: UnixTime(last_seen_at),
            amr: serde_json::from_str(&amr).unwrap_or_default(),
        })
        .collect())
}

/// How often a session's use is written down, at most.
const TOUCH_EVERY_SECONDS: i64 = 300;

/// Notes that a session was just used, at most once in five minutes (so
/// that signing in to apps does not write on every request): nothing is
/// written while the use `session` records is that recent.
pub async fn touch_session(store: &Store, session: &Session, now: UnixTime) -> Result<(), StoreError> {
    if now.seconds() - session.last_seen_at.seconds() < TOUCH_EVERY_SECONDS {
        return Ok(());
    }
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
        .bind(now.0)
        .bind(&session.id)
        .bind(now.0 - TOUCH_EVERY_SECONDS)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Ends one of the account's sessions and revokes what was issued in it;
/// `false` when it is not (or no longer) one of them.
pub async fn end_own_session(
    store: &Store,
    user_id: &UserId,
    session_id: &str,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let ended = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND user_id = $3 AND ended_at IS NULL")
        .bind(now.0)
        .bind(session_id)
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    sqlx::query(
        "UPDATE token_families SET revoked_at = $1 WHERE session_id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(session_id)
    .bind(user_id.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// What can be finished without a session or the password once begun with
/// them, by whoever began it (someone else, maybe): an address change (its
/// mailed link or code), a sign-in waiting for its second factor.
pub(crate) const BEGUN_ELSEWHERE: [&str; 2] = [
    "UPDATE email_verifications SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
    "UPDATE pending_second_factors SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
];

/// Ends every session of the account but `keep`, with what they issued and
/// what was begun elsewhere ([`BEGUN_ELSEWHERE`]); returns how many ended.
pub async fn end_other_sessions(store: &Store, user_id: &UserId, keep: &str, now: UnixTime) -> Result<u64, StoreError> {
    let mut tx = store.pool().begin().await?;
    for statement in BEGUN_ELSEWHERE {
        sqlx::query(statement).bind(now.0).bind(user_id.as_str()).execute(&mut *tx).await?;
    }
    let ended = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND id <> $3 AND ended_at IS NULL")
        .bind(now.0)
        .bind(user_id.as_str())
        .bind(keep)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "UPDATE token_families SET revoked_at = $1 \
         WHERE user_id = $2 AND (session_id IS NULL OR session_id <> $3) AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(user_id.as_str())
    .bind(keep)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// An application the account allowed, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedApp {
    pub client_id: String,
    pub name: String,
    pub logo_uri: Option<String>,
    pub scopes: Vec<String>,
    /// Professional profile field id → shared with this client.
    pub profile_fields: std::collections::BTreeMap<String, bool>,
    pub granted_at: UnixTime,
}

type ConnectedAppRow = (String, String, Option<String>, String, Option<String>, i64);

/// The applications the account gave its consent to, newest first.
pub async fn connected_apps(store: &Store, user_id: &UserId) -> Result<Vec<ConnectedApp>, StoreError> {
    let rows: Vec<ConnectedAppRow> = sqlx::query_as(
        "SELECT c.client_id, k.name, k.logo_uri, c.scopes, c.profile_fields, c.updated_at FROM consents c \
         JOIN clients k ON k.id = c.client_id WHERE c.user_id = $1 ORDER BY c.updated_at DESC, k.name",
    )
    .bind(user_id.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(client_id, name, logo_uri, scopes, profile_fields, granted_at)| ConnectedApp {
            client_id,
            name,
            logo_uri,
            scopes: serde_json::from_str(&scopes).unwrap_or_default(),
            profile_fields: profile_fields.and_then(|f| serde_json::from_str(&f).ok()).unwrap_or_default(),
            granted_at: UnixTime(granted_at),
        })
        .collect())
}

/// Withdraws the consent given to a client and revokes every token it
/// holds for the account; `false` when there was no consent.
pub async fn disconnect_app(
    store: &Store,
    user_id: &UserId,
    client_id: &str,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let removed = sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id.as_str())
        .bind(client_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    sqlx::query(
        "UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND client_id = $3 AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(user_id.as_str())
    .bind(client_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(removed)
}

/// Sets a new password (an argon2id PHC string); every other session ends,
/// every token of the account is revoked and what was begun elsewhere
/// ([`BEGUN_ELSEWHERE`]) is cancelled, so that whoever knew the old
/// password is out. The session `keep` (the one changing it) stays.
pub async fn change_password(
    store: &Store,
    user_id: &UserId,
    password_hash: &str,
    keep: &str,
    now: UnixTime,
) -> Result<(), StoreError> {
    let mut tx = store.pool().begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now.0)
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND id <> $3 AND ended_at IS NULL")
        .bind(now.0)
        .bind(user_id.as_str())
        .bind(keep)
        .execute(&mut *tx)
        .await?;
    for statement in [
        "UPDATE token_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
    ]
    .into_iter()
    .chain(BEGUN_ELSEWHERE)
    {
        sqlx::query(statement).bind(now.0).bind(user_id.as_str()).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Everything Sanus keeps about the account, as JSON for its owner
/// ("download my data"): never a secret, hash or token.
pub async fn export(store: &Store, user_id: &UserId, now: UnixTime) -> Result<serde_json::Value, StoreError> {
    use serde_json::json;
    let user = crate::users::get_user(store, user_id).await?;
    let (terms_accepted_at,): (Option<i64>,) = sqlx::query_as("SELECT terms_accepted_at FROM users WHERE id = $1")
        .bind(user_id.as_str())
        .fetch_one(store.reads())
        .await?;
    let sessions = list_sessions(store, user_id, now).await?;
    let apps = connected_apps(store, user_id).await?;
    let mfa = crate::mfa::mfa_status(store, user_id).await?;
    let passkeys = crate::passkeys::list(store, user_id).await?;
    let grants: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT client_id, scopes, created_at, revoked_at FROM token_families WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user_id.as_str())
    .fetch_all(store.reads())
    .await?;
    let events: Vec<(i64, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT at, kind, client_id, address FROM audit_events WHERE user_id = $1 ORDER BY at, id")
            .bind(user_id.as_str())
            .fetch_all(store.reads())
            .await?;
    let professional = crate::professions::export(store, user_id, now).await?;
    let scopes = |json: &str| serde_json::from_str::<Vec<String>>(json).unwrap_or_default();
    Ok(json!({
        "exported_at": now.0,
        "account": {
            "id": user.id.as_str(),
            "email": user.email,
            "email_verified": user.email_verified,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "locale": user.locale,
            "created_at": user.created_at.0,
            "updated_at": user.updated_at.0,
            "terms_accepted_at": terms_accepted_at,
        },
        "second_factors": {
            "authenticator_app": mfa.totp,
            "recovery_codes_left": mfa.recovery_codes_left,
            "passkeys": passkeys.iter().map(|p| json!({
                "name": p.name, "created_at": p.created_at.0, "last_used_at": p.last_used_at.map(|at| at.0),
            })).collect::<Vec<_>>(),
        },
        "sessions": sessions.iter().map(|s| json!({
            "device": s.device, "created_at": s.created_at.0, "last_seen_at": s.last_seen_at.0, "methods": s.amr,
        })).collect::<Vec<_>>(),
        "connected_apps": apps.iter().map(|a| json!({
            "client_id": a.client_id, "name": a.name, "scopes": a.scopes, "granted_at": a.granted_at.0,
            "shared_profile_fields": a.profile_fields,
        })).collect::<Vec<_>>(),
        "professional_profile": professional,
        "grants": grants.iter().map(|(client_id, granted, created_at, revoked_at)| json!({
            "client_id": client_id, "scopes": scopes(granted), "created_at": created_at, "revoked_at": revoked_at,
        })).collect::<Vec<_>>(),
        "security_events": events.iter().map(|(at, kind, client_id, address)| json!({
            "at": at, "kind": kind, "client_id": client_id, "address": address,
        })).collect::<Vec<_>>(),
    }))
}

/// Why an account could not be deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    /// A machine-to-machine client acts as this account: an operator must
    /// change that client first.
    #[error("a client acts as this account")]
    ServiceAccount,
    /// The account is the last Admin of these organisations: someone else
    /// must become Admin first.
    #[error("the last Admin of {0:?}")]
    SoleAdmin(Vec<String>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether the account may be deleted now (`delete_account` checks again):
/// asked before anything is spent on it, such as a recovery code.
pub async fn check_deletable(store: &Store, user_id: &UserId, now: UnixTime) -> Result<(), DeleteError> {
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    let checked = may_go(&mut tx, user_id, now).await;
    tx.rollback().await.map_err(StoreError::from)?;
    checked
}

/// The rules an account's deletion keeps: no organisation loses its last
/// Admin, and no client loses the account it acts as.
async fn may_go(tx: &mut crate::store::Transaction, user_id: &UserId, now: UnixTime) -> Result<(), DeleteError> {
    // The organisations this account administers, locked first (as every
    // change of Admins locks them): nobody else steps down meanwhile.
    let sole = crate::organizations::lock_and_find_sole_admin(tx, user_id, now).await?;
    if !sole.is_empty() {
        return Err(DeleteError::SoleAdmin(sole));
    }
    let (acting,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM clients WHERE service_account_user_id = $1")
        .bind(user_id.as_str())
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::from)?;
    if acting > 0 {
        return Err(DeleteError::ServiceAccount);
    }
    Ok(())
}

/// Deletes the account and everything personal with it (sessions, consents,
/// grants, second factors, links and codes, mails waiting in the outbox),
/// in one transaction. Its access tokens stay refused until they expire.
/// The audit log keeps its events under the bare account id.
pub async fn delete_account(store: &Store, user_id: &UserId, now: UnixTime) -> Result<(), DeleteError> {
    let mut tx = store.pool().begin().await.map_err(StoreError::from)?;
    may_go(&mut tx, user_id, now).await?;
    sqlx::query(
        "INSERT INTO revoked_families (family_id, expires_at) SELECT id, $1 FROM token_families WHERE user_id = $2 \
         ON CONFLICT (family_id) DO NOTHING",
    )
    .bind(now.plus_seconds(crate::clients::MAX_ACCESS_TOKEN_TTL).0)
    .bind(user_id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    sqlx::query("DELETE FROM mail_outbox WHERE recipient = (SELECT email FROM users WHERE id = $1)")
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    // Everything else that is the account's goes with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consents::grant_consent;
    use crate::sessions::{create_session, find_session};
    use crate::users::{Email, NewUser, User, find_user_for_sign_in, insert_user};

    async fn user(store: &Store, email: &str) -> User {
        let new =
            NewUser { email: Email::parse(email).unwrap(), given_name: None, family_name: None, locale: "en".into() };
        insert_user(store, new, UnixTime(1)).await.unwrap()
    }

    /// A client to consent to, through the import (the whole chain of tenant, application, client).
    async fn seed_client(store: &Store) {
        let toml = r#"
[[tenants]]
id = "t"
name = "T"
kind = "development"

[[applications]]
tenant = "t"
short_key = "ward"
name = "Ward"

[[clients]]
application = "ward"
client_id = "ward-spa"
kind = "spa"
name = "Ward app"
redirect_uris = ["https://ward.example/cb"]
"#;
        let file = crate::import::parse(toml, "toml").unwrap();
        crate::import::apply(store, file, UnixTime(1)).await.unwrap();
    }

    async fn family(store: &Store, user: &User, session: Option<&str>) -> String {
        let id = crate::random::url_safe(8);
        sqlx::query(
            "INSERT INTO token_families (id, client_id, user_id, session_id, scopes, auth_time, amr, created_at) \
             VALUES ($1, 'ward-spa', $2, $3, '[]', 1, '[]', 1)",
        )
        .bind(&id)
        .bind(user.id.as_str())
        .bind(session)
        .execute(store.pool())
        .await
        .unwrap();
        id
    }

    async fn revoked(store: &Store, family: &str) -> bool {
        let (at,): (Option<i64>,) = sqlx::query_as("SELECT revoked_at FROM token_families WHERE id = $1")
            .bind(family)
            .fetch_one(store.pool())
            .await
            .unwrap();
        at.is_some()
    }

    crate::engine_tests! {
        async fn sessions_are_listed_touched_and_ended_only_for_their_owner(db: TestDatabase) {
            let store = db.migrated_store().await;
            seed_client(&store).await;
            let (jane, john) = (user(&store, "jane@example.org").await, user(&store, "john@example.org").await);
            let (here, _) = create_session(&store, &jane.id, &["pwd"], Some("Firefox on Linux"), UnixTime(100), 9999).await.unwrap().unwrap();
            let (there, _) = create_session(&store, &jane.id, &["pwd"], None, UnixTime(200), 9999).await.unwrap().unwrap();
            let (johns, _) = create_session(&store, &john.id, &["pwd"], None, UnixTime(200), 9999).await.unwrap().unwrap();
            let there_family = family(&store, &jane, Some(&there.id)).await;

            touch_session(&store, &here, UnixTime(450)).await.unwrap();
            touch_session(&store, &here, UnixTime(600)).await.unwrap(); // within five minutes: not written
            let listed = list_sessions(&store, &jane.id, UnixTime(700)).await.unwrap();
            assert_eq!(listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [here.id.as_str(), there.id.as_str()]);
            assert_eq!((listed[0].device.as_deref(), listed[0].last_seen_at), (Some("Firefox on Linux"), UnixTime(450)));

            assert!(!end_own_session(&store, &jane.id, &johns.id, UnixTime(701)).await.unwrap(), "not hers");
            assert!(find_session(&store, &johns.id, UnixTime(702)).await.unwrap().is_some());
            assert!(end_own_session(&store, &jane.id, &there.id, UnixTime(701)).await.unwrap());
            assert!(revoked(&store, &there_family).await, "what the session issued ends with it");
            assert_eq!(list_sessions(&store, &jane.id, UnixTime(702)).await.unwrap().len(), 1);
        }

        async fn ending_the_other_sessions_keeps_this_one(db: TestDatabase) {
            let store = db.migrated_store().await;
            seed_client(&store).await;
            let jane = user(&store, "jane@example.org").await;
            let (here, _) = create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 9999).await.unwrap().unwrap();
            for _ in 0..2 {
                create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 9999).await.unwrap().unwrap();
            }
            let (kept, other) = (family(&store, &jane, Some(&here.id)).await, family(&store, &jane, None).await);
            assert_eq!(end_other_sessions(&store, &jane.id, &here.id, UnixTime(200)).await.unwrap(), 2);
            let left = list_sessions(&store, &jane.id, UnixTime(201)).await.unwrap();
            assert_eq!(left.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [here.id.as_str()]);
            assert!(!revoked(&store, &kept).await && revoked(&store, &other).await);
        }

        async fn disconnecting_an_app_withdraws_consent_and_its_tokens(db: TestDatabase) {
            let store = db.migrated_store().await;
            seed_client(&store).await;
            let jane = user(&store, "jane@example.org").await;
            grant_consent(&store, jane.id.as_str(), "ward-spa", &["openid".into(), "email".into()], UnixTime(50)).await.unwrap();
            let tokens = family(&store, &jane, None).await;
            let apps = connected_apps(&store, &jane.id).await.unwrap();
            assert_eq!(apps.len(), 1);
            assert_eq!((apps[0].name.as_str(), apps[0].scopes.clone(), apps[0].granted_at), ("Ward app", vec!["openid".to_string(), "email".to_string()], UnixTime(50)));
            assert!(disconnect_app(&store, &jane.id, "ward-spa", UnixTime(60)).await.unwrap());
            assert!(connected_apps(&store, &jane.id).await.unwrap().is_empty());
            assert!(revoked(&store, &tokens).await);
            assert!(!disconnect_app(&store, &jane.id, "ward-spa", UnixTime(61)).await.unwrap());
        }

        async fn a_changed_password_signs_everything_else_out(db: TestDatabase) {
            let store = db.migrated_store().await;
            seed_client(&store).await;
            let jane = user(&store, "jane@example.org").await;
            let (here, _) = create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 9999).await.unwrap().unwrap();
            let (there, _) = create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 9999).await.unwrap().unwrap();
            let tokens = family(&store, &jane, Some(&here.id)).await;
            change_password(&store, &jane.id, "$argon2id$new", &here.id, UnixTime(200)).await.unwrap();
            let hash = find_user_for_sign_in(&store, &Email::parse("jane@example.org").unwrap()).await.unwrap().unwrap().password_hash;
            assert_eq!(hash.as_deref(), Some("$argon2id$new"));
            assert!(find_session(&store, &here.id, UnixTime(201)).await.unwrap().is_some());
            assert!(find_session(&store, &there.id, UnixTime(201)).await.unwrap().is_none());
            assert!(revoked(&store, &tokens).await, "tokens of the old password end everywhere");
        }

        async fn an_address_change_begun_elsewhere_ends_with_the_password_or_the_other_sessions(db: TestDatabase) {
            use crate::email_verification::{Started, start_email_change, verify_link};
            let store = db.migrated_store().await;
            let jane = user(&store, "jane@example.org").await;
            let (here, _) = create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 9999).await.unwrap().unwrap();
            let elsewhere = Email::parse("mallory@example.net").unwrap();
            for (at, end) in [(200, "password"), (400, "sessions")] {
                let Started::Sent { link_token, .. } = start_email_change(&store, &jane, &elsewhere, UnixTime(at)).await.unwrap() else {
                    panic!("mailed")
                };
                match end {
                    "password" => change_password(&store, &jane.id, "$argon2id$new", &here.id, UnixTime(at + 1)).await.unwrap(),
                    _ => { end_other_sessions(&store, &jane.id, &here.id, UnixTime(at + 1)).await.unwrap(); }
                }
                assert!(verify_link(&store, &link_token, UnixTime(at + 2)).await.unwrap().is_none(), "after the {end}");
            }
        }

        async fn an_export_holds_the_account_and_no_secret(db: TestDatabase) {
            let store = db.migrated_store().await;
            seed_client(&store).await;
            let jane = user(&store, "jane@example.org").await;
            crate::users::set_password_hash(&store, &jane.id, Some("$argon2id$secret-hash"), UnixTime(2)).await.unwrap();
            create_session(&store, &jane.id, &["pwd"], Some("Firefox on Linux"), UnixTime(100), 9999).await.unwrap().unwrap();
            grant_consent(&store, jane.id.as_str(), "ward-spa", &["openid".into()], UnixTime(50)).await.unwrap();
            family(&store, &jane, None).await;
            crate::mfa::new_recovery_codes(&store, &jane.id, UnixTime(60)).await.unwrap();
            let mut event = crate::audit::Event::new(crate::audit::EventKind::SignInSucceeded);
            event.user_id = Some(&jane.id);
            event.address = Some("192.0.2.1".into());
            crate::audit::record(&store, &event, UnixTime(100)).await.unwrap();

            let data = export(&store, &jane.id, UnixTime(200)).await.unwrap();
            assert_eq!(data["account"]["email"], "jane@example.org");
            assert_eq!(data["sessions"][0]["device"], "Firefox on Linux");
            assert_eq!(data["connected_apps"][0]["name"], "Ward app");
            assert_eq!(data["grants"][0]["client_id"], "ward-spa");
            assert_eq!(data["second_factors"]["recovery_codes_left"], 10);
            assert_eq!(data["security_events"][0]["kind"], "sign_in.succeeded");
            let text = data.to_string();
            assert!(!text.contains("argon2") && !text.contains("token_hash"), "no secret: {text}");
        }

        async fn deleting_an_account_removes_it_and_refuses_its_tokens(db: TestDatabase) {
            let store = db.migrated_store().await;
            seed_client(&store).await;
            let jane = user(&store, "jane@example.org").await;
            create_session(&store, &jane.id, &["pwd"], None, UnixTime(100), 9999).await.unwrap().unwrap();
            grant_consent(&store, jane.id.as_str(), "ward-spa", &["openid".into()], UnixTime(50)).await.unwrap();
            let grant = family(&store, &jane, None).await;
            crate::mfa::new_recovery_codes(&store, &jane.id, UnixTime(60)).await.unwrap();
            let mail = crate::mail::Mail { to: "jane@example.org".into(), subject: "s".into(), text: "t".into(), html: "h".into() };
            crate::mail::Mailer::new("Sanus <no-reply@example.org>", None).unwrap().send(&store, &mail, UnixTime(70)).await.unwrap();

            delete_account(&store, &jane.id, UnixTime(300)).await.unwrap();
            assert!(crate::users::find_user_by_email(&store, &Email::parse("jane@example.org").unwrap()).await.unwrap().is_none());
            for table in ["sessions", "consents", "token_families", "recovery_codes"] {
                let sql = match table {
                    "sessions" => "SELECT COUNT(*) FROM sessions WHERE user_id = $1",
                    "consents" => "SELECT COUNT(*) FROM consents WHERE user_id = $1",
                    "token_families" => "SELECT COUNT(*) FROM token_families WHERE user_id = $1",
                    _ => "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1",
                };
                let (left,): (i64,) = sqlx::query_as(sql).bind(jane.id.as_str()).fetch_one(store.pool()).await.unwrap();
                assert_eq!(left, 0, "{table}");
            }
            assert!(crate::mail::outbox(&store, 10).await.unwrap().is_empty(), "its mails went too");
            let live = crate::tokens::live_revocations(&store, UnixTime(0), UnixTime(301)).await.unwrap();
            assert!(live.families.contains(&grant), "its access tokens stay refused");
            // The address can register again, as a new account.
            assert!(user(&store, "jane@example.org").await.id != jane.id);
        }
    }
}
