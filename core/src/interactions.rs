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
        "SELECT id, client_id, browser_hash, request, session_id, login_error, expires_at FROM interactions \
         WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now.0)
    .fetch_optional(store.pool())
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
