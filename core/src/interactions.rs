//! Interactions: an authorization request waiting for the user to sign in
//! or consent. The protocol stores it; the UI finishes it; the protocol
//! resumes it exactly once.

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub id: String,
    pub client_id: String,
    /// SHA-256 of the cookie value of the browser that started it.
    pub browser_hash: String,
    /// The checked authorization request, as the protocol serialised it.
    pub request: String,
    /// Set once the user has signed in during (or before) this interaction.
    pub session_id: Option<String>,
    /// The last sign-in failure, shown on the page (never the password).
    pub login_error: Option<String>,
    /// The user agreed on this interaction's consent screen.
    pub consented: bool,
    /// The active tenant the person chose on the picker.
    pub tenant_id: Option<String>,
    pub expires_at: UnixTime,
}

#[derive(sqlx::FromRow)]
struct InteractionRow {
    id: String,
    client_id: String,
    browser_hash: String,
    request: String,
    session_id: Option<String>,
    login_error: Option<String>,
    consented_at: Option<i64>,
    tenant_id: Option<String>,
    expires_at: i64,
}

impl From<InteractionRow> for Interaction {
    fn from(row: InteractionRow) -> Self {
        Self {
            id: row.id,
            client_id: row.client_id,
            browser_hash: row.browser_hash,
            request: row.request,
            session_id: row.session_id,
            login_error: row.login_error,
            consented: row.consented_at.is_some(),
            tenant_id: row.tenant_id,
            expires_at: UnixTime(row.expires_at),
        }
    }
}

pub async fn insert_interaction(
    store: &Store,
    client_id: &str,
    browser_hash: &str,
    request: &str,
    session_id: Option<&str>,
    now: UnixTime,
    lifetime_seconds: i64,
) -> Result<Interaction, StoreError> {
    let interaction = Interaction {
        id: crate::random::url_safe(16),
        client_id: client_id.to_string(),
        browser_hash: browser_hash.to_string(),
        request: request.to_string(),
        session_id: session_id.map(str::to_owned),
        login_error: None,
        consented: false,
        tenant_id: None,
        expires_at: now.plus_seconds(lifetime_seconds),
    };
    sqlx::query(
        "INSERT INTO interactions (id, client_id, browser_hash, request, session_id, login_error, created_at, expires_at, consumed_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, NULL)",
    )
    .bind(&interaction.id)
    .bind(client_id)
    .bind(browser_hash)
    .bind(request)
    .bind(session_id)
    .bind(now.0)
    .bind(interaction.expires_at.0)
    .execute(store.pool())
    .await?;
    Ok(interaction)
}

/// The interaction, while it is neither expired nor used.
pub async fn find_interaction(store: &Store, id: &str, now: UnixTime) -> Result<Option<Interaction>, StoreError> {
    let row: Option<InteractionRow> = sqlx::query_as(
        "SELECT id, client_id, browser_hash, request, session_id, login_error, consented_at, tenant_id, expires_at \
         FROM interactions \
         WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now.0)
    .fetch_optional(store.reads())
    .await?;
    Ok(row.map(Interaction::from))
}

/// Records the sign-in (clears any error).
pub async fn set_interaction_session(store: &Store, id: &str, session_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE interactions SET session_id = $1, login_error = NULL WHERE id = $2")
        .bind(session_id)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn set_interaction_login_error(store: &Store, id: &str, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE interactions SET login_error = $1 WHERE id = $2")
        .bind(error)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Records that the user agreed on the consent screen.
pub async fn set_interaction_consented(store: &Store, id: &str, now: UnixTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE interactions SET consented_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Records the tenant the person chose (the caller checked they reach it).
pub async fn set_interaction_tenant(store: &Store, id: &str, tenant_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE interactions SET tenant_id = $1 WHERE id = $2")
        .bind(tenant_id)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Marks it used; `false` when it already was (or expired): single use.
pub async fn consume_interaction(store: &Store, id: &str, now: UnixTime) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE interactions SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL AND expires_at > $1",
    )
    .bind(now.0)
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::engine_tests! {
        async fn an_interaction_is_used_once_and_expires(db: TestDatabase) {
            let store = db.migrated_store().await;
            crate::import::apply(&store, crate::import::parse(
                "[[tenants]]\nid = \"t\"\nname = \"T\"\nkind = \"development\"\n[[applications]]\ntenant = \"t\"\nshort_key = \"app\"\nname = \"A\"\n[[clients]]\napplication = \"app\"\nclient_id = \"c\"\nkind = \"spa\"\nname = \"C\"\nredirect_uris = [\"https://a.example/cb\"]\n",
                "toml").unwrap(), UnixTime(1)).await.unwrap();
            let created = insert_interaction(&store, "c", "browser", "{}", None, UnixTime(100), 600).await.unwrap();
            set_interaction_login_error(&store, &created.id, "invalid_credentials").await.unwrap();
            let found = find_interaction(&store, &created.id, UnixTime(101)).await.unwrap().unwrap();
            assert_eq!(found.login_error.as_deref(), Some("invalid_credentials"));
            assert!(!found.consented);
            set_interaction_consented(&store, &created.id, UnixTime(102)).await.unwrap();
            assert!(find_interaction(&store, &created.id, UnixTime(103)).await.unwrap().unwrap().consented);
            set_interaction_tenant(&store, &created.id, "t").await.unwrap();
            assert_eq!(find_interaction(&store, &created.id, UnixTime(103)).await.unwrap().unwrap().tenant_id.as_deref(), Some("t"));
            assert!(find_interaction(&store, &created.id, UnixTime(700)).await.unwrap().is_none(), "expired");
            assert!(consume_interaction(&store, &created.id, UnixTime(104)).await.unwrap());
            assert!(!consume_interaction(&store, &created.id, UnixTime(105)).await.unwrap(), "single use");
            assert!(find_interaction(&store, &created.id, UnixTime(106)).await.unwrap().is_none());
        }
    }
}
