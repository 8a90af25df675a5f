//! Token families, authorization codes and refresh tokens (RFC 6749 §4.1,
//! §6; RFC 9700 §2.2.2 and §4.14): codes and refresh tokens are random,
//! stored as SHA-256, single use. A family is everything one code produced;
//! a replayed code or a reused (rotated-out) refresh token revokes it all.
//! Consuming a code or refresh token and issuing its successor happen in
//! one transaction.

use crate::clients::SecretHash;
use crate::clock::UnixTime;
use crate::pkce;
use crate::store::{Store, StoreError};
use crate::users::UserId;

/// The lifetime of an authorization code (RFC 6749 §4.1.2 recommends ≤ 10 minutes).
pub const CODE_LIFETIME_SECONDS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFamily {
    pub id: String,
    pub client_id: String,
    pub user_id: UserId,
    pub session_id: Option<String>,
    pub scopes: Vec<String>,
    pub auth_time: UnixTime,
    pub amr: Vec<String>,
    /// The tenant the person chose for this grant (`tenant_id` in its tokens).
    pub tenant_id: Option<String>,
}

/// The columns `FamilyRow` reads, with whether the account is locked: a
/// grant is used in one statement, and a locked account's is refused.
macro_rules! family_columns {
    () => {
        "id, client_id, user_id, session_id, scopes, auth_time, amr, revoked_at, tenant_id, \
         (SELECT COUNT(*) FROM account_locks WHERE account_locks.user_id = token_families.user_id) AS account_locks"
    };
}

#[derive(sqlx::FromRow)]
struct FamilyRow {
    id: String,
    client_id: String,
    user_id: String,
    session_id: Option<String>,
    scopes: String,
    auth_time: i64,
    amr: String,
    revoked_at: Option<i64>,
    tenant_id: Option<String>,
    account_locks: i64,
}

impl FamilyRow {
    fn locked(&self) -> bool {
        self.account_locks > 0
    }

    fn into_family(self) -> TokenFamily {
        TokenFamily {
            id: self.id,
            client_id: self.client_id,
            user_id: UserId::from_stored(self.user_id),
            session_id: self.session_id,
            scopes: serde_json::from_str(&self.scopes).unwrap_or_default(),
            auth_time: UnixTime(self.auth_time),
            amr: serde_json::from_str(&self.amr).unwrap_or_default(),
            tenant_id: self.tenant_id,
        }
    }
}

/// Refresh tokens exist only for `offline_access` (OIDC Core §11) or its
/// synonym `offline`.
pub fn grants_offline_access(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "offline_access" || s == "offline")
}

/// What an authorization code is bound to.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub user_id: UserId,
    pub session_id: Option<String>,
    pub scopes: Vec<String>,
    pub auth_time: UnixTime,
    pub amr: Vec<String>,
    pub redirect_uri: String,
    /// S256 challenge; `None` only for confidential clients exempted from PKCE.
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    /// The account as it was at issuance (`User::to_snapshot`), when the
    /// issuer had it at hand: redeeming then needs no second read.
    pub user_snapshot: Option<String>,
    /// The active tenant chosen for this request.
    pub tenant_id: Option<String>,
}

fn encode_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

/// Starts a token family with its code (one row); returns the code itself.
pub async fn issue_code(store: &Store, grant: &CodeGrant, now: UnixTime) -> Result<String, StoreError> {
    let code = crate::random::url_safe(32);
    sqlx::query(
        "INSERT INTO token_families (id, client_id, user_id, session_id, scopes, auth_time, amr, created_at, revoked_at, \
         code_hash, redirect_uri, code_challenge, nonce, code_expires_at, code_consumed_at, user_snapshot, tenant_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12, $13, NULL, $14, $15)",
    )
    .bind(crate::random::url_safe(16))
    .bind(&grant.client_id)
    .bind(grant.user_id.as_str())
    .bind(grant.session_id.as_deref())
    .bind(encode_json(&grant.scopes)?)
    .bind(grant.auth_time.0)
    .bind(encode_json(&grant.amr)?)
    .bind(now.0)
    .bind(SecretHash::of(code.as_bytes()).as_str())
    .bind(&grant.redirect_uri)
    .bind(grant.code_challenge.as_deref())
    .bind(grant.nonce.as_deref())
    .bind(now.plus_seconds(CODE_LIFETIME_SECONDS).0)
    .bind(grant.user_snapshot.as_deref())
    .bind(grant.tenant_id.as_deref())
    .execute(store.pool())
    .await?;
    Ok(code)
}

/// A grant that needs no code (the password grant): who, which client,
/// which scopes, and how the person was authenticated.
#[derive(Debug, Clone)]
pub struct DirectGrant {
    pub client_id: String,
    pub user_id: UserId,
    pub scopes: Vec<String>,
    pub amr: Vec<String>,
}

/// Starts a token family without a code, and its refresh token when offline
/// access was granted and the client may hold refresh tokens of
/// `refresh_token_ttl`.
pub async fn start_family(
    store: &Store,
    grant: &DirectGrant,
    refresh_token_ttl: Option<i64>,
    now: UnixTime,
) -> Result<Option<(TokenFamily, Option<String>)>, StoreError> {
    let id = crate::random::url_safe(16);
    let mut tx = store.pool().begin().await?;
    // The lock is checked in the same statement, as for a new session.
    let inserted = sqlx::query(concat!(
        "INSERT INTO token_families (id, client_id, user_id, scopes, auth_time, amr, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT ",
        crate::admin::locked_sql!("$3"),
    ))
    .bind(&id)
    .bind(&grant.client_id)
    .bind(grant.user_id.as_str())
    .bind(encode_json(&grant.scopes)?)
    .bind(now.0)
    .bind(encode_json(&grant.amr)?)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let refresh_token = match refresh_token_ttl {
        Some(ttl) if grants_offline_access(&grant.scopes) => {
            Some(insert_refresh_token_in(&mut tx, &id, now, ttl).await?)
        }
        _ => None,
    };
    let family = load_family_in(&mut tx, &id).await?.ok_or(StoreError::NotFound)?.into_family();
    tx.commit().await?;
    Ok(Some((family, refresh_token)))
}

/// Records a client assertion's `jti` until the assertion expires (RFC
/// 7523 §3, item 7): `true` the first time, `false` for a replay.
/// `forget_spent_assertions` clears the expired ones, off the token path.
pub async fn spend_assertion(
    store: &Store,
    client_id: &str,
    jti: &str,
    expires_at: UnixTime,
) -> Result<bool, StoreError> {
    // Per client: another client's jti is another assertion.
    let key = SecretHash::of(format!("{client_id}\u{0}{jti}").as_bytes());
    let inserted = sqlx::query(
        "INSERT INTO used_client_assertions (jti_hash, client_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (jti_hash) DO NOTHING",
    )
    .bind(key.as_str())
    .bind(client_id)
    .bind(expires_at.0)
    .execute(store.pool())
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Forgets the `jti`s of assertions that expired: they can no longer be
/// replayed. Returns how many.
pub async fn forget_spent_assertions(store: &Store, now: UnixTime) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM used_client_assertions WHERE expires_at <= $1")
        .bind(now.0)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

/// How many client assertions are remembered (for tests and metrics).
pub async fn remembered_assertions(store: &Store) -> Result<i64, StoreError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM used_client_assertions").fetch_one(store.reads()).await?;
    Ok(count)
}

/// What the token request presents with a code.
#[derive(Debug)]
pub struct CodeRedemption<'a> {
    pub code: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
    /// The client may hold refresh tokens of this lifetime; one is issued
    /// when the user granted offline access.
    pub refresh_token_ttl: Option<i64>,
}

#[derive(Debug)]
pub struct RedeemedCode {
    pub family: TokenFamily,
    pub nonce: Option<String>,
    pub refresh_token: Option<String>,
    /// The account at issuance, when the code carried it.
    pub user: Option<crate::users::User>,
}

/// Whose grant a replayed code or refresh token ended (for the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub family_id: String,
    pub client_id: String,
    pub user_id: UserId,
}

/// The replay of `family_id`, read after its revocation (a rare path).
async fn replay_of(conn: &mut Tx, family_id: &str) -> Result<GrantError, StoreError> {
    let (client_id, user_id): (String, String) =
        sqlx::query_as("SELECT client_id, user_id FROM token_families WHERE id = $1")
            .bind(family_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(GrantError::Replayed(Replay {
        family_id: family_id.to_string(),
        client_id,
        user_id: UserId::from_stored(user_id),
    }))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// Unknown, expired, or bound to another client, redirect URI or verifier.
    #[error("{0}")]
    Invalid(&'static str),
    /// Presented a second time: everything it produced is now revoked.
    #[error("the code or token was already used; everything issued with it is revoked")]
    Replayed(Replay),
    /// Asked for a scope the family was not granted; nothing was used up.
    #[error("the scope {0} was not granted")]
    ScopeNotGranted(String),
    /// The account is locked: the grant is revoked. A sign-in on its way
    /// when the account was locked may have left a code or a refresh token
    /// that the lock's own revocation did not see.
    #[error("the account is locked; the grant is revoked")]
    Locked,
}

/// Redeems a code once (RFC 6749 §4.1.3, RFC 7636 §4.6). A code that fails
/// a check is spent all the same; a code presented again revokes its family.
/// Claiming the code is one statement. A refresh token, when one is due, is
/// stored right after: should that fail, the code is spent and nothing was
/// issued, and trying again revokes the family (it fails closed).
pub async fn redeem_code(
    store: &Store,
    redemption: &CodeRedemption<'_>,
    now: UnixTime,
) -> Result<Result<RedeemedCode, GrantError>, StoreError> {
    let code_hash = SecretHash::of(redemption.code.as_bytes());
    #[derive(sqlx::FromRow)]
    struct Claimed {
        #[sqlx(flatten)]
        family: FamilyRow,
        redirect_uri: Option<String>,
        code_challenge: Option<String>,
        nonce: Option<String>,
        code_expires_at: Option<i64>,
        user_snapshot: Option<String>,
    }
    let claimed: Option<Claimed> = sqlx::query_as(concat!(
        "UPDATE token_families SET code_consumed_at = $1 WHERE code_hash = $2 AND code_consumed_at IS NULL RETURNING ",
        family_columns!(),
        ", redirect_uri, code_challenge, nonce, code_expires_at, user_snapshot"
    ))
    .bind(now.0)
    .bind(code_hash.as_str())
    .fetch_optional(store.pool())
    .await?;
    let Some(claimed) = claimed else {
        // Unknown, or presented before: then its family ends.
        let used: Option<(String, String)> =
            sqlx::query_as("SELECT id, client_id FROM token_families WHERE code_hash = $1")
                .bind(code_hash.as_str())
                .fetch_optional(store.reads())
                .await?;
        let Some((family_id, client_id)) = used else {
            return Ok(Err(GrantError::Invalid("The authorization code is unknown.")));
        };
        let mut conn = store.pool().acquire().await?;
        revoke_family_in(&mut conn, &family_id, now).await?;
        tracing::warn!(%client_id, "authorization code replayed: its tokens are revoked");
        return Ok(Err(replay_of(&mut conn, &family_id).await?));
    };
    let failure = if claimed.code_expires_at.is_none_or(|at| at <= now.0) {
        Some("The authorization code has expired.")
    } else if claimed.family.client_id != redemption.client_id {
        Some("The authorization code was issued to another client.")
    } else if redemption.redirect_uri.is_none() || redemption.redirect_uri != claimed.redirect_uri.as_deref() {
        Some("redirect_uri does not match the authorization request.")
    } else if claimed.family.revoked_at.is_some() {
        Some("The authorization code was revoked.")
    } else {
        match (&claimed.code_challenge, redemption.code_verifier) {
            (Some(challenge), Some(verifier)) if pkce::verify_s256(verifier, challenge) => None,
            (Some(_), Some(_)) => Some("The code_verifier does not match the code_challenge."),
            (Some(_), None) => Some("code_verifier is required."),
            (None, Some(_)) => Some("No code_challenge was sent with the authorization request."),
            (None, None) => None,
        }
    };
    if let Some(reason) = failure {
        return Ok(Err(GrantError::Invalid(reason)));
    }
    if claimed.family.locked() {
        revoke_family(store, &claimed.family.id, now).await?;
        return Ok(Err(GrantError::Locked));
    }
    let family = claimed.family.into_family();
    let refresh_token = match redemption.refresh_token_ttl {
        Some(ttl) if grants_offline_access(&family.scopes) => {
            let mut conn = store.pool().acquire().await?;
            Some(insert_refresh_token_in(&mut conn, &family.id, now, ttl).await?)
        }
        _ => None,
    };
    let user = claimed.user_snapshot.as_deref().and_then(crate::users::User::from_snapshot);
    Ok(Ok(RedeemedCode { family, nonce: claimed.nonce, refresh_token, user }))
}

/// The outcome of using a refresh token.
#[derive(Debug)]
pub struct RotatedRefreshToken {
    pub family: TokenFamily,
    pub refresh_token: String,
}

/// Uses a refresh token once and issues its successor (RFC 9700 §4.14.2:
/// rotation). Presenting a rotated-out token revokes the whole family.
pub async fn rotate_refresh_token(
    store: &Store,
    token: &str,
    client_id: &str,
    requested_scopes: Option<&[String]>,
    now: UnixTime,
    ttl: i64,
) -> Result<Result<RotatedRefreshToken, GrantError>, StoreError> {
    let hash = SecretHash::of(token.as_bytes());
    let mut tx = store.pool().begin().await?;
    // Claimed and read in one statement; only a token not claimed now is read again.
    let claimed: Option<(String, i64)> = sqlx::query_as(
        "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL \
         RETURNING family_id, expires_at",
    )
    .bind(now.0)
    .bind(hash.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((family_id, expires_at)) = claimed else {
        let used: Option<(String,)> = sqlx::query_as("SELECT family_id FROM refresh_tokens WHERE token_hash = $1")
            .bind(hash.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some((family_id,)) = used else {
            tx.rollback().await?;
            return Ok(Err(GrantError::Invalid("The refresh token is unknown.")));
        };
        revoke_family_in(&mut tx, &family_id, now).await?;
        let replay = replay_of(&mut tx, &family_id).await?;
        tx.commit().await?;
        tracing::warn!("refresh token reused: its family is revoked");
        return Ok(Err(replay));
    };
    let family = match load_family_in(&mut tx, &family_id).await? {
        Some(family) if family.client_id == client_id && expires_at > now.0 => family,
        Some(family) if family.client_id != client_id => {
            tx.rollback().await?;
            return Ok(Err(GrantError::Invalid("The refresh token was issued to another client.")));
        }
        _ => {
            // Not claimed: presented again, it is refused the same way, not
            // taken for a rotated-out token (reuse revokes and is audited).
            tx.rollback().await?;
            return Ok(Err(GrantError::Invalid("The refresh token has expired or was revoked.")));
        }
    };
    if family.locked() {
        revoke_family_in(&mut tx, &family_id, now).await?;
        tx.commit().await?;
        return Ok(Err(GrantError::Locked));
    }
    let mut family = family.into_family();
    if let Some(requested) = requested_scopes {
        if let Some(extra) = requested.iter().find(|s| !family.scopes.contains(s)) {
            tx.rollback().await?;
            return Ok(Err(GrantError::ScopeNotGranted(extra.clone())));
        }
        family.scopes = requested.to_vec();
    }
    let refresh_token = insert_refresh_token_in(&mut tx, &family.id, now, ttl).await?;
    tx.commit().await?;
    Ok(Ok(RotatedRefreshToken { family, refresh_token }))
}

/// Ends a family: its refresh tokens stop working, its access tokens stop
/// introspecting as active.
pub async fn revoke_family(store: &Store, family_id: &str, now: UnixTime) -> Result<(), StoreError> {
    let mut tx = store.pool().begin().await?;
    revoke_family_in(&mut tx, family_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The family, while it is not revoked.
pub async fn find_active_family(store: &Store, family_id: &str) -> Result<Option<TokenFamily>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    Ok(load_family_in(&mut conn, family_id).await?.map(FamilyRow::into_family))
}

/// A live refresh token (not rotated, not expired, family not revoked).
pub async fn find_refresh_token(
    store: &Store,
    token: &str,
    now: UnixTime,
) -> Result<Option<(TokenFamily, UnixTime)>, StoreError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT family_id, expires_at FROM refresh_tokens WHERE token_hash = $1 AND rotated_at IS NULL AND expires_at > $2",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    let Some((family_id, expires_at)) = row else { return Ok(None) };
    Ok(find_active_family(store, &family_id).await?.map(|family| (family, UnixTime(expires_at))))
}

/// Revokes one access token by its `jti` until it would have expired anyway.
pub async fn revoke_access_token(store: &Store, jti: &str, expires_at: UnixTime) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING")
        .bind(jti)
        .bind(expires_at.0)
        .execute(store.pool())
        .await?;
    Ok(())
}

type Tx = sqlx::AnyConnection;

/// Revocations that can still matter: families revoked at or after `since`
/// (pass `now` minus the longest access-token lifetime: no token of an older
/// one is live), and revoked jtis not yet expired at `now`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LiveRevocations {
    pub families: Vec<String>,
    pub jtis: Vec<String>,
    /// Deleted clients and when: their tokens issued up to then (and a
    /// client cache's lifetime after) are refused.
    pub clients: Vec<(String, UnixTime)>,
    /// Locked accounts: no token with one as its subject counts while the
    /// lock lasts (client-credentials tokens of a service account have no
    /// family to revoke).
    pub locked_accounts: Vec<String>,
}

pub async fn live_revocations(store: &Store, since: UnixTime, now: UnixTime) -> Result<LiveRevocations, StoreError> {
    let families: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM token_families WHERE revoked_at IS NOT NULL AND revoked_at >= $1 \
         UNION SELECT family_id FROM revoked_families WHERE expires_at > $2",
    )
    .bind(since.0)
    .bind(now.0)
    .fetch_all(store.reads())
    .await?;
    let jtis: Vec<(String,)> = sqlx::query_as("SELECT jti FROM revoked_access_tokens WHERE expires_at > $1")
        .bind(now.0)
        .fetch_all(store.reads())
        .await?;
    let clients: Vec<(String, i64)> =
        sqlx::query_as("SELECT client_id, revoked_at FROM revoked_clients WHERE expires_at > $1")
            .bind(now.0)
            .fetch_all(store.reads())
            .await?;
    let locked: Vec<(String,)> = sqlx::query_as("SELECT user_id FROM account_locks").fetch_all(store.reads()).await?;
    Ok(LiveRevocations {
        families: families.into_iter().map(|(id,)| id).collect(),
        jtis: jtis.into_iter().map(|(jti,)| jti).collect(),
        clients: clients.into_iter().map(|(id, at)| (id, UnixTime(at))).collect(),
        locked_accounts: locked.into_iter().map(|(id,)| id).collect(),
    })
}

/// The family, while it is not revoked.
async fn load_family_in(conn: &mut Tx, family_id: &str) -> Result<Option<FamilyRow>, StoreError> {
    let row: Option<FamilyRow> =
        sqlx::query_as(concat!("SELECT ", family_columns!(), " FROM token_families WHERE id = $1"))
            .bind(family_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.filter(|r| r.revoked_at.is_none()))
}

async fn revoke_family_in(conn: &mut Tx, family_id: &str, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now.0)
        .bind(family_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert_refresh_token_in(
    conn: &mut Tx,
    family_id: &str,
    now: UnixTime,
    ttl: i64,
) -> Result<String, StoreError> {
    let token = crate::random::url_safe(32);
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, rotated_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(SecretHash::of(token.as_bytes()).as_str())
    .bind(family_id)
    .bind(now.0)
    .bind(now.plus_seconds(ttl).0)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{Email, NewUser, insert_user};

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// How a test case spoils an otherwise valid redemption.
    type Change = Box<dyn Fn(&mut CodeRedemption<'_>)>;
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    async fn setup(store: &Store) -> CodeGrant {
        crate::import::apply(
            store,
            crate::import::parse(
                r#"
[[tenants]]
id = "t"
name = "T"
kind = "development"
[[applications]]
tenant = "t"
short_key = "app"
name = "App"
[[clients]]
application = "app"
client_id = "spa"
kind = "spa"
name = "SPA"
redirect_uris = ["https://app.example/cb"]
"#,
                "toml",
            )
            .unwrap(),
            UnixTime(1),
        )
        .await
        .unwrap();
        let new = NewUser {
            email: Email::parse("u@example.org").unwrap(),
            given_name: None,
            family_name: None,
            locale: "en".into(),
        };
        let user = insert_user(store, new, UnixTime(1)).await.unwrap();
        CodeGrant {
            client_id: "spa".into(),
            user_id: user.id.clone(),
            session_id: None,
            scopes: vec!["openid".into(), "offline_access".into()],
            auth_time: UnixTime(90),
            amr: vec!["pwd".into()],
            redirect_uri: "https://app.example/cb".into(),
            code_challenge: Some(CHALLENGE.into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            user_snapshot: Some(user.to_snapshot()),
            tenant_id: None,
        }
    }

    fn redemption<'a>(code: &'a str, verifier: &'a str) -> CodeRedemption<'a> {
        CodeRedemption {
            code,
            client_id: "spa",
            redirect_uri: Some("https://app.example/cb"),
            code_verifier: Some(verifier),
            refresh_token_ttl: Some(1000),
        }
    }

    crate::engine_tests! {
        async fn a_code_is_redeemed_once_and_a_replay_revokes_its_family(db: TestDatabase) {
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let code = issue_code(&store, &grant, UnixTime(100)).await.unwrap();
            let redeemed = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(101)).await.unwrap().unwrap();
            assert_eq!(redeemed.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
            let user = redeemed.user.as_ref().unwrap();
            assert_eq!((&user.id, user.email.as_str()), (&grant.user_id, "u@example.org"), "the account as issued");
            assert_eq!(redeemed.family.scopes, grant.scopes);
            let refresh = redeemed.refresh_token.unwrap();

            let replay = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(102)).await.unwrap();
            let replay = replay.unwrap_err();
            assert_eq!(replay, GrantError::Replayed(Replay { family_id: redeemed.family.id.clone(), client_id: "spa".into(), user_id: grant.user_id.clone() }));
            assert!(find_active_family(&store, &redeemed.family.id).await.unwrap().is_none());
            let after = rotate_refresh_token(&store, &refresh, "spa", None, UnixTime(103), 1000).await.unwrap();
            assert!(matches!(after, Err(GrantError::Invalid(_))), "the family's refresh token died too");
        }

        async fn codes_are_bound_to_client_redirect_verifier_and_time(db: TestDatabase) {
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let cases: [(&str, Change, i64); 5] = [
                ("another client", Box::new(|r| r.client_id = "other"), 101),
                ("redirect_uri", Box::new(|r| r.redirect_uri = Some("https://app.example/cb/extra")), 101),
                ("missing redirect", Box::new(|r| r.redirect_uri = None), 101),
                ("code_verifier does not match", Box::new(|r| r.code_verifier = Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj")), 101),
                ("expired", Box::new(|_| {}), 100 + CODE_LIFETIME_SECONDS),
            ];
            for (what, change, at) in cases {
                let code = issue_code(&store, &grant, UnixTime(100)).await.unwrap();
                let mut request = redemption(&code, VERIFIER);
                change(&mut request);
                let outcome = redeem_code(&store, &request, UnixTime(at)).await.unwrap();
                assert!(matches!(outcome, Err(GrantError::Invalid(_))), "{what}: {outcome:?}");
                let retry = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(101)).await.unwrap();
                assert!(retry.is_err(), "{what}: a failed attempt spends the code");
            }
            let unknown = redeem_code(&store, &redemption("nope", VERIFIER), UnixTime(101)).await.unwrap();
            assert!(matches!(unknown, Err(GrantError::Invalid(_))));
        }

        async fn refresh_tokens_rotate_and_reuse_revokes_the_family(db: TestDatabase) {
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let code = issue_code(&store, &grant, UnixTime(100)).await.unwrap();
            let first = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(101)).await.unwrap().unwrap().refresh_token.unwrap();
            let second = rotate_refresh_token(&store, &first, "spa", None, UnixTime(200), 1000).await.unwrap().unwrap();
            assert_ne!(second.refresh_token, first);
            let wrong_client = rotate_refresh_token(&store, &second.refresh_token, "other", None, UnixTime(201), 1000).await.unwrap();
            assert!(matches!(wrong_client, Err(GrantError::Invalid(_))));
            let wider = vec!["openid".to_string(), "email".to_string()];
            let refused = rotate_refresh_token(&store, &second.refresh_token, "spa", Some(&wider), UnixTime(202), 1000).await.unwrap();
            assert_eq!(refused.unwrap_err(), GrantError::ScopeNotGranted("email".into()));
            let narrower = vec!["openid".to_string()];
            let third = rotate_refresh_token(&store, &second.refresh_token, "spa", Some(&narrower), UnixTime(202), 1000).await.unwrap().unwrap();
            assert_eq!(third.family.scopes, narrower, "still usable after a refused scope");

            let reuse = rotate_refresh_token(&store, &first, "spa", None, UnixTime(300), 1000).await.unwrap();
            assert!(matches!(reuse.unwrap_err(), GrantError::Replayed(Replay { family_id, .. }) if family_id == third.family.id));
            let latest = rotate_refresh_token(&store, &third.refresh_token, "spa", None, UnixTime(301), 1000).await.unwrap();
            assert!(matches!(latest, Err(GrantError::Invalid(_))), "the whole family is revoked");
        }

        async fn a_locked_accounts_code_and_refresh_token_are_refused_and_revoke_the_grant(db: TestDatabase) {
            // A sign-in racing the lock left a code and a refresh token the
            // lock's own revocation did not see: using either ends the grant.
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let code = issue_code(&store, &grant, UnixTime(100)).await.unwrap();
            let refresh = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(101)).await.unwrap().unwrap();
            let (family, refresh) = (refresh.family, refresh.refresh_token.unwrap());
            let late_code = issue_code(&store, &grant, UnixTime(102)).await.unwrap();
            sqlx::query("INSERT INTO account_locks (user_id, locked_at, locked_by, reason) VALUES ($1, 103, NULL, 'test')")
                .bind(grant.user_id.as_str()).execute(store.pool()).await.unwrap();

            let outcome = redeem_code(&store, &redemption(&late_code, VERIFIER), UnixTime(104)).await.unwrap();
            assert_eq!(outcome.unwrap_err(), GrantError::Locked);
            let (late_family,): (String,) = sqlx::query_as("SELECT id FROM token_families WHERE code_hash = $1")
                .bind(SecretHash::of(late_code.as_bytes()).as_str()).fetch_one(store.pool()).await.unwrap();
            assert!(find_active_family(&store, &late_family).await.unwrap().is_none(), "the code's grant is revoked");

            let outcome = rotate_refresh_token(&store, &refresh, "spa", None, UnixTime(105), 1000).await.unwrap();
            assert_eq!(outcome.unwrap_err(), GrantError::Locked);
            assert!(find_active_family(&store, &family.id).await.unwrap().is_none(), "the refresh token's grant is revoked");

            sqlx::query("DELETE FROM account_locks").execute(store.pool()).await.unwrap();
            let unlocked = issue_code(&store, &grant, UnixTime(106)).await.unwrap();
            assert!(redeem_code(&store, &redemption(&unlocked, VERIFIER), UnixTime(107)).await.unwrap().is_ok(), "unlocked: a new grant works");
        }

        async fn live_refresh_tokens_are_found_and_revoked_access_tokens_remembered(db: TestDatabase) {
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let code = issue_code(&store, &grant, UnixTime(100)).await.unwrap();
            let token = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(101)).await.unwrap().unwrap().refresh_token.unwrap();
            let (family, expires) = find_refresh_token(&store, &token, UnixTime(102)).await.unwrap().unwrap();
            assert_eq!((family.client_id.as_str(), expires), ("spa", UnixTime(1101)));
            revoke_family(&store, &family.id, UnixTime(103)).await.unwrap();
            assert!(find_refresh_token(&store, &token, UnixTime(104)).await.unwrap().is_none());

            let revoked_jtis = async |store: &Store| live_revocations(store, UnixTime(0), UnixTime(104)).await.unwrap().jtis;
            assert!(revoked_jtis(&store).await.is_empty());
            revoke_access_token(&store, "jti-1", UnixTime(500)).await.unwrap();
            revoke_access_token(&store, "jti-1", UnixTime(500)).await.unwrap();
            assert_eq!(revoked_jtis(&store).await, vec!["jti-1".to_string()], "once, however often revoked");
        }

        async fn live_revocations_are_the_recent_families_and_unexpired_jtis(db: TestDatabase) {
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let mut families = Vec::new();
            for at in [100, 200] {
                let code = issue_code(&store, &grant, UnixTime(at)).await.unwrap();
                families.push(redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(at + 1)).await.unwrap().unwrap().family.id);
            }
            let live = issue_code(&store, &grant, UnixTime(300)).await.unwrap();
            redeem_code(&store, &redemption(&live, VERIFIER), UnixTime(301)).await.unwrap().unwrap();
            revoke_family(&store, &families[0], UnixTime(150)).await.unwrap();
            revoke_family(&store, &families[1], UnixTime(250)).await.unwrap();
            revoke_access_token(&store, "expired", UnixTime(400)).await.unwrap();
            revoke_access_token(&store, "live", UnixTime(401)).await.unwrap();

            let found = live_revocations(&store, UnixTime(150), UnixTime(400)).await.unwrap();
            let mut found_families = found.families.clone();
            found_families.sort();
            let mut expected = families.clone();
            expected.sort();
            assert_eq!((found_families, found.jtis), (expected, vec!["live".to_string()]));
            let later = live_revocations(&store, UnixTime(151), UnixTime(401)).await.unwrap();
            assert_eq!(later, LiveRevocations { families: vec![families[1].clone()], jtis: vec![], clients: vec![], locked_accounts: vec![] });
        }

        async fn refresh_tokens_expire(db: TestDatabase) {
            let store = db.migrated_store().await;
            let grant = setup(&store).await;
            let code = issue_code(&store, &grant, UnixTime(100)).await.unwrap();
            let token = redeem_code(&store, &redemption(&code, VERIFIER), UnixTime(101)).await.unwrap().unwrap().refresh_token.unwrap();
            let late = rotate_refresh_token(&store, &token, "spa", None, UnixTime(101 + 1000), 1000).await.unwrap();
            assert!(matches!(late, Err(GrantError::Invalid(_))));
            // A client that tries again is refused the same way: an expired
            // token is no rotated-out one, and its grant is not revoked for it.
            let again = rotate_refresh_token(&store, &token, "spa", None, UnixTime(101 + 1001), 1000).await.unwrap();
            assert!(matches!(again, Err(GrantError::Invalid(_))), "{again:?}");
            let (revoked_at,): (Option<i64>,) = sqlx::query_as("SELECT revoked_at FROM token_families")
                .fetch_one(store.reads())
                .await
                .unwrap();
            assert_eq!(revoked_at, None);
        }
    }
}
