//! Passkeys (WebAuthn through webauthn-rs): adding them to an account and
//! signing in with one, without typing an e-mail address or a password.
//!
//! Each ceremony has two requests. Its state (the challenge) is kept in the
//! database under the SHA-256 of a random token the browser holds in a
//! cookie, so that any instance can finish it; it lives five minutes and
//! works once. Passkeys must verify their user (PIN, fingerprint, face):
//! a passkey sign-in counts as two factors.

use serde_json::Value;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::store::{Store, StoreError};
use crate::users::{User, UserId};

/// How long a ceremony may take.
pub const CEREMONY_SECONDS: i64 = 5 * 60;
/// The `amr` of a passkey sign-in: a hardware-bound key that verified its
/// user, i.e. two factors.
pub const AMR_PASSKEY: [&str; 2] = ["hwk", "mfa"];
/// Names of passkeys: at most this many characters.
pub const MAX_NAME_CHARS: usize = 60;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The browser's answer did not prove what it should (or the ceremony
    /// is unknown, used or expired).
    #[error("the passkey was not accepted: {0}")]
    Refused(String),
    #[error("the public URL cannot be a WebAuthn relying party: {0}")]
    Setup(String),
}

/// The relying party: this Sanus, at its public URL (the passkeys' scope is
/// its host name). Browsers allow passkeys only for domain names (such as
/// `localhost`), never for IP addresses: then there is none.
pub fn relying_party(public_url: &str) -> Result<Webauthn, PasskeyError> {
    let origin = Url::parse(public_url).map_err(|e| PasskeyError::Setup(e.to_string()))?;
    let host = match origin.host() {
        Some(url::Host::Domain(domain)) => domain.to_string(),
        Some(_) => return Err(PasskeyError::Setup("passkeys need a domain name, not an IP address".into())),
        None => return Err(PasskeyError::Setup("no host".into())),
    };
    WebauthnBuilder::new(&host, &origin)
        .and_then(|builder| builder.rp_name("Sanus").build())
        .map_err(|e| PasskeyError::Setup(e.to_string()))
}

/// A passkey as the account console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySummary {
    pub id: String,
    pub name: String,
    pub created_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
}

/// WebAuthn identifies accounts by a UUID: ours are UUIDv7 strings.
fn handle_of(user_id: &UserId) -> Result<Uuid, PasskeyError> {
    Uuid::parse_str(user_id.as_str()).map_err(|_| PasskeyError::Refused("the account id is not a UUID".into()))
}

async fn stored_passkeys(store: &Store, user_id: &UserId) -> Result<Vec<(String, Passkey)>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, credential FROM passkeys WHERE user_id = $1")
        .bind(user_id.as_str())
        .fetch_all(store.reads())
        .await?;
    Ok(rows.into_iter().filter_map(|(id, json)| Some((id, serde_json::from_str(&json).ok()?))).collect())
}

/// The account's passkeys, newest first.
pub async fn list(store: &Store, user_id: &UserId) -> Result<Vec<PasskeySummary>, StoreError> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user_id.as_str())
    .fetch_all(store.reads())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| PasskeySummary {
            id,
            name,
            created_at: UnixTime(created_at),
            last_used_at: last_used_at.map(UnixTime),
        })
        .collect())
}

/// Removes one of the account's passkeys; `false` when it is not theirs.
pub async fn remove(store: &Store, user_id: &UserId, id: &str) -> Result<bool, StoreError> {
    let removed = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id.as_str())
        .execute(store.pool())
        .await?;
    Ok(removed.rows_affected() > 0)
}

/// A ceremony kept between its two requests.
struct Ceremony {
    user_id: Option<UserId>,
    state: String,
    interaction_id: Option<String>,
    return_to: Option<String>,
}

async fn keep_ceremony(store: &Store, kind: &str, ceremony: Ceremony, now: UnixTime) -> Result<String, PasskeyError> {
    let token = crate::random::url_safe(32);
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (token_hash, kind, user_id, state, interaction_id, return_to, expires_at, \
         used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(kind)
    .bind(ceremony.user_id.as_ref().map(UserId::as_str))
    .bind(ceremony.state)
    .bind(ceremony.interaction_id)
    .bind(ceremony.return_to)
    .bind(now.plus_seconds(CEREMONY_SECONDS).0)
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(token)
}

/// Takes a ceremony out (once): `None` when unknown, used or expired.
async fn take_ceremony(store: &Store, kind: &str, token: &str, now: UnixTime) -> Result<Option<Ceremony>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: Option<String>,
        state: String,
        interaction_id: Option<String>,
        return_to: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(
        "UPDATE webauthn_ceremonies SET used_at = $1 \
         WHERE token_hash = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, state, interaction_id, return_to",
    )
    .bind(now.0)
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(kind)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|row| Ceremony {
        user_id: row.user_id.map(UserId::from_stored),
        state: row.state,
        interaction_id: row.interaction_id,
        return_to: row.return_to,
    }))
}

fn refused(error: impl std::fmt::Display) -> PasskeyError {
    PasskeyError::Refused(error.to_string())
}

/// Starts adding a passkey to the account: the options for the browser
/// (`navigator.credentials.create`, as JSON), and the token of the
/// ceremony. The passkey must be discoverable (so that it can sign in
/// without an e-mail address) and verify its user.
pub async fn begin_registration(
    store: &Store,
    rp: &Webauthn,
    user: &User,
    now: UnixTime,
) -> Result<(Value, String), PasskeyError> {
    let existing = stored_passkeys(store, &user.id).await?;
    let exclude = existing.iter().map(|(_, passkey)| passkey.cred_id().clone()).collect::<Vec<_>>();
    let display = match (&user.given_name, &user.family_name) {
        (Some(given), Some(family)) => format!("{given} {family}"),
        (Some(name), None) | (None, Some(name)) => name.clone(),
        (None, None) => user.email.clone(),
    };
    let (options, state) =
        rp.start_passkey_registration(handle_of(&user.id)?, &user.email, &display, Some(exclude)).map_err(refused)?;
    let mut options = serde_json::to_value(&options).map_err(refused)?;
    options["publicKey"]["authenticatorSelection"]["residentKey"] = Value::from("required");
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = Value::from(true);
    let state = serde_json::to_string(&state).map_err(refused)?;
    let ceremony = Ceremony { user_id: Some(user.id.clone()), state, interaction_id: None, return_to: None };
    let token = keep_ceremony(store, "register", ceremony, now).await?;
    Ok((options, token))
}

/// Finishes adding a passkey, under `name`; returns its id.
pub async fn finish_registration(
    store: &Store,
    rp: &Webauthn,
    user_id: &UserId,
    token: &str,
    name: &str,
    credential: &RegisterPublicKeyCredential,
    now: UnixTime,
) -> Result<String, PasskeyError> {
    let ceremony = take_ceremony(store, "register", token, now)
        .await?
        .filter(|c| c.user_id.as_ref() == Some(user_id))
        .ok_or_else(|| refused("the ceremony is unknown, used or expired"))?;
    let state: PasskeyRegistration = serde_json::from_str(&ceremony.state).map_err(refused)?;
    let passkey = rp.finish_passkey_registration(credential, &state).map_err(refused)?;
    let id = base64_url(passkey.cred_id().as_ref());
    let name: String = name.trim().chars().take(MAX_NAME_CHARS).collect();
    let name = if name.is_empty() { "Passkey".to_string() } else { name };
    sqlx::query(
        "INSERT INTO passkeys (id, user_id, name, credential, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, NULL)",
    )
    .bind(&id)
    .bind(user_id.as_str())
    .bind(name)
    .bind(serde_json::to_string(&passkey).map_err(refused)?)
    .bind(now.0)
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(id)
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Where a passkey sign-in goes on to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInWithPasskey {
    pub user_id: UserId,
    pub interaction_id: Option<String>,
    pub return_to: Option<String>,
}

/// Starts a sign-in with any passkey of this site the browser has: the
/// options for `navigator.credentials.get` (JSON) and the ceremony's token.
pub async fn begin_sign_in(
    store: &Store,
    rp: &Webauthn,
    interaction_id: Option<&str>,
    return_to: Option<&str>,
    now: UnixTime,
) -> Result<(Value, String), PasskeyError> {
    let (options, state) = rp.start_discoverable_authentication().map_err(refused)?;
    let mut options = serde_json::to_value(&options).map_err(refused)?;
    // A button starts it, not the browser's autofill.
    if let Some(fields) = options.as_object_mut() {
        fields.remove("mediation");
    }
    let state = serde_json::to_string(&state).map_err(refused)?;
    let ceremony = Ceremony {
        user_id: None,
        state,
        interaction_id: interaction_id.map(str::to_owned),
        return_to: return_to.map(str::to_owned),
    };
    let token = keep_ceremony(store, "sign_in", ceremony, now).await?;
    Ok((options, token))
}

/// Finishes a passkey sign-in: the account whose passkey answered.
pub async fn finish_sign_in(
    store: &Store,
    rp: &Webauthn,
    token: &str,
    credential: &PublicKeyCredential,
    now: UnixTime,
) -> Result<SignedInWithPasskey, PasskeyError> {
    let ceremony = take_ceremony(store, "sign_in", token, now)
        .await?
        .ok_or_else(|| refused("the ceremony is unknown, used or expired"))?;
    let state: DiscoverableAuthentication = serde_json::from_str(&ceremony.state).map_err(refused)?;
    let (handle, credential_id) = rp.identify_discoverable_authentication(credential).map_err(refused)?;
    let user_id = UserId::from_stored(handle.to_string());
    let id = base64_url(credential_id);
    let mut passkeys = stored_passkeys(store, &user_id).await?;
    let Some(index) = passkeys.iter().position(|(stored, _)| *stored == id) else {
        return Err(refused("this passkey belongs to no account (was it removed?)"));
    };
    let keys: Vec<DiscoverableKey> = passkeys.iter().map(|(_, passkey)| DiscoverableKey::from(passkey)).collect();
    let result = rp.finish_discoverable_authentication(credential, state, &keys).map_err(refused)?;
    let (_, passkey) = &mut passkeys[index];
    // A counter that went backwards means a cloned key: refused above by
    // webauthn-rs; a forward one is kept.
    passkey.update_credential(&result);
    sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3 AND user_id = $4")
        .bind(serde_json::to_string(passkey).map_err(refused)?)
        .bind(now.0)
        .bind(&id)
        .bind(user_id.as_str())
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(SignedInWithPasskey { user_id, interaction_id: ceremony.interaction_id, return_to: ceremony.return_to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{Email, NewUser, insert_user};

    #[test]
    fn the_relying_party_is_the_public_host() {
        assert!(relying_party("https://id.example.org").is_ok());
        assert!(relying_party("http://localhost:3000").is_ok());
        assert!(matches!(relying_party("http://127.0.0.1:3000"), Err(PasskeyError::Setup(_))), "browsers refuse IPs");
        assert!(matches!(relying_party("not a url"), Err(PasskeyError::Setup(_))));
    }

    crate::engine_tests! {
        async fn a_registration_asks_for_a_discoverable_verified_passkey_and_its_ceremony_works_once(db: TestDatabase) {
            let store = db.migrated_store().await;
            let new = NewUser { email: Email::parse("jane@example.org").unwrap(), given_name: Some("Jane".into()), family_name: None, locale: "en".into() };
            let jane = insert_user(&store, new, UnixTime(1)).await.unwrap();
            let rp = relying_party("https://id.example.org").unwrap();
            let (options, token) = begin_registration(&store, &rp, &jane, UnixTime(100)).await.unwrap();
            let json = options;
            assert_eq!(json["publicKey"]["rp"]["id"], "id.example.org");
            assert_eq!(json["publicKey"]["user"]["name"], "jane@example.org");
            assert_eq!(json["publicKey"]["authenticatorSelection"]["residentKey"], "required");
            assert_eq!(json["publicKey"]["authenticatorSelection"]["userVerification"], "required");
            // The ceremony is bound to its account and expires.
            assert!(take_ceremony(&store, "sign_in", &token, UnixTime(101)).await.unwrap().is_none(), "wrong kind");
            assert!(take_ceremony(&store, "register", &token, UnixTime(100 + CEREMONY_SECONDS)).await.unwrap().is_none());
            assert!(take_ceremony(&store, "register", &token, UnixTime(101)).await.unwrap().is_some());
            assert!(take_ceremony(&store, "register", &token, UnixTime(102)).await.unwrap().is_none(), "once");
            assert!(list(&store, &jane.id).await.unwrap().is_empty());
            assert!(!remove(&store, &jane.id, "nope").await.unwrap());
        }

        async fn a_sign_in_starts_without_knowing_the_account(db: TestDatabase) {
            let store = db.migrated_store().await;
            let rp = relying_party("https://id.example.org").unwrap();
            let (options, token) = begin_sign_in(&store, &rp, Some("i1"), None, UnixTime(100)).await.unwrap();
            let json = options;
            assert!(json["publicKey"]["allowCredentials"].as_array().is_none_or(Vec::is_empty));
            assert_eq!(json["publicKey"]["userVerification"], "required");
            assert!(json.get("mediation").is_none_or(Value::is_null));
            let ceremony = take_ceremony(&store, "sign_in", &token, UnixTime(101)).await.unwrap().unwrap();
            assert_eq!(ceremony.interaction_id.as_deref(), Some("i1"));
        }
    }
}
