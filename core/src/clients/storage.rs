//! The `clients`, `client_secrets` and `client_web_origins` tables.

use std::collections::BTreeMap;

use super::{AuthMethod, Client, ClientId, ClientKind, GrantType, SecretHash, SubjectType};
use crate::applications::ApplicationId;
use crate::clock::UnixTime;
use crate::keys::SigningAlg;
use crate::store::{Store, StoreError};
use crate::users::UserId;

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    application_id: String,
    kind: String,
    name: String,
    description: Option<String>,
    logo_uri: Option<String>,
    client_uri: Option<String>,
    policy_uri: Option<String>,
    tos_uri: Option<String>,
    token_endpoint_auth_method: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    grant_types: String,
    allowed_scopes: String,
    require_pkce: i16,
    first_party: i16,
    require_mfa: i16,
    tenant_context: i16,
    access_token_ttl: i64,
    refresh_token_ttl: i64,
    id_token_signed_response_alg: String,
    service_account_user_id: Option<String>,
    metadata: String,
    created_at: i64,
    updated_at: i64,
    subject_type: String,
    sector_identifier_uri: Option<String>,
    sector: Option<String>,
    jwks: Option<String>,
}

fn corrupt(what: &str, id: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("client {id}: stored {what} is invalid").into()))
}

impl ClientRow {
    fn into_client(self, web_origins: Vec<String>) -> Result<Client, StoreError> {
        let id = self.id;
        let json_list = |text: &str, what: &str| -> Result<Vec<String>, StoreError> {
            serde_json::from_str(text).map_err(|_| corrupt(what, &id))
        };
        let grant_types: Vec<GrantType> =
            serde_json::from_str(&self.grant_types).map_err(|_| corrupt("grant types", &id))?;
        let metadata: BTreeMap<String, String> =
            serde_json::from_str(&self.metadata).map_err(|_| corrupt("metadata", &id))?;
        Ok(Client {
            kind: ClientKind::parse(&self.kind).ok_or_else(|| corrupt("kind", &id))?,
            auth_method: AuthMethod::parse(&self.token_endpoint_auth_method)
                .ok_or_else(|| corrupt("auth method", &id))?,
            id_token_alg: SigningAlg::parse(&self.id_token_signed_response_alg)
                .ok_or_else(|| corrupt("ID token algorithm", &id))?,
            subject_type: SubjectType::parse(&self.subject_type).ok_or_else(|| corrupt("subject type", &id))?,
            sector_identifier_uri: self.sector_identifier_uri,
            sector: self.sector,
            jwks: self.jwks,
            redirect_uris: json_list(&self.redirect_uris, "redirect URIs")?,
            post_logout_redirect_uris: json_list(&self.post_logout_redirect_uris, "post-logout URIs")?,
            allowed_scopes: json_list(&self.allowed_scopes, "scopes")?,
            application_id: ApplicationId::from_stored(self.application_id),
            name: self.name,
            description: self.description,
            logo_uri: self.logo_uri,
            client_uri: self.client_uri,
            policy_uri: self.policy_uri,
            tos_uri: self.tos_uri,
            web_origins,
            grant_types,
            require_pkce: self.require_pkce != 0,
            first_party: self.first_party != 0,
            require_mfa: self.require_mfa != 0,
            tenant_context: self.tenant_context != 0,
            access_token_ttl: self.access_token_ttl,
            refresh_token_ttl: self.refresh_token_ttl,
            service_account: self.service_account_user_id.map(UserId::from_stored),
            metadata,
            created_at: UnixTime(self.created_at),
            updated_at: UnixTime(self.updated_at),
            id: ClientId(id),
        })
    }
}

macro_rules! client_columns {
    () => {
        "id, application_id, kind, name, description, logo_uri, client_uri, policy_uri, tos_uri, \
         token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, grant_types, \
         allowed_scopes, require_pkce, first_party, access_token_ttl, refresh_token_ttl, \
         id_token_signed_response_alg, service_account_user_id, metadata, created_at, updated_at, require_mfa, \
         tenant_context, subject_type, sector_identifier_uri, jwks, sector"
    };
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

/// Raises the clients' cache version: call in the transaction of every
/// change to a client, its secrets or its web origins.
pub(crate) async fn clients_changed(conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE cache_versions SET version = version + 1 WHERE name = 'clients'").execute(&mut *conn).await?;
    Ok(())
}

/// The clients' cache version: it moves whenever any client changes.
pub async fn clients_version(store: &Store) -> Result<i64, StoreError> {
    let (version,): (i64,) =
        sqlx::query_as("SELECT version FROM cache_versions WHERE name = 'clients'").fetch_one(store.reads()).await?;
    Ok(version)
}

/// Creates the client, or replaces the registration of the one with its id
/// (keeping `created_at` and its secrets), in one transaction.
pub async fn upsert_client(store: &Store, client: &Client) -> Result<(), StoreError> {
    let mut tx = store.pool().begin().await?;
    upsert_in(&mut tx, client).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the registration of an existing client (keeping `created_at`
/// and its secrets); `false`, changing nothing, when there is none: a
/// deleted client never comes back this way.
pub async fn replace_client(store: &Store, client: &Client) -> Result<bool, StoreError> {
    let mut tx = store.pool().begin().await?;
    let exists = sqlx::query("UPDATE clients SET updated_at = updated_at WHERE id = $1")
        .bind(client.id.as_str())
        .execute(&mut *tx)
        .await?;
    if exists.rows_affected() == 0 {
        return Ok(false);
    }
    upsert_in(&mut tx, client).await?;
    tx.commit().await?;
    Ok(true)
}

/// `upsert_client` inside the caller's transaction.
pub async fn upsert_client_in(tx: &mut crate::store::Transaction, client: &Client) -> Result<(), StoreError> {
    upsert_in(tx, client).await
}

async fn upsert_in(tx: &mut crate::store::Transaction, client: &Client) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "INSERT INTO clients (",
        client_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29) \
         ON CONFLICT (id) DO UPDATE SET application_id = excluded.application_id, kind = excluded.kind, \
         name = excluded.name, description = excluded.description, logo_uri = excluded.logo_uri, \
         client_uri = excluded.client_uri, policy_uri = excluded.policy_uri, tos_uri = excluded.tos_uri, \
         token_endpoint_auth_method = excluded.token_endpoint_auth_method, redirect_uris = excluded.redirect_uris, \
         post_logout_redirect_uris = excluded.post_logout_redirect_uris, grant_types = excluded.grant_types, \
         allowed_scopes = excluded.allowed_scopes, require_pkce = excluded.require_pkce, \
         first_party = excluded.first_party, access_token_ttl = excluded.access_token_ttl, \
         refresh_token_ttl = excluded.refresh_token_ttl, \
         id_token_signed_response_alg = excluded.id_token_signed_response_alg, \
         service_account_user_id = excluded.service_account_user_id, metadata = excluded.metadata, \
         updated_at = excluded.updated_at, require_mfa = excluded.require_mfa, \
         tenant_context = excluded.tenant_context, subject_type = excluded.subject_type, \
         sector_identifier_uri = excluded.sector_identifier_uri, jwks = excluded.jwks, \
         sector = excluded.sector"
    ))
    .bind(client.id.as_str())
    .bind(client.application_id.as_str())
    .bind(client.kind.as_str())
    .bind(&client.name)
    .bind(client.description.as_deref())
    .bind(client.logo_uri.as_deref())
    .bind(client.client_uri.as_deref())
    .bind(client.policy_uri.as_deref())
    .bind(client.tos_uri.as_deref())
    .bind(client.auth_method.as_str())
    .bind(to_json(&client.redirect_uris)?)
    .bind(to_json(&client.post_logout_redirect_uris)?)
    .bind(to_json(&client.grant_types)?)
    .bind(to_json(&client.allowed_scopes)?)
    .bind(i16::from(client.require_pkce))
    .bind(i16::from(client.first_party))
    .bind(client.access_token_ttl)
    .bind(client.refresh_token_ttl)
    .bind(client.id_token_alg.as_str())
    .bind(client.service_account.as_ref().map(UserId::as_str))
    .bind(to_json(&client.metadata)?)
    .bind(client.created_at.0)
    .bind(client.updated_at.0)
    .bind(i16::from(client.require_mfa))
    .bind(i16::from(client.tenant_context))
    .bind(client.subject_type.as_str())
    .bind(client.sector_identifier_uri.as_deref())
    .bind(client.jwks.as_deref())
    .bind(client.sector.as_deref())
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM client_web_origins WHERE client_id = $1")
        .bind(client.id.as_str())
        .execute(&mut **tx)
        .await?;
    for origin in &client.web_origins {
        sqlx::query("INSERT INTO client_web_origins (client_id, origin) VALUES ($1, $2)")
            .bind(client.id.as_str())
            .bind(origin)
            .execute(&mut **tx)
            .await?;
    }
    clients_changed(tx).await
}

/// The client with this id. An id no client can have (see
/// [`ClientId::parse`]) finds none without a query: PostgreSQL refuses text
/// with a NUL byte, which a request may send, as an error.
pub async fn find_client(store: &Store, id: &str) -> Result<Option<Client>, StoreError> {
    if ClientId::parse(id).is_none() {
        return Ok(None);
    }
    let row: Option<ClientRow> = sqlx::query_as(concat!("SELECT ", client_columns!(), " FROM clients WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.reads())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let origins: Vec<(String,)> =
        sqlx::query_as("SELECT origin FROM client_web_origins WHERE client_id = $1 ORDER BY origin")
            .bind(id)
            .fetch_all(store.reads())
            .await?;
    row.into_client(origins.into_iter().map(|(o,)| o).collect()).map(Some)
}

pub async fn get_client(store: &Store, id: &ClientId) -> Result<Client, StoreError> {
    find_client(store, id.as_str()).await?.ok_or(StoreError::NotFound)
}

/// Adds a secret (by hash). `expires_at` ends it, for rotation grace periods.
pub async fn add_client_secret(
    store: &Store,
    client_id: &ClientId,
    hash: &SecretHash,
    now: UnixTime,
    expires_at: Option<UnixTime>,
) -> Result<(), StoreError> {
    let mut conn = store.pool().acquire().await?;
    add_client_secret_in(&mut conn, client_id, hash, now, expires_at).await
}

/// `add_client_secret` on the caller's connection (or transaction).
pub async fn add_client_secret_in(
    conn: &mut sqlx::AnyConnection,
    client_id: &ClientId,
    hash: &SecretHash,
    now: UnixTime,
    expires_at: Option<UnixTime>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO client_secrets (id, client_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(client_id.as_str())
    .bind(hash.as_str())
    .bind(now.0)
    .bind(expires_at.map(|t| t.0))
    .execute(&mut *conn)
    .await?;
    clients_changed(conn).await
}

/// The client's secret hashes with their expiry, for a cache to check
/// against without the database.
pub async fn list_secret_hashes(
    store: &Store,
    client_id: &ClientId,
) -> Result<Vec<(SecretHash, Option<UnixTime>)>, StoreError> {
    let rows: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT secret_hash, expires_at FROM client_secrets WHERE client_id = $1")
            .bind(client_id.as_str())
            .fetch_all(store.reads())
            .await?;
    Ok(rows.into_iter().map(|(hash, expires)| (SecretHash::from_stored(hash), expires.map(UnixTime))).collect())
}

/// Whether `presented` is one of the client's unexpired secrets. Compares
/// against every candidate in constant time.
pub async fn secret_matches(
    store: &Store,
    client_id: &ClientId,
    presented: &SecretHash,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let hashes: Vec<(String,)> = sqlx::query_as(
        "SELECT secret_hash FROM client_secrets WHERE client_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(client_id.as_str())
    .bind(now.0)
    .fetch_all(store.reads())
    .await?;
    let mut found = false;
    for (hash,) in hashes {
        found |= SecretHash::from_stored(hash).matches(presented);
    }
    Ok(found)
}

/// Whether any client allows browser calls from `origin` (CORS preflight).
pub async fn origin_is_registered(store: &Store, origin: &str) -> Result<bool, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT client_id FROM client_web_origins WHERE origin = $1 LIMIT 1")
        .bind(origin)
        .fetch_optional(store.reads())
        .await?;
    Ok(row.is_some())
}

pub fn client_allows_origin(client: &Client, origin: &str) -> bool {
    client.web_origins.iter().any(|o| o == origin)
}

/// Replaces all of a client's secrets with one (idempotent import).
pub async fn replace_client_secrets(
    store: &Store,
    client_id: &ClientId,
    hash: &SecretHash,
    now: UnixTime,
) -> Result<(), StoreError> {
    let mut tx = store.pool().begin().await?;
    let existing: Vec<(String,)> = sqlx::query_as("SELECT secret_hash FROM client_secrets WHERE client_id = $1")
        .bind(client_id.as_str())
        .fetch_all(&mut *tx)
        .await?;
    let unchanged = existing.len() == 1 && SecretHash::from_stored(existing[0].0.clone()).matches(hash);
    if !unchanged {
        sqlx::query("DELETE FROM client_secrets WHERE client_id = $1")
            .bind(client_id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO client_secrets (id, client_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(client_id.as_str())
        .bind(hash.as_str())
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        clients_changed(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applications::{ShortKey, insert_application};
    use crate::clients::{ClientSecret, ClientSpec};
    use crate::tenants::{NewTenant, TenantKind, TenantName, insert_tenant};

    async fn application(store: &Store) -> ApplicationId {
        let tenant =
            NewTenant { parent_id: None, kind: TenantKind::Development, name: TenantName::parse("Dev").unwrap() };
        let tenant = insert_tenant(store, tenant, UnixTime(1)).await.unwrap();
        let key = ShortKey::parse("tstapp").unwrap();
        insert_application(store, &tenant.id, key, "Test app", None, UnixTime(1)).await.unwrap().id
    }

    fn spa(app: &ApplicationId, name: &str, now: i64) -> Client {
        let spec: ClientSpec = serde_json::from_value(serde_json::json!({
            "name": name, "kind": "spa",
            "redirect_uris": ["https://app.example.org/cb"],
            "web_origins": ["https://app.example.org"],
            "allowed_scopes": ["tstapp_data.read"],
            "metadata": {"team": "ward 3"}
        }))
        .unwrap();
        spec.validate(ClientId::parse("spa-client").unwrap(), app.clone(), None, UnixTime(now)).unwrap()
    }

    crate::engine_tests! {
        async fn an_id_no_client_can_have_finds_none(db: TestDatabase) {
            let store = db.migrated_store().await;
            let app = application(&store).await;
            upsert_client(&store, &spa(&app, "Ward app", 10)).await.unwrap();
            assert!(find_client(&store, "spa-client").await.unwrap().is_some());
            for id in ["", "spa-client\0", "\0", "spa client", "x".repeat(101).as_str()] {
                assert!(find_client(&store, id).await.unwrap().is_none(), "{id:?}");
            }
        }

        async fn every_change_to_a_client_moves_the_cache_version(db: TestDatabase) {
            let store = db.migrated_store().await;
            let app = application(&store).await;
            let mut last = clients_version(&store).await.unwrap();
            let mut moved = async |what: &str| {
                let now = clients_version(&store).await.unwrap();
                assert!(now > last, "{what}: {now} after {last}");
                last = now;
            };
            let client = spa(&app, "Ward app", 10);
            upsert_client(&store, &client).await.unwrap();
            moved("created").await;
            assert!(replace_client(&store, &spa(&app, "Renamed", 11)).await.unwrap());
            moved("replaced").await;
            let secret = ClientSecret::generate();
            add_client_secret(&store, &client.id, &secret.hash(), UnixTime(12), None).await.unwrap();
            moved("a secret added").await;
            replace_client_secrets(&store, &client.id, &ClientSecret::generate().hash(), UnixTime(13)).await.unwrap();
            moved("secrets replaced").await;
            let manager = crate::applications::manage::Manager::AppAdmin("tstapp");
            crate::applications::manage::delete_client(&store, manager, client.id.as_str(), UnixTime(15)).await.unwrap();
            moved("deleted").await;
        }

        async fn clients_round_trip_and_upsert_keeps_their_creation_time(db: TestDatabase) {
            let store = db.migrated_store().await;
            let app = application(&store).await;
            let first = spa(&app, "Ward app", 10);
            upsert_client(&store, &first).await.unwrap();
            assert_eq!(get_client(&store, &first.id).await.unwrap(), first);

            let renamed = spa(&app, "Ward app 2", 20);
            upsert_client(&store, &renamed).await.unwrap();
            let stored = get_client(&store, &first.id).await.unwrap();
            assert_eq!(stored.name, "Ward app 2");
            assert_eq!((stored.created_at, stored.updated_at), (UnixTime(10), UnixTime(20)));
            assert!(find_client(&store, "nobody").await.unwrap().is_none());
        }

        async fn secrets_match_until_they_expire(db: TestDatabase) {
            let store = db.migrated_store().await;
            let app = application(&store).await;
            let client = spa(&app, "Ward app", 10);
            upsert_client(&store, &client).await.unwrap();
            let (old, new) = (ClientSecret::generate(), ClientSecret::generate());
            add_client_secret(&store, &client.id, &old.hash(), UnixTime(10), Some(UnixTime(100))).await.unwrap();
            add_client_secret(&store, &client.id, &new.hash(), UnixTime(50), None).await.unwrap();
            assert!(secret_matches(&store, &client.id, &old.hash(), UnixTime(99)).await.unwrap());
            assert!(!secret_matches(&store, &client.id, &old.hash(), UnixTime(100)).await.unwrap());
            assert!(secret_matches(&store, &client.id, &new.hash(), UnixTime(100)).await.unwrap());
            let guess = ClientSecret::from_presented("guess").hash();
            assert!(!secret_matches(&store, &client.id, &guess, UnixTime(60)).await.unwrap());

            replace_client_secrets(&store, &client.id, &old.hash(), UnixTime(200)).await.unwrap();
            assert!(secret_matches(&store, &client.id, &old.hash(), UnixTime(300)).await.unwrap());
            assert!(!secret_matches(&store, &client.id, &new.hash(), UnixTime(300)).await.unwrap());
        }

        async fn registered_origins_are_found_for_cors(db: TestDatabase) {
            let store = db.migrated_store().await;
            let app = application(&store).await;
            let client = spa(&app, "Ward app", 10);
            upsert_client(&store, &client).await.unwrap();
            assert!(origin_is_registered(&store, "https://app.example.org").await.unwrap());
            assert!(!origin_is_registered(&store, "https://evil.example").await.unwrap());
            assert!(client_allows_origin(&client, "https://app.example.org"));
        }
    }
}
